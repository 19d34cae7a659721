/* Remembered devices: a login script that saw a second step accepted may
 * have lv remember the device for remember_days, so that it is not asked
 * again. Each series is "remember.ID" =
 * "SEQ<TAB>CREATED<TAB>EXPIRES<TAB>LASTUSED<TAB>HASH<TAB>IP<TAB>LABEL<TAB>AGENT":
 * the secret only as a keyed hash over the id and the secret, so that the
 * state directory alone never lets a reader in. Labels and agents are free
 * text (no tabs), so they are fields as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define PREFIX "remember."
#define PLEN (sizeof(PREFIX) - 1)
#define TAG "LVR1" /* the token's prefix, once normalised (no dashes, upper case) */
#define B32_SECRET 32

struct series {
	long seq, created, expires, last;
	char *hash, *ip, *label, *agent;
};

/* A normalised answer (upper case, no spaces or dashes): "LVR1", 16 then
 * 32 Crockford characters. The id is given back in its canonical
 * spelling, so that O for 0 names the same series. 0, or -1 malformed. */
int
lv_remember_parse(const char *s, size_t len, char id[LV_REMEMBER_IDLEN + 1],
    unsigned char secret[LV_REMEMBER_SECRET])
{
	unsigned char raw[LV_REMEMBER_IDLEN * 5 / 8];
	size_t t = sizeof(TAG) - 1;

	if (len != t + LV_REMEMBER_IDLEN + B32_SECRET || memcmp(s, TAG, t) != 0 ||
	    lv_b32_decode(s + t, LV_REMEMBER_IDLEN, raw, sizeof(raw)) != 0 ||
	    lv_b32_decode(s + t + LV_REMEMBER_IDLEN, B32_SECRET, secret, LV_REMEMBER_SECRET) != 0) {
		sodium_memzero(secret, LV_REMEMBER_SECRET);
		return -1;
	}
	lv_b32_encode(raw, sizeof(raw), id);
	return 0;
}

static void
secret_hash(const struct lv_acct *a, const char *id, const unsigned char secret[LV_REMEMBER_SECRET],
    char hex[2 * LV_HASHBYTES + 1])
{
	unsigned char msg[LV_REMEMBER_IDLEN + LV_REMEMBER_SECRET];

	memcpy(msg, id, LV_REMEMBER_IDLEN);
	memcpy(msg + LV_REMEMBER_IDLEN, secret, LV_REMEMBER_SECRET);
	lv_key_hash_hex(a->ctx, "lv1-remember", a->name, msg, sizeof(msg), hex);
	sodium_memzero(msg, sizeof(msg));
}

/* Splits a copy of v into s; -1 when damaged (then it counts as expired). */
static int
series_parse(char *v, struct series *s)
{
	char *f[9], *end;
	long *num[4] = { &s->seq, &s->created, &s->expires, &s->last };
	int i;

	if (lv_fields_split(v, f, 9) != 8)
		return -1;
	for (i = 0; i < 4; i++) {
		*num[i] = strtol(f[i], &end, 10);
		if (*end != '\0' || end == f[i])
			return -1;
	}
	s->hash = f[4], s->ip = f[5], s->label = f[6], s->agent = f[7];
	return strlen(s->hash) == 2 * LV_HASHBYTES ? 0 : -1;
}

