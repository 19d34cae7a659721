/* Login requests (push), one record each:
 * req.<ID> = SEQ CREATED STATUS DECIDED NUMBER CHALLENGE TOKENHASH DEVICE
 *            NOTE IP CLIENT LOCATION (tab-separated; empty when unknown).
 * req.next numbers them, so two made in one second still list in order;
 * rate.req.new keeps the times of the last hour's new requests, and
 * survives unenrolment like every rate counter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define PREFIX "req."
#define NFIELDS 12
#define HOUR 3600

int
lv_request_valid_id(const char *id)
{
	size_t i;

	if (strlen(id) != LV_REQID_LEN)
		return -1;
	for (i = 0; i < LV_REQID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return -1;
	return 0;
}

static int
copy(char *dst, size_t sz, const char *src)
{
	return snprintf(dst, sz, "%s", src) < (int)sz ? 0 : -1;
}

static int
req_parse(const char *id, const char *v, struct lv_req *r)
{
	char buf[4 * LV_TEXT_MAX], *f[NFIELDS];

	memset(r, 0, sizeof(*r));
	if (copy(buf, sizeof(buf), v) != 0 || lv_fields_split(buf, f, NFIELDS) != NFIELDS ||
	    lv_parse_uint(f[0], 0x7fffffffffffffffL, &r->seq) != 0 ||
	    lv_parse_uint(f[1], 0x7fffffffffffffffL, &r->created) != 0 ||
	    lv_parse_uint(f[3], 0x7fffffffffffffffL, &r->decided) != 0)
		return -1;
	if (copy(r->id, sizeof(r->id), id) || copy(r->status, sizeof(r->status), f[2]) ||
	    copy(r->number, sizeof(r->number), f[4]) || copy(r->challenge, sizeof(r->challenge), f[5]) ||
	    copy(r->tokenhash, sizeof(r->tokenhash), f[6]) || copy(r->device, sizeof(r->device), f[7]) ||
	    copy(r->note, sizeof(r->note), f[8]) || copy(r->ip, sizeof(r->ip), f[9]) ||
	    copy(r->client, sizeof(r->client), f[10]) || copy(r->location, sizeof(r->location), f[11]))
		return -1;
	return 0;
}

int
lv_request_get(const struct lv_acct *a, const char *id, struct lv_req *r)
{
	char key[32];
	const char *v;

	if (lv_request_valid_id(id) != 0)
		return -1;
	snprintf(key, sizeof(key), PREFIX "%s", id);
	if ((v = lv_rec_get(&a->rec, key)) == NULL)
		return -1;
	return req_parse(id, v, r);
}

int
lv_request_put(struct lv_acct *a, const struct lv_req *r)
{
	char key[32];

	snprintf(key, sizeof(key), PREFIX "%s", r->id);
	return lv_rec_setf(&a->rec, key, "%ld\t%ld\t%s\t%ld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
	    r->seq, r->created, r->status, r->decided, r->number, r->challenge, r->tokenhash,
	    r->device, r->note, r->ip, r->client, r->location);
}

/* A pending request past its time is expired, whether or not lv-expire
 * has marked it yet. */
const char *
lv_request_state(const struct lv_acct *a, const struct lv_req *r, time_t now)
{
	if (strcmp(r->status, "pending") == 0 && now >= r->created + a->ctx->conf.request_ttl)
		return "expired";
	return r->status;
}

static int
newest_first(const void *x, const void *y)
{
	const struct lv_req *a = x, *b = y;

	if (a->created != b->created)
		return a->created < b->created ? 1 : -1;
	return (a->seq < b->seq) - (a->seq > b->seq);
}

/* Every readable request, newest first; *out is the caller's to free. */
size_t
lv_request_list(const struct lv_acct *a, struct lv_req **out)
{
	size_t i, n = 0, cap = lv_rec_countprefix(&a->rec, PREFIX);

	if ((*out = calloc(cap ? cap : 1, sizeof(**out))) == NULL)
		return 0;
	for (i = 0; i < a->rec.n; i++) {
		const char *k = a->rec.kv[i].k;

		if (strncmp(k, PREFIX, strlen(PREFIX)) == 0 && lv_request_valid_id(k + strlen(PREFIX)) == 0 &&
		    req_parse(k + strlen(PREFIX), a->rec.kv[i].v, &(*out)[n]) == 0)
			n++;
	}
	qsort(*out, n, sizeof(**out), newest_first);
	return n;
}

