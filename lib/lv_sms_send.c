/* Who may be sent an SMS code, and when: the phone's country, the resend
 * wait, the account's daily cap and the site's hourly cap (the guards
 * against SMS pumping). The account's send log is "rate.sms.sent.SEQ" =
 * TIME, kept across unenrolment; the site's is "rate.sms.site.MINUTE" =
 * COUNT in the site records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

#define SENT "rate.sms.sent."
#define SITE "rate.sms.site."
#define DAY 86400

/* 0 allowed, 69 outside sms_countries, 78 when the list is malformed. */
int
lv_sms_country_ok(const struct lv_conf *c, const char *phone)
{
	char list[sizeof(c->sms_countries)], *tok, *save = NULL;
	int ok = c->sms_countries[0] == '\0';

	snprintf(list, sizeof(list), "%s", c->sms_countries);
	for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (tok[0] != '+' || tok[1] == '\0' || strspn(tok + 1, "0123456789") != strlen(tok + 1))
			return lv_err(EX_CONFIG, "sms_countries: \"%s\" is not a prefix like +44", tok);
		ok |= strncmp(phone, tok, strlen(tok)) == 0;
	}
	return ok ? 0 : EX_UNAVAILABLE;
}

struct sends {
	long last, oldest; /* newest send, oldest within the day */
	long day;          /* sends within the day */
};

static void
sends(const struct lv_acct *a, time_t now, struct sends *s)
{
	size_t i, n = strlen(SENT);
	long t;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < a->rec.n; i++) {
		if (strncmp(a->rec.kv[i].k, SENT, n) != 0 || lv_parse_uint(a->rec.kv[i].v, 1L << 40, &t) != 0)
			continue;
		if (t > s->last)
			s->last = t;
		if (t > (long)now - DAY) {
			s->day++;
			if (s->oldest == 0 || t < s->oldest)
				s->oldest = t;
		}
	}
}

long
lv_sms_last_sent(const struct lv_acct *a)
{
	struct sends s;

	sends(a, lv_now(), &s);
	return s.last;
}

/* 0, or the exit code with its message; *tag names the refusal for the
 * audit log. */
int
lv_sms_may_send(const struct lv_acct *a, time_t now, const char **tag)
{
	const struct lv_conf *c = &a->ctx->conf;
	const char *phone = lv_rec_get(&a->rec, "phone");
	struct sends s;
	int rc;

	*tag = "no-phone";
	if (phone == NULL)
		return lv_err(EX_UNAVAILABLE, "%s has no phone for SMS codes", a->name);
	*tag = "country";
	if ((rc = lv_sms_country_ok(c, phone)) == EX_UNAVAILABLE)
		return lv_err(rc, "SMS codes are not sent to this country (sms_countries)");
	if (rc != 0)
		return rc;
	sends(a, now, &s);
	*tag = "resend-wait";
	if (s.last > 0 && now - s.last < c->sms_resend)
		return lv_err(EX_TEMPFAIL, "resend too soon: the last code was sent %ld s ago and may still "
		    "arrive; wait %ld s before asking for another", (long)now - s.last,
		    s.last + c->sms_resend - (long)now);
	*tag = "daily-cap";
	if (c->sms_daily > 0 && s.day >= c->sms_daily)
		return lv_err(EX_TEMPFAIL, "%s was sent %ld codes in 24 h, the limit: try again in %ld s",
		    a->name, s.day, s.oldest + DAY - (long)now);
	*tag = NULL;
	return 0;
}

/* The log keeps the day's sends, and the newest one even when older. */
int
lv_sms_log_send(struct lv_acct *a, long seq, time_t now)
{
	struct sends s;
	char key[48];
	size_t i = 0;
	long t;

	sends(a, now, &s);
	while (i < a->rec.n) {
		if (strncmp(a->rec.kv[i].k, SENT, strlen(SENT)) == 0 &&
		    (lv_parse_uint(a->rec.kv[i].v, 1L << 40, &t) != 0 || (t <= (long)now - DAY && t != s.last)))
			lv_rec_del(&a->rec, a->rec.kv[i].k);
		else
			i++;
	}
	snprintf(key, sizeof(key), SENT "%08ld", seq);
	return lv_rec_setnum(&a->rec, key, (long)now) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

void
lv_sms_unlog(struct lv_acct *a, long seq)
{
	char key[48];

	snprintf(key, sizeof(key), SENT "%08ld", seq);
	lv_rec_del(&a->rec, key);
}

/* Sends in the hour before now, by minute; older minutes are dropped. */
static long
site_count(struct lv_acct *s, time_t now, long *oldest)
{
	long min = (long)now / 60, m, n, sum = 0;
	size_t i = 0;

	*oldest = min;
	while (i < s->rec.n) {
		const char *k = s->rec.kv[i].k;

		if (strncmp(k, SITE, strlen(SITE)) != 0 || lv_parse_uint(k + strlen(SITE), 1L << 40, &m) != 0) {
			i++;
			continue;
		}
		if (m <= min - 60 || lv_parse_uint(s->rec.kv[i].v, 1L << 40, &n) != 0) {
			lv_rec_del(&s->rec, k);
			continue;
		}
		sum += n;
		if (m < *oldest)
			*oldest = m;
		i++;
	}
	return sum;
}

static int
site_add(struct lv_acct *s, long minute, long delta)
{
	char key[48];
	long n;

	snprintf(key, sizeof(key), SITE "%ld", minute);
	n = lv_rec_getnum(&s->rec, key, 0) + delta;
	if (n <= 0) {
		lv_rec_del(&s->rec, key);
		return 0;
	}
	return lv_rec_setnum(&s->rec, key, n) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

static int
site_take_once(struct lv_ctx *c, time_t now, long *minute)
{
	long cap = c->conf.sms_hourly_site, oldest;
	struct lv_acct s;
	int rc;

	if ((rc = lv_store_open(c, NULL, LV_OPEN_SITE | LV_OPEN_LOCK, &s)) != 0)
		goto out;
	if (site_count(&s, now, &oldest) >= cap)
		rc = lv_err(EX_TEMPFAIL, "the site-wide limit of %ld SMS codes an hour is reached: "
		    "try again in %ld s", cap, (oldest + 60) * 60 - (long)now);
	else if ((rc = site_add(&s, (long)now / 60, 1)) == 0 &&
	    (rc = lv_store_commit(&s)) == 0)
		*minute = (long)now / 60;
out:
	lv_store_close(&s);
	return rc;
}

/* The site-wide hourly cap: counts this send in *minute, or refuses. Never
 * called while an account's lock is held. */
int
lv_sms_site_take(struct lv_ctx *c, time_t now, long *minute)
{
	int rc, tries = 0;

	*minute = -1;
	if (c->conf.sms_hourly_site == 0)
		return 0;
	do
		rc = site_take_once(c, now, minute);
	while (lv_store_lost(&rc, &tries));
	return rc;
}

/* A send that did not happen gives its place back. */
void
lv_sms_site_give(struct lv_ctx *c, long minute)
{
	struct lv_acct s;
	long oldest;
	int rc, tries = 0;

	if (minute < 0)
		return;
	do {
		if ((rc = lv_store_open(c, NULL, LV_OPEN_SITE | LV_OPEN_LOCK, &s)) == 0) {
			site_count(&s, lv_now(), &oldest);
			if ((rc = site_add(&s, minute, -1)) == 0)
				rc = lv_store_commit(&s);
		}
		lv_store_close(&s);
	} while (lv_store_lost(&rc, &tries));
}