static int
series_put(struct lv_acct *a, const char *id, const struct series *s)
{
	char key[PLEN + LV_REMEMBER_IDLEN + 1];

	snprintf(key, sizeof(key), PREFIX "%s", id);
	return lv_rec_setf(&a->rec, key, "%ld\t%ld\t%ld\t%ld\t%s\t%s\t%s\t%s", s->seq, s->created,
	    s->expires, s->last, s->hash, s->ip, s->label, s->agent) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

/* The series of id, in buf; 0, 1 when there is none, -1 when damaged. */
static int
series_get(const struct lv_acct *a, const char *id, char *buf, size_t bufsz, struct series *s)
{
	char key[PLEN + LV_REMEMBER_IDLEN + 1];
	const char *v;

	snprintf(key, sizeof(key), PREFIX "%s", id);
	if ((v = lv_rec_get(&a->rec, key)) == NULL)
		return 1;
	if (strlen(v) >= bufsz)
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	return series_parse(buf, s);
}

/* When a series stops working: as issued, or sooner when remember_days was
 * lowered since. */
static long
expiry(const struct lv_acct *a, const struct series *s)
{
	long cap = (long)lv_due_after(s->created, a->ctx->conf.remember_days * 86400L); /* a damaged time saturates */

	return cap < s->expires ? cap : s->expires;
}

/* A fresh secret for the series: the token to print, and its hash stored. */
static int
series_renew(struct lv_acct *a, const char *id, struct series *s, struct lv_remember *r)
{
	unsigned char secret[LV_REMEMBER_SECRET];
	char hex[2 * LV_HASHBYTES + 1], b32[B32_SECRET + 1];
	int rc;

	randombytes_buf(secret, sizeof(secret));
	secret_hash(a, id, secret, hex);
	lv_b32_encode(secret, sizeof(secret), b32);
	snprintf(r->token, sizeof(r->token), "lvr1-%s-%s", id, b32);
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->seq = s->seq;
	s->hash = hex;
	rc = series_put(a, id, s);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/* Expired and damaged series go; then, at the limit, the least recently used. */
static void
make_room(struct lv_acct *a, time_t now)
{
	char buf[LV_TEXT_MAX * 3 + 256], oldest[PLEN + LV_REMEMBER_IDLEN + 1] = "";
	long oldest_last = 0;
	size_t i = 0, live = 0;
	struct series s;

	while (i < a->rec.n) {
		const struct lv_kv *kv = &a->rec.kv[i];

		if (strncmp(kv->k, PREFIX, PLEN) == 0 && (strlen(kv->v) >= sizeof(buf) ||
		    series_parse(strcpy(buf, kv->v), &s) != 0 || expiry(a, &s) <= now)) {
			lv_rec_del(&a->rec, kv->k);
			continue;
		}
		if (strncmp(kv->k, PREFIX, PLEN) == 0 && (live++ == 0 || s.last < oldest_last)) {
			oldest_last = s.last;
			snprintf(oldest, sizeof(oldest), "%s", kv->k);
		}
		i++;
	}
	if (live >= LV_REMEMBER_MAX)
		lv_rec_del(&a->rec, oldest);
}

/* A new series for the device lv-verify just accepted an answer from. */
int
lv_remember_issue(struct lv_acct *a, struct lv_remember *r, time_t now)
{
	unsigned char raw[LV_REMEMBER_IDLEN * 5 / 8];
	char id[LV_REMEMBER_IDLEN + 1];
	struct series s;

	make_room(a, now);
	randombytes_buf(raw, sizeof(raw));
	lv_b32_encode(raw, sizeof(raw), id);
	s.seq = 1;
	s.created = s.last = (long)now;
	s.expires = (long)now + a->ctx->conf.remember_days * 86400L;
	s.ip = (char *)(r->ip ? r->ip : "");
	s.label = (char *)r->label;
	s.agent = (char *)(r->agent ? r->agent : "");
	return series_renew(a, id, &s, r);
}

/* A token shown: 0 when it is the series' current one, whose secret is then
 * replaced (r->token: the successor; r->label: the series' label, in buf);
 * 1 when there is no such live series (why says so); 2 when the series is
 * there but the secret is not its current one: an old copy, or a copy of
 * one, so the whole series is revoked. The lock-out and remember_days are
 * the caller's to check. */
int
lv_remember_check(struct lv_acct *a, const char *id, const unsigned char secret[LV_REMEMBER_SECRET],
    time_t now, struct lv_remember *r, char *buf, size_t bufsz, const char **why)
{
	char hex[2 * LV_HASHBYTES + 1];
	struct series s;
	int same;

	*why = "this device is not remembered (forgotten, expired or never remembered): give a code";
	if (series_get(a, id, buf, bufsz, &s) != 0 || expiry(a, &s) <= now)
		return 1; /* a damaged series works no more than a missing one */
	secret_hash(a, id, secret, hex);
	same = lv_hash_hex_eq(s.hash, hex);
	sodium_memzero(hex, sizeof(hex));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->seq = s.seq;
	r->label = s.label;
	if (!same) {
		lv_remember_forget(a, id);
		*why = "this remembered-device token was replaced already, so it is a copy: the device is "
		    "forgotten and a code is needed";
		return 2;
	}
	s.seq++;
	s.last = (long)now;
	if (r->ip != NULL)
		s.ip = (char *)r->ip;
	if (r->agent != NULL)
		s.agent = (char *)r->agent;
	return series_renew(a, id, &s, r) == 0 ? 0 : EX_SOFTWARE;
}

/* The device's own words, escaped, for audit lines. */
void
lv_remember_detail(const struct lv_remember *r, const char *label, char *out, size_t outsz)
{
	char esc[LV_TEXT_SHOWN];
	size_t n;

	snprintf(out, outsz, r->seq > 0 ? "id=%s seq=%ld" : "id=%s", r->id, r->seq);
	if (label != NULL) {
		lv_escape(label, esc, sizeof(esc));
		n = strlen(out);
		snprintf(out + n, outsz - n, " label=\"%s\"", esc);
	}
	if (r->ip != NULL && r->ip[0] != '\0') {
		n = strlen(out);
		snprintf(out + n, outsz - n, " ip=%s", r->ip);
	}
	if (r->agent != NULL && r->agent[0] != '\0') {
		lv_escape(r->agent, esc, sizeof(esc));
		n = strlen(out);
		snprintf(out + n, outsz - n, " agent=\"%s\"", esc);
	}
}

/* After the commit: the issue's audit line. */
int
lv_remember_issued(struct lv_acct *a, const struct lv_remember *r)
{
	char detail[LV_AUDIT_LINE];

	lv_remember_detail(r, r->label, detail, sizeof(detail));
	return lv_audit(a, "remember-issue", "remembered", "ok", detail);
}

void
lv_remember_notify_issued(struct lv_ctx *c, const char *account, const struct lv_remember *r)
{
	char msg[LV_TEXT_SHOWN + 256], esc[LV_TEXT_SHOWN];

	lv_escape(r->label, esc, sizeof(esc));
	snprintf(msg, sizeof(msg), "A device (\"%s\") was remembered for logins of %s for %ld days: "
	    "it will not be asked for a code.\n", esc, account, c->conf.remember_days);
	lv_notify(c, "device-remembered", account, msg);
}

/* Drops series id, or every series and remote-host grace when id is
 * NULL; how many went (a host's grace counts as one). */
size_t
lv_remember_forget(struct lv_acct *a, const char *id)
{
	char key[PLEN + LV_REMEMBER_IDLEN + 1];
	size_t n = 0, i = 0;

	if (id != NULL) {
		snprintf(key, sizeof(key), PREFIX "%s", id);
		n = lv_rec_get(&a->rec, key) != NULL;
		lv_rec_del(&a->rec, key);
		a->purge |= n > 0; /* no older generation keeps its hash */
		return n;
	}
	while (i < a->rec.n) {
		if (strncmp(a->rec.kv[i].k, PREFIX, PLEN) == 0 ||
		    strncmp(a->rec.kv[i].k, "remember-host.", 14) == 0) {
			n++;
			lv_rec_del(&a->rec, a->rec.kv[i].k);
		} else
			i++;
	}
	a->purge |= n > 0;
	return n;
}

/* After the commit that forgot n series: the audit line, when any went;
 * reason (support's words) when given. */
int
lv_remember_forgotten(struct lv_acct *a, size_t n, const char *why, const char *reason)
{
	char detail[LV_TEXT_SHOWN + 64], esc[LV_TEXT_SHOWN];

	if (n == 0)
		return 0;
	snprintf(detail, sizeof(detail), "count=%zu why=%s", n, why);
	if (reason != NULL) {
		lv_escape(reason, esc, sizeof(esc));
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), " reason=\"%s\"", esc);
	}
	return lv_audit(a, "remember-revoke", "remembered", "ok", detail);
}

