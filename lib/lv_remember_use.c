/* lv-verify --method remembered: a remembered device's token on stdin
 * stands in for a code. The token is spent and its successor printed in
 * the same conditional commit, so of two copies only the first works; the
 * second revokes the series, and the owner hears of it. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

enum outcome { ACCEPTED, UNKNOWN, REUSED };

/* Refused before the series is looked at: the lock-out holds remembered
 * devices off as it holds codes. */
static int
usable(struct lv_acct *a, time_t now)
{
	long wait;

	if (!lv_store_enrolled(a))
		return lv_err(EX_NOINPUT, "login verification is not enabled for %s", a->name);
	if ((wait = lv_fail_locked(a, now)) > 0)
		return lv_err(EX_TEMPFAIL, "%s is locked after too many failures: a remembered device does "
		    "not work until the lock ends in %ld s; use a backup code", a->name, wait);
	return 0;
}

/* After the commit, under the lock: an acceptance whose line is not on
 * disk is refused by the caller. */
static int
audit(struct lv_acct *a, const struct lv_remember *r, enum outcome o)
{
	char detail[LV_AUDIT_LINE];

	lv_remember_detail(r, o == UNKNOWN ? NULL : r->label, detail, sizeof(detail));
	if (o == REUSED)
		return lv_audit(a, "remember-reused", "remembered", "revoke", detail);
	return lv_audit(a, "verify", "remembered", o == ACCEPTED ? "accept" : "reject", detail);
}

static int
use_once(struct lv_ctx *c, const char *account, const char *id, const unsigned char *secret,
    struct lv_remember *r, enum outcome *o)
{
	char buf[LV_TEXT_MAX * 3 + 256];
	const char *why = NULL;
	struct lv_acct a;
	time_t now = lv_now();
	int rc;

	if ((rc = lv_store_open(c, account, LV_OPEN_LOCK, &a)) == 0 && (rc = usable(&a, now)) == 0) {
		rc = lv_remember_check(&a, id, secret, now, r, buf, sizeof(buf), &why);
		*o = rc == 0 ? ACCEPTED : rc == 1 ? UNKNOWN : REUSED;
		if (rc == 1)
			snprintf(r->id, sizeof(r->id), "%s", id);
		if (rc <= 2 && (*o == UNKNOWN || (rc = lv_store_commit(&a)) == 0))
			rc = audit(&a, r, *o);
		if (rc == 0 && *o != ACCEPTED)
			rc = 1;
		if (rc == 1)
			lv_warn("rejected: %s", why);
	}
	lv_store_close(&a);
	return rc;
}

static void
notify_reused(struct lv_ctx *c, const char *account)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "A remembered device token of %s was used twice: someone may have copied it. "
	    "That device is forgotten and will be asked for a code.\n", account);
	lv_notify(c, "remembered-token-reused", account, msg);
}

int
lv_remember_use(struct lv_ctx *c, const char *account, const struct lv_answer *ans, struct lv_remember *r)
{
	unsigned char secret[LV_REMEMBER_SECRET];
	char id[LV_REMEMBER_IDLEN + 1];
	enum outcome o = UNKNOWN;
	int rc, tries = 0;

	if (lv_remember_parse(ans->text, ans->len, id, secret) != 0)
		return lv_err(EX_DATAERR, "malformed answer: not a remembered-device token");
	if (c->conf.remember_days == 0)
		rc = lv_err(EX_UNAVAILABLE, "remembered devices are turned off here (remember_days = 0)");
	else
		do
			rc = use_once(c, account, id, secret, r, &o);
		while (lv_store_lost(&rc, &tries));
	sodium_memzero(secret, sizeof(secret));
	if (rc == 1 && o == REUSED)
		notify_reused(c, account);
	if (rc == 0)
		printf("%s\n", r->token);
	sodium_memzero(r->token, sizeof(r->token));
	return rc == 0 ? lv_fshut() : rc;
}
