/* SMS codes. Each issued code is one record "sms.code.SEQ" =
 * "EXPIRES<TAB>TRIES<TAB>STATE<TAB>HASH": when it expires, the wrong tries
 * against it, "live" or why it no longer works, and its keyed hash. Dead
 * codes are kept a little while (hashes only) so that a refusal can say
 * why; the newest two live, unexpired codes are accepted. The sequence
 * number ("rate.sms.seq") survives unenrolment, so it is never reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define PREFIX "sms.code."
#define DOMAIN "lv1-sms"
#define LIVE_MAX 2   /* a late first SMS still works */
#define KEEP 10      /* codes kept, live or dead */
#define CODES_MAX 64 /* read at most; more is never written */
#define DEAD_AGE 86400

struct code {
	long seq, expires, tries;
	char state[16];
	char hash[2 * LV_HASHBYTES + 1];
};

struct codes {
	struct code c[CODES_MAX];
	size_t n;
};

static int
parse(const char *k, const char *v, struct code *c)
{
	if (strncmp(k, PREFIX, strlen(PREFIX)) != 0 ||
	    lv_parse_uint(k + strlen(PREFIX), 99999999999L, &c->seq) != 0 ||
	    sscanf(v, "%ld\t%ld\t%15[a-z]\t%64[0-9a-f]", &c->expires, &c->tries, c->state, c->hash) != 4)
		return -1;
	return strlen(c->hash) == 2 * LV_HASHBYTES ? 0 : -1;
}

static int
newest_first(const void *x, const void *y)
{
	long a = ((const struct code *)x)->seq, b = ((const struct code *)y)->seq;

	return a < b ? 1 : a > b ? -1 : 0;
}

/* A damaged record is skipped: it can never be accepted. */
static void
load(const struct lv_acct *a, struct codes *cs)
{
	size_t i;

	cs->n = 0;
	for (i = 0; i < a->rec.n && cs->n < CODES_MAX; i++)
		if (parse(a->rec.kv[i].k, a->rec.kv[i].v, &cs->c[cs->n]) == 0)
			cs->n++;
	qsort(cs->c, cs->n, sizeof(cs->c[0]), newest_first);
}