static int
by_created(const void *x, const void *y)
{
	const long *p = x, *q = y;

	return p[0] < q[0] ? -1 : p[0] > q[0];
}

/* "remembered<TAB>ID<TAB>LABEL<TAB>CREATED<TAB>LAST-USED<TAB>IP<TAB>EXPIRES"
 * for each live series, oldest first; never the secret (nor its hash). */
void
lv_remember_status(const struct lv_acct *a, struct lv_facts *f)
{
	long (*order)[2] = calloc(a->rec.n + 1, sizeof(*order));
	char buf[LV_TEXT_MAX * 3 + 256];
	time_t now = lv_now();
	size_t i, n = 0;
	struct series s;

	lv_fact(f, LV_FACT_LIST, "remembered", 0);
	if (order == NULL) {
		f->failed = 1;
		return;
	}
	for (i = 0; i < a->rec.n; i++)
		if (strncmp(a->rec.kv[i].k, PREFIX, PLEN) == 0 && strlen(a->rec.kv[i].v) < sizeof(buf) &&
		    series_parse(strcpy(buf, a->rec.kv[i].v), &s) == 0 && expiry(a, &s) > now) {
			order[n][0] = s.created;
			order[n++][1] = (long)i;
		}
	qsort(order, n, sizeof(*order), by_created);
	for (i = 0; i < n; i++) {
		const struct lv_kv *kv = &a->rec.kv[order[i][1]];

		series_parse(strcpy(buf, kv->v), &s);
		lv_fact(f, LV_FACT_LIST, "remembered", 6, lv_text("id", kv->k + PLEN), lv_text("label", s.label),
		    lv_time("created", s.created, NULL), lv_time("last-used", s.last, NULL),
		    lv_text("ip", s.ip[0] ? s.ip : NULL), lv_time("expires", expiry(a, &s), NULL));
	}
	free(order);
	lv_remember_host_status(a, f);
}