static long
pending(const struct lv_acct *a, time_t now, long *next_expiry)
{
	struct lv_req *r;
	size_t i, n = lv_request_list(a, &r);
	long count = 0;

	*next_expiry = 0;
	for (i = 0; i < n; i++)
		if (strcmp(lv_request_state(a, &r[i], now), "pending") == 0) {
			count++;
			*next_expiry = r[i].created + a->ctx->conf.request_ttl - now;
		}
	free(r);
	return count;
}

void
lv_request_status(const struct lv_acct *a, struct lv_facts *f)
{
	long next;

	lv_fact(f, 0, "pending-requests", 1, lv_num(NULL, (long)pending(a, lv_now(), &next)));
}

/* The times of the last hour's new requests; returns how many, and the
 * oldest in *oldest. The kept list is pruned to that hour. */
static long
hourly(struct lv_acct *a, time_t now, long *oldest, char *kept, size_t keptsz)
{
	const char *v = lv_rec_get(&a->rec, "rate.req.new");
	char *buf = strdup(v ? v : ""), *tok, *save = NULL;
	long t, count = 0;
	size_t off = 0;

	*oldest = now;
	kept[0] = '\0';
	for (tok = buf ? strtok_r(buf, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save)) {
		if (lv_parse_uint(tok, 0x7fffffffffffffffL, &t) != 0 || t <= now - HOUR || off + 24 > keptsz)
			continue;
		off += (size_t)snprintf(kept + off, keptsz - off, "%s%ld", off ? " " : "", t);
		*oldest = t < *oldest ? t : *oldest;
		count++;
	}
	free(buf);
	return count;
}

/* The push-bombing guard: at most request_pending_max pending and
 * request_hourly new in any hour. */
static int
limits(struct lv_acct *a, time_t now, char *kept, size_t keptsz)
{
	const struct lv_conf *c = &a->ctx->conf;
	long next, oldest, n;

	if ((n = pending(a, now, &next)) >= c->request_pending_max)
		return lv_err(EX_TEMPFAIL, "%ld login requests of %s are pending already: answer one, "
		    "or wait %ld s for one to expire", n, a->name, next);
	if ((n = hourly(a, now, &oldest, kept, keptsz)) >= c->request_hourly)
		return lv_err(EX_TEMPFAIL, "%ld login requests of %s in the last hour, the most allowed: "
		    "try again in %ld s", n, a->name, oldest + HOUR - now);
	return 0;
}

static void
fill(struct lv_acct *a, struct lv_req *r, time_t now, char token[LV_TOKEN_LEN + 1])
{
	unsigned char idb[LV_REQID_LEN / 2], chal[32], tok[LV_TOKEN_LEN / 2];
	char msg[LV_REQID_LEN + LV_TOKEN_LEN + 2];

	do {
		randombytes_buf(idb, sizeof(idb));
		sodium_bin2hex(r->id, sizeof(r->id), idb, sizeof(idb));
	} while (lv_request_get(a, r->id, &(struct lv_req){ 0 }) == 0);
	randombytes_buf(chal, sizeof(chal));
	lv_b64_encode(chal, sizeof(chal), r->challenge);
	randombytes_buf(tok, sizeof(tok));
	sodium_bin2hex(token, LV_TOKEN_LEN + 1, tok, sizeof(tok));
	snprintf(msg, sizeof(msg), "%s:%s", r->id, token);
	lv_key_hash_hex(a->ctx, "lv1-request-token", a->name, msg, strlen(msg), r->tokenhash);
	snprintf(r->number, sizeof(r->number), "%02u", 10 + randombytes_uniform(90));
	snprintf(r->status, sizeof(r->status), "pending");
	r->created = (long)now;
	r->seq = lv_rec_getnum(&a->rec, PREFIX "next", 1);
	sodium_memzero(tok, sizeof(tok));
	sodium_memzero(msg, sizeof(msg));
}

