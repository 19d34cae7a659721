/* What an ssh or PAM client gets instead of a token, which it cannot keep:
 * a grace after a verified login from the same remote address (pam_lv's
 * remember=SECONDS). "remember-host.IP" = the time of the last login from
 * IP whose code was accepted. A grace login does not extend it. Anyone at
 * that address (behind the same NAT) gets in within the grace: pam_lv(8)
 * says so. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

#define PREFIX "remember-host."

/* The address in one spelling ("::1" and "0::1" are one host); -1 when it is none. */
static int
host_key(const char *ip, char key[sizeof(PREFIX) + 46])
{
	unsigned char bin[16];
	char canon[46];
	int af = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, ip, bin) != 1 || inet_ntop(af, bin, canon, sizeof(canon)) == NULL)
		return -1;
	snprintf(key, sizeof(PREFIX) + 46, PREFIX "%s", canon);
	return 0;
}

/* Graces that ended go, so that addresses do not pile up. */
static void
prune(struct lv_acct *a, long grace, time_t now)
{
	size_t i = 0;

	while (i < a->rec.n)
		if (strncmp(a->rec.kv[i].k, PREFIX, sizeof(PREFIX) - 1) == 0 &&
		    strtol(a->rec.kv[i].v, NULL, 10) <= (long)now - grace)
			lv_rec_del(&a->rec, a->rec.kv[i].k);
		else
			i++;
}

int
lv_remember_host_set(struct lv_acct *a, const char *ip, long grace, time_t now)
{
	char key[sizeof(PREFIX) + 46];

	if (host_key(ip, key) != 0)
		return lv_err(EX_DATAERR, "bad --ip");
	prune(a, grace, now);
	return lv_rec_setnum(&a->rec, key, (long)now) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

static int
host_once(struct lv_acct *a, const char *ip, long grace, time_t now)
{
	char key[sizeof(PREFIX) + 46], detail[128];
	long t, wait;

	if (!lv_store_enrolled(a))
		return lv_err(EX_NOINPUT, "login verification is not enabled for %s", a->name);
	if ((wait = lv_fail_locked(a, now)) > 0)
		return lv_err(EX_TEMPFAIL, "%s is locked after too many failures: no grace until the lock "
		    "ends in %ld s", a->name, wait);
	if (host_key(ip, key) != 0)
		return lv_err(EX_DATAERR, "bad --ip");
	t = lv_rec_getnum(&a->rec, key, 0);
	if (t <= 0 || t > (long)now || (long)now - t >= grace) {
		lv_warn("rejected: no login from %s was verified in the last %ld s", ip, grace);
		return 1;
	}
	snprintf(detail, sizeof(detail), "ip=%s verified=%lds-ago", key + sizeof(PREFIX) - 1, (long)now - t);
	return lv_audit(a, "verify", "grace", "accept", detail);
}

/* 0 when a login from ip was verified less than grace seconds ago; read
 * only but for the audit line. */
int
lv_remember_host_check(struct lv_ctx *c, const char *account, const char *ip, long grace)
{
	struct lv_acct a;
	int rc;

	if (c->conf.remember_days == 0)
		return lv_err(EX_UNAVAILABLE, "remembered devices are turned off here (remember_days = 0)");
	if ((rc = lv_store_open(c, account, LV_OPEN_LOCK, &a)) == 0)
		rc = host_once(&a, ip, grace, lv_now());
	lv_store_close(&a);
	return rc;
}

/* "remembered-host<TAB>IP<TAB>VERIFIED" for each address a grace was
 * recorded for: support sees why a login asked no code. */
void
lv_remember_host_status(const struct lv_acct *a, struct lv_facts *f)
{
	size_t i, plen = sizeof(PREFIX) - 1;

	lv_fact(f, LV_FACT_LIST, "remembered-host", 0);
	for (i = 0; i < a->rec.n; i++)
		if (strncmp(a->rec.kv[i].k, PREFIX, plen) == 0)
			lv_fact(f, LV_FACT_LIST, "remembered-host", 2, lv_text("ip", a->rec.kv[i].k + plen),
			    lv_time("verified", strtol(a->rec.kv[i].v, NULL, 10), NULL));
}