static int
save(struct lv_acct *a, const struct code *c)
{
	char key[48];

	snprintf(key, sizeof(key), PREFIX "%08ld", c->seq);
	if (lv_rec_setf(&a->rec, key, "%ld\t%ld\t%s\t%s", c->expires, c->tries, c->state, c->hash) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	return 0;
}

static void
drop(struct lv_acct *a, const struct code *c)
{
	char key[48];

	snprintf(key, sizeof(key), PREFIX "%08ld", c->seq);
	lv_rec_del(&a->rec, key);
}

static int
live(const struct code *c)
{
	return strcmp(c->state, "live") == 0;
}

/* Which codes are accepted now: the newest LIVE_MAX live, unexpired ones. */
static void
accepted(const struct codes *cs, time_t now, int ok[CODES_MAX])
{
	size_t i, n = 0;

	for (i = 0; i < cs->n; i++) {
		ok[i] = n < LIVE_MAX && live(&cs->c[i]) && now <= cs->c[i].expires;
		n += ok[i];
	}
}

static int
restate(struct lv_acct *a, struct code *c, const char *state)
{
	snprintf(c->state, sizeof(c->state), "%s", state);
	return save(a, c);
}

/* Before a new code: expired ones are marked so, live ones older than the
 * newest LIVE_MAX are superseded, and only the newest KEEP codes stay. */
static int
settle(struct lv_acct *a, struct codes *cs, time_t now)
{
	size_t i, nlive = 0;
	int rc = 0;

	for (i = 0; i < cs->n && rc == 0; i++) {
		struct code *c = &cs->c[i];

		if (!live(c) && i >= KEEP - 1)
			drop(a, c);
		else if (live(c) && now > c->expires)
			rc = restate(a, c, "expired");
		else if (live(c) && ++nlive > LIVE_MAX)
			rc = restate(a, c, "superseded");
	}
	return rc;
}

int
lv_sms_issue(struct lv_acct *a, time_t now, char code[LV_SMS_DIGITS + 1], long *seq)
{
	struct codes cs;
	struct code c;
	int rc;

	load(a, &cs);
	/* The newest two stay live: if this one never leaves, they still work. */
	if ((rc = settle(a, &cs, now)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.seq = *seq = lv_rec_getnum(&a->rec, "rate.sms.seq", 0) + 1;
	c.expires = (long)now + a->ctx->conf.sms_ttl;
	snprintf(c.state, sizeof(c.state), "live");
	snprintf(code, LV_SMS_DIGITS + 1, "%06u", (unsigned)randombytes_uniform(1000000));
	lv_key_hash_hex(a->ctx, DOMAIN, a->name, code, LV_SMS_DIGITS, c.hash);
	if ((rc = save(a, &c)) != 0 || (rc = lv_sms_log_send(a, c.seq, now)) != 0)
		return rc;
	return lv_rec_setnum(&a->rec, "rate.sms.seq", c.seq) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

static const char *
reason(const struct lv_acct *a, const struct code *c, time_t now)
{
	static char burned[128];

	if (strcmp(c->state, "expired") == 0 || (live(c) && now > c->expires))
		return "this SMS code has expired: ask for a new one";
	if (strcmp(c->state, "used") == 0)
		return "this SMS code was used already";
	if (strcmp(c->state, "spent") == 0)
		return "this SMS code was spent: another code sent with it was used";
	if (strcmp(c->state, "burned") == 0) {
		snprintf(burned, sizeof(burned), "this SMS code was burned after %ld wrong tries: "
		    "ask for a new one", a->ctx->conf.sms_max_tries);
		return burned;
	}
	if (strcmp(c->state, "withdrawn") == 0)
		return "this SMS code was withdrawn: the phone number changed";
	if (strcmp(c->state, "failed") == 0)
		return "this SMS code was withdrawn: sending it failed";
	return "newer SMS codes were sent since: use the latest one";
}

/* Using one code spends every live one ("using one spends both"). */
static int
spend(struct lv_acct *a, struct codes *cs, size_t hit, time_t now)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < cs->n && rc == 0; i++) {
		struct code *c = &cs->c[i];

		if (live(c))
			rc = restate(a, c, i == hit ? "used" : now > c->expires ? "expired" : "spent");
	}
	return rc;
}

/* A wrong answer is a try against every accepted code. */
static int
count_try(struct lv_acct *a, struct codes *cs, const int ok[CODES_MAX])
{
	size_t i;
	int rc = 0;

	for (i = 0; i < cs->n && rc == 0; i++) {
		if (!ok[i])
			continue;
		cs->c[i].tries++;
		rc = restate(a, &cs->c[i], cs->c[i].tries >= a->ctx->conf.sms_max_tries ? "burned" : "live");
	}
	return rc;
}

int
lv_sms_check(struct lv_acct *a, const char *code, time_t now, const char **why)
{
	char hex[2 * LV_HASHBYTES + 1];
	int ok[CODES_MAX], hit = -1, dead = -1, pending = 0;
	struct codes cs;
	size_t i;

	load(a, &cs);
	accepted(&cs, now, ok);
	lv_key_hash_hex(a->ctx, DOMAIN, a->name, code, strlen(code), hex);
	/* Every code is compared, in constant time, with no early exit. */
	for (i = 0; i < cs.n; i++) {
		int eq = lv_hash_hex_eq(cs.c[i].hash, hex);

		pending |= ok[i];
		if (eq && ok[i] && hit < 0)
			hit = (int)i;
		else if (eq && dead < 0)
			dead = (int)i;
	}
	sodium_memzero(hex, sizeof(hex));
	if (hit >= 0 && spend(a, &cs, (size_t)hit, now) == 0)
		return 0;
	*why = dead >= 0 ? reason(a, &cs.c[dead], now) :
	    pending ? "wrong code" : "wrong code (no SMS code is pending)";
	count_try(a, &cs, ok);
	return 1;
}

void
lv_sms_status(const struct lv_acct *a, struct lv_facts *f)
{
	const char *p = lv_rec_get(&a->rec, "phone");
	int ok[CODES_MAX], pending = 0, how = p ? 0 : LV_FACT_JSON; /* no phone: JSON says null */
	char masked[24];
	struct codes cs;
	size_t i;

	if (p != NULL)
		lv_mask_phone(p, masked);
	lv_fact(f, how, "phone", 1, lv_text(NULL, p ? masked : NULL));
	lv_fact(f, how, "sms-last-sent", 1, lv_time(NULL, p ? lv_sms_last_sent(a) : 0, "never"));
	if (p != NULL) {
		load(a, &cs);
		accepted(&cs, lv_now(), ok);
		for (i = 0; i < cs.n; i++)
			pending |= ok[i];
	}
	lv_fact(f, how, "sms-pending", 1, lv_bool(NULL, pending));
}

static void
mark(struct lv_acct *a, long seq, const char *state)
{
	struct codes cs;
	size_t i;

	load(a, &cs);
	for (i = 0; i < cs.n; i++) {
		if (live(&cs.c[i]) && (seq == 0 || cs.c[i].seq == seq))
			restate(a, &cs.c[i], state);
	}
}

/* The phone number changed or went: codes sent to the old one stop. */
void
lv_sms_withdraw(struct lv_acct *a)
{
	mark(a, 0, "withdrawn");
}

/* A code that never left (gateway failure): it stops, and its send does not
 * count toward the resend wait or the caps. */
void
lv_sms_recall(struct lv_acct *a, long seq)
{
	mark(a, seq, "failed");
	lv_sms_unlog(a, seq);
}

/* For lv-expire: how many codes are due, live ones that have expired and
 * dead ones older than a day; with apply, the first are marked expired and
 * the others, and live ones expired for more than a day, forgotten. */
size_t
lv_sms_expire(struct lv_acct *a, time_t now, int apply)
{
	struct codes cs;
	size_t i, n = 0;

	load(a, &cs);
	for (i = 0; i < cs.n; i++) {
		struct code *c = &cs.c[i];

		if (c->expires < (long)now - DEAD_AGE) {
			n++;
			if (apply)
				drop(a, c);
		} else if (live(c) && now > c->expires) {
			n++;
			if (apply)
				restate(a, c, "expired");
		}
	}
	return n;
}

/* When lv_sms_expire next has work. */
time_t
lv_sms_due(const struct lv_acct *a)
{
	struct codes cs;
	time_t due = LV_NEVER, t;
	size_t i;

	load(a, &cs);
	for (i = 0; i < cs.n; i++) {
		t = lv_due_after(cs.c[i].expires, live(&cs.c[i]) ? 1 : DEAD_AGE + 1);
		if (t < due)
			due = t;
	}
	return due;
}

/* Replaces the number; pending codes sent to the old one are withdrawn. */
int
lv_phone_set(struct lv_acct *a, const char *phone, char oldmask[24])
{
	const char *old = lv_rec_get(&a->rec, "phone");

	oldmask[0] = '\0';
	if (old != NULL)
		lv_mask_phone(old, oldmask);
	a->purge |= old != NULL;
	lv_sms_withdraw(a);
	return lv_rec_set(&a->rec, "phone", phone) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}