int
lv_request_new(struct lv_acct *a, const char *ip, const char *client, const char *location,
    struct lv_req *r, char token[LV_TOKEN_LEN + 1])
{
	time_t now = lv_now();
	char *kept;
	size_t keptsz = (size_t)a->ctx->conf.request_hourly * 24 + 32;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((kept = malloc(keptsz)) == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	if ((rc = limits(a, now, kept, keptsz)) == 0) {
		fill(a, r, now, token);
		copy(r->ip, sizeof(r->ip), ip ? ip : "");
		copy(r->client, sizeof(r->client), client ? client : "");
		copy(r->location, sizeof(r->location), location ? location : "");
		/* below the cap, so kept has room for one more time */
		snprintf(kept + strlen(kept), keptsz - strlen(kept), "%s%ld", kept[0] ? " " : "", (long)now);
		if (lv_request_put(a, r) != 0 || lv_rec_setnum(&a->rec, PREFIX "next", r->seq + 1) != 0 ||
		    lv_rec_set(&a->rec, "rate.req.new", kept) != 0)
			rc = lv_err(EX_SOFTWARE, "out of memory");
	}
	free(kept);
	return rc;
}

static const char *
shown(const char *s, char *buf, size_t sz)
{
	if (s[0] == '\0')
		return "-";
	lv_escape(s, buf, sz);
	return buf;
}

/* lv1-request<TAB>ACCOUNT<TAB>ID<TAB>CHALLENGE<TAB>TIME<TAB>IP<TAB>CLIENT<TAB>LOCATION */
void
lv_request_line(const char *account, const struct lv_req *r, char *out, size_t outsz)
{
	char when[32], ip[LV_TEXT_MAX * 2], cl[LV_TEXT_MAX * 4 + 1], lo[LV_TEXT_MAX * 4 + 1];

	lv_isotime((time_t)r->created, when);
	snprintf(out, outsz, "lv1-request\t%s\t%s\t%s\t%s\t%s\t%s\t%s", account, r->id, r->challenge, when,
	    shown(r->ip, ip, sizeof(ip)), shown(r->client, cl, sizeof(cl)),
	    shown(r->location, lo, sizeof(lo)));
}

/* For lv-expire: marks pending requests past their time expired and
 * removes those older than the retention period. */
int
lv_request_expire(struct lv_acct *a, time_t now, long *expired, long *removed)
{
	struct lv_req *r;
	size_t i, n = lv_request_list(a, &r);
	char key[32];
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (r[i].created < now - a->ctx->conf.request_retention) {
			snprintf(key, sizeof(key), PREFIX "%s", r[i].id);
			lv_rec_del(&a->rec, key);
			(*removed)++;
		} else if (strcmp(r[i].status, "pending") == 0 &&
		    strcmp(lv_request_state(a, &r[i], now), "expired") == 0) {
			snprintf(r[i].status, sizeof(r[i].status), "expired");
			r[i].decided = r[i].created + a->ctx->conf.request_ttl;
			if ((rc = lv_request_put(a, &r[i])) == 0)
				(*expired)++;
		}
	}
	free(r);
	return rc == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

/* When lv_request_expire next has work: a pending request expires, or
 * one passes the retention period. */
time_t
lv_request_due(const struct lv_acct *a)
{
	const struct lv_conf *c = &a->ctx->conf;
	time_t due = LV_NEVER, t;
	struct lv_req *r;
	size_t i, n = lv_request_list(a, &r);

	for (i = 0; i < n; i++) {
		t = lv_due_after(r[i].created, c->request_retention + 1);
		if (strcmp(r[i].status, "pending") == 0 && lv_due_after(r[i].created, c->request_ttl) < t)
			t = lv_due_after(r[i].created, c->request_ttl);
		if (t < due)
			due = t;
	}
	free(r);
	return due;
}
