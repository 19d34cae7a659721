/* A device's answer to a login request:
 * lv1-answer<TAB>ACCOUNT<TAB>ID<TAB>CHALLENGE<TAB>approve|deny<TAB>NUMBER<TAB>SIGNATURE,
 * the signature by an enrolled device key over the fields before it. One decision per
 * request; an approval with the wrong number is recorded as a denial and
 * counted as a failure, because someone else's login asked for it. */
#include <stdio.h>
#include <string.h>

#include "lv.h"

struct answer {
	char buf[1024];
	char *f[7];
	unsigned char sig[LV_SIGBYTES];
};

static int
two_digits(const char *s)
{
	return strlen(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

static int
parse(struct answer *x, const char *line)
{
	unsigned char chal[32];
	char **f = x->f;

	if (snprintf(x->buf, sizeof(x->buf), "%s", line) >= (int)sizeof(x->buf) ||
	    lv_fields_split(x->buf, f, 7) != 7 || strcmp(f[0], "lv1-answer") != 0 ||
	    lv_valid_account(f[1]) != 0 || lv_request_valid_id(f[2]) != 0 ||
	    lv_b64_decode(f[3], chal, sizeof(chal)) != 0 ||
	    (strcmp(f[4], "approve") != 0 && strcmp(f[4], "deny") != 0) || !two_digits(f[5]) ||
	    lv_b64_decode(f[6], x->sig, LV_SIGBYTES) != 0)
		return lv_err(EX_DATAERR, "malformed answer: lv1-answer<TAB>ACCOUNT<TAB>ID<TAB>CHALLENGE"
		    "<TAB>approve|deny<TAB>NUMBER<TAB>SIGNATURE expected (lv-device sign makes one)");
	return 0;
}

static void
record(struct lv_acct *a, const struct answer *x, time_t now, struct lv_decision *d)
{
	struct lv_req *r = &d->req;

	r->decided = (long)now;
	if (strcmp(x->f[4], "deny") == 0) {
		d->outcome = "denied";
	} else if (strcmp(x->f[5], r->number) == 0) {
		d->outcome = "approved";
	} else {
		d->outcome = "wrong-number";
		snprintf(r->note, sizeof(r->note), "wrong-number");
		d->locked_now = lv_fail_count(a, now, "push");
	}
	snprintf(r->status, sizeof(r->status), "%s", strcmp(d->outcome, "approved") == 0 ? "approved" : "denied");
}

/* Why an answer that parses changes nothing, or NULL when it counts. */
static const char *
refusal(struct lv_acct *a, const struct answer *x, time_t now, struct lv_decision *d)
{
	const char *state;

	if (strcmp(x->f[1], a->name) != 0)
		return "the answer is for another account";
	if (lv_request_get(a, x->f[2], &d->req) != 0)
		return "no such request";
	state = lv_request_state(a, &d->req, now);
	if (strcmp(state, "expired") == 0)
		return "the request expired";
	if (strcmp(state, "pending") != 0)
		return "the request was answered already";
	if (strcmp(x->f[3], d->req.challenge) != 0)
		return "the answer is for another challenge";
	if (lv_device_signer(a, x->sig, "lv1-answer", (const char *const *)x->f + 1, 5, d->req.device) != 0)
		return "bad signature, or a key that is not enrolled for this account";
	return NULL;
}

/* 0 recorded (d->outcome says what), 1 refused (d->why), 65 malformed. */
int
lv_request_answer(struct lv_acct *a, const char *line, time_t now, struct lv_decision *d)
{
	struct answer x;
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = parse(&x, line)) != 0)
		return rc;
	if ((d->why = refusal(a, &x, now, d)) != NULL)
		return 1;
	record(a, &x, now, d);
	if (lv_request_put(a, &d->req) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	return 0;
}
