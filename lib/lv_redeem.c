/* lv-verify --request: the login session that asked redeems the approval
 * with its token, once. Waiting polls with short counted sleeps, never
 * the clock, so a frozen or faked clock cannot make it wait forever. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "lv.h"

#define STEP_MS 100

static int
read_token(char token[LV_TOKEN_LEN + 1])
{
	char buf[LV_ANSWER_MAX + 2];
	size_t n = 0, i;
	int ok;

	ok = lv_line_read(0, buf, sizeof(buf), &n) == 0 && n == LV_TOKEN_LEN;
	for (i = 0; ok && i < n; i++)
		ok = (buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f');
	if (ok)
		memcpy(token, buf, LV_TOKEN_LEN + 1);
	sodium_memzero(buf, sizeof(buf));
	return ok ? 0 : lv_err(EX_DATAERR, "malformed token: the %d hex digits lv-requests new printed expected",
	    LV_TOKEN_LEN);
}

static const char *
why_not(const char *state)
{
	if (strcmp(state, "redeemed") == 0)
		return "the approval was used already";
	if (strcmp(state, "denied") == 0)
		return "the request was denied";
	return "the request expired";
}

/* 0 approved and now redeemed; 1 refused (*why); 75 still pending. The
 * token is checked first, so a wrong one learns nothing of the state. */
static int
judge(struct lv_acct *a, const char *id, const char *hash, const char **why)
{
	struct lv_req r;
	const char *state;

	*why = "no such request";
	if (lv_request_get(a, id, &r) != 0)
		return 1;
	*why = "wrong token for this request";
	if (!lv_hash_hex_eq(hash, r.tokenhash))
		return 1;
	state = lv_request_state(a, &r, lv_now());
	if (strcmp(state, "pending") == 0)
		return EX_TEMPFAIL;
	*why = why_not(state);
	if (strcmp(state, "approved") != 0)
		return 1;
	/* An approval belongs to the login that asked: it does not keep. */
	*why = "the approval was not redeemed in time: log in again";
	if (lv_now() >= r.created + a->ctx->conf.request_ttl)
		return 1;
	snprintf(r.status, sizeof(r.status), "redeemed");
	lv_fail_reset(a);
	return lv_request_put(a, &r) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

/* rem: --remember, whose series is issued in the commit that redeems. */
static int
once(struct lv_ctx *c, const char *account, const char *id, const char *hash, struct lv_remember *rem)
{
	const char *why = NULL;
	char detail[64];
	struct lv_acct a;
	int rc;

	if ((rc = lv_store_open(c, account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
		rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", account);
	if (rc == 0 && (rc = judge(&a, id, hash, &why)) == 0 && rem->label != NULL)
		rc = lv_remember_issue(&a, rem, lv_now());
	if (rc == 0)
		rc = lv_store_commit(&a);
	if (rc == 0 || rc == 1) {
		snprintf(detail, sizeof(detail), "request=%s", id);
		if (lv_audit(&a, "verify", "push", rc == 0 ? "accept" : "reject", detail) != 0 ||
		    (rc == 0 && rem->label != NULL && lv_remember_issued(&a, rem) != 0))
			rc = EX_IOERR; /* an acceptance not on record is refused */
	}
	lv_store_close(&a);
	if (rc == 1)
		lv_warn("rejected: %s", why);
	return rc;
}

/* once, again from the new state when another writer committed first */
static int
decided(struct lv_ctx *c, const char *account, const char *id, const char *hash, struct lv_remember *rem)
{
	int rc, lost = 0;

	do
		rc = once(c, account, id, hash, rem);
	while (lv_store_lost(&rc, &lost));
	return rc;
}

int
lv_request_verify(struct lv_ctx *c, const char *account, const char *id, long wait, struct lv_remember *rem)
{
	char token[LV_TOKEN_LEN + 1], msg[LV_REQID_LEN + LV_TOKEN_LEN + 2], hash[2 * LV_HASHBYTES + 1];
	struct timespec step = { 0, STEP_MS * 1000000L };
	long tries = wait * (1000 / STEP_MS);
	int rc;

	if (lv_request_valid_id(id) != 0)
		return lv_err(EX_DATAERR, "bad request id: %d hex digits expected", LV_REQID_LEN);
	if ((rc = read_token(token)) != 0)
		return rc;
	snprintf(msg, sizeof(msg), "%s:%s", id, token);
	lv_key_hash_hex(c, "lv1-request-token", account, msg, strlen(msg), hash);
	sodium_memzero(token, sizeof(token));
	sodium_memzero(msg, sizeof(msg));
	while ((rc = decided(c, account, id, hash, rem)) == EX_TEMPFAIL && tries-- > 0)
		nanosleep(&step, NULL);
	if (rc == EX_TEMPFAIL)
		lv_warn("request %s is still pending: no answer from the device yet", id);
	if (rc == 0 && rem->label != NULL) {
		lv_remember_notify_issued(c, account, rem);
		printf("%s\n", rem->token);
		rc = lv_fshut();
	}
	sodium_memzero(rem->token, sizeof(rem->token));
	return rc;
}
