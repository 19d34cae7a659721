/* Fuzzes the lv1-* lines and the device public key line. Every input is
 * one line (a final newline dropped; it ends at a NUL) and goes through
 * each parser in turn, whatever its first bytes:
 *   lv_sign_request_parse  lv1-request, what lv-device sign reads;
 *   lv_request_answer      lv1-answer, what lv-requests answer reads;
 *   lv_signout_check       lv1-signout, what lv-unenroll --signed-out reads;
 *   lv_device_parse_pub    the key line lv-enroll --device-key reads.
 * The account is built in memory once, never on disk: alice with two
 * device keys (A enrolled first, then B) and a pending request, as
 * lv-device keygen and lv-requests made them on 2026-01-01 00:00:00 UTC, so
 * the lines those programs printed then (fuzz/corpus/lines/) reach the
 * signature checks; and two more requests, one expired and one answered.
 * Each input starts from that account afresh.
 * Beyond memory safety: nothing is accepted unless its signature is
 * exactly the one A or B makes over its fields (a fuzzer cannot forge
 * one); what is refused or malformed changes no record; an accepted line
 * is refused the second time; the answer lv-device sign makes to any
 * request line it accepts is one lv-requests answer parses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "lv.h"

#define T0 1767225600L /* 2026-01-01T00:00:00Z: the request and the sign-outs */
#define NOW (T0 + 10)
#define NUMBER "28"    /* the request's number */
#define LINE_BUF 4096

static const char *const seeds[2] = { /* the key files of devices A and B */
	"bq78dXeHkpY8DWXRqGmWuDRZO9dRh3snSyzVzgcipfg=",
	"WQX6c72X5nhGrucr2J6N0a3eQ53gpaDL9KAiEdgdsYE=",
};
/* alice's requests: the first as lv-requests new made it (pending, number
 * 28), then one that expired and one answered already. */
static const struct {
	const char *line, *status;
	long created;
} reqs[3] = {
	{ "lv1-request\talice\te47b7fb9cb3a\tRiBm3wflNUs0UuSIEms++gvVKVmJw5A5TxtRKPlYFz4=\t"
	  "2026-01-01T00:00:00Z\t192.0.2.7\tssh\tLyon, FR", "pending", T0 },
	{ "lv1-request\talice\ta1b2c3d4e5f6\tYYsPkKs52GCdnN8yWzGnGYyWNjUPJ+oHLKwGdg8f26E=\t"
	  "2025-12-31T23:43:20Z\t-\t-\t-", "pending", T0 - 1000 },
	{ "lv1-request\talice\tb1b2c3d4e5f6\tHHXk0jHE0fBoLBSrGaqnM8HEdttvisnNHz2YEmMBn5g=\t"
	  "2025-12-31T23:59:00Z\t-\t-\t-", "approved", T0 - 60 },
};
#define PENDING_PREFIX (sizeof("lv1-request\talice\te47b7fb9cb3a\t") - 1 + LV_B64_LEN(32))

static struct lv_ctx ctx;
static struct lv_acct alice;
static struct lv_rec base; /* the account as built, restored before each input */
static unsigned char sk[2][64];
static char devid[2][LV_DEVID_LEN + 1];

static void
rec_copy(struct lv_rec *to, const struct lv_rec *from)
{
	size_t i;

	lv_rec_free(to);
	memset(to, 0, sizeof(*to));
	for (i = 0; i < from->n; i++)
		if (lv_rec_set(to, from->kv[i].k, from->kv[i].v) != 0)
			abort();
}

static int
add_device(int i)
{
	unsigned char seed[32], pk[32], pk2[32];
	char b64[LV_B64_LEN(32) + 1], id[32];

	if (lv_b64_decode(seeds[i], seed, sizeof(seed)) != 0)
		return -1;
	crypto_sign_seed_keypair(pk, sk[i], seed);
	lv_b64_encode(pk, sizeof(pk), b64);
	if (lv_device_parse_pub(b64, pk2) != 0 || lv_device_add(&alice, pk2, id) != 0)
		return -1;
	snprintf(devid[i], sizeof(devid[i]), "%s", id);
	return 0;
}

static int
add_request(int i)
{
	char line[256], *f[8];
	struct lv_req r;

	snprintf(line, sizeof(line), "%s", reqs[i].line);
	if (lv_sign_request_parse(line, f) != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", f[2]);
	snprintf(r.challenge, sizeof(r.challenge), "%s", f[3]);
	snprintf(r.status, sizeof(r.status), "%s", reqs[i].status);
	snprintf(r.number, sizeof(r.number), NUMBER);
	snprintf(r.ip, sizeof(r.ip), "%s", strcmp(f[5], "-") ? f[5] : "");
	snprintf(r.client, sizeof(r.client), "%s", strcmp(f[6], "-") ? f[6] : "");
	snprintf(r.location, sizeof(r.location), "%s", strcmp(f[7], "-") ? f[7] : "");
	r.seq = i + 1;
	r.created = reqs[i].created;
	r.decided = strcmp(reqs[i].status, "pending") ? T0 : 0;
	return lv_request_put(&alice, &r) != 0 || lv_rec_setnum(&alice.rec, "req.next", i + 2) != 0 ? -1 : 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_lines") != 0)
		return -1;
	fuzz_ctx(&ctx);
	fuzz_acct(&ctx, &alice, "alice");
	if (lv_rec_set(&alice.rec, "enrolled", "1767225600") != 0 || add_device(0) != 0 || add_device(1) != 0 ||
	    add_request(0) != 0 || add_request(1) != 0 || add_request(2) != 0)
		abort(); /* libFuzzer ignores what this returns */
	rec_copy(&base, &alice.rec);
	return 0;
}

/* Which device's key makes exactly this signature (base64) over f; -1 none.
 * Ed25519 signatures are deterministic, so a genuine one is reproduced. */
static int
signer(const char *tag, const char *const f[], size_t n, const char *sig)
{
	unsigned char s[LV_SIGBYTES];
	char b64[LV_B64_LEN(LV_SIGBYTES) + 1];
	int i;

	for (i = 0; i < 2; i++) {
		if (lv_sign(sk[i], tag, f, n, s) != 0)
			abort();
		lv_b64_encode(s, sizeof(s), b64);
		if (strcmp(b64, sig) == 0)
			return i;
	}
	return -1;
}

/* An accepted answer: signed by A or B, recorded as its fields say, and
 * refused when it comes again. */
static void
answer_accepted(const char *line, const struct lv_decision *d)
{
	char buf[LINE_BUF], *f[8];
	struct lv_decision again;
	const char *outcome;
	int who;

	snprintf(buf, sizeof(buf), "%s", line);
	if (lv_fields_split(buf, f, 7) != 7 || (who = signer("lv1-answer", (const char *const *)f + 1, 5, f[6])) < 0 ||
	    strcmp(d->req.device, devid[who]) != 0)
		abort();
	outcome = strcmp(f[4], "deny") == 0 ? "denied" : strcmp(f[5], NUMBER) == 0 ? "approved" : "wrong-number";
	if (d->why != NULL || strcmp(d->outcome, outcome) != 0 || lv_request_get(&alice, f[2], &again.req) != 0 ||
	    strcmp(again.req.status, strcmp(outcome, "approved") == 0 ? "approved" : "denied") != 0 ||
	    lv_rec_getnum(&alice.rec, "fail.count", 0) != (strcmp(outcome, "wrong-number") == 0))
		abort();
	if (lv_request_answer(&alice, line, NOW, &again) != 1 || again.why == NULL)
		abort();
}

static void
check_answer(const char *line)
{
	struct lv_decision d;
	int rc;

	rec_copy(&alice.rec, &base);
	rc = lv_request_answer(&alice, line, NOW, &d);
	if (rc == 0)
		answer_accepted(line, &d);
	else if ((rc != 1 && rc != EX_DATAERR) || (rc == 1 && d.why == NULL) || !fuzz_rec_same(&alice.rec, &base))
		abort();
}

/* An accepted sign-out: signed by A (the enrolling device), fresh, and
 * refused as a replay when it comes again. */
static void
signout_accepted(const char *line, const char *id)
{
	char buf[LINE_BUF], *f[5], again[32];
	time_t t;

	snprintf(buf, sizeof(buf), "%s", line);
	if (lv_fields_split(buf, f, 4) != 4 || lv_isotime_parse(f[2], &t) != 0 ||
	    signer("lv1-signout", (const char *const *)f + 1, 2, f[3]) != 0 || strcmp(id, devid[0]) != 0 ||
	    t > NOW + 60 || NOW - t > ctx.conf.signout_max_age || lv_rec_getnum(&alice.rec, "rate.signout.last", -1) != t)
		abort();
	if (lv_signout_check(&alice, line, NOW, again) != 1)
		abort();
}

static void
check_signout(const char *line)
{
	char id[32];
	int rc;

	rec_copy(&alice.rec, &base);
	rc = lv_signout_check(&alice, line, NOW, id);
	if (rc == 0)
		signout_accepted(line, id);
	else if ((rc != 1 && rc != EX_DATAERR) || !fuzz_rec_same(&alice.rec, &base))
		abort();
	if (strlen(line) >= 1024 && rc != EX_DATAERR) /* refused whole, never cut short */
		abort();
}

/* A request line lv-device sign accepts: its fields rejoin to the line, and
 * the answer it signs is one lv-requests answer parses (and accepts, when
 * the line is the pending request's). */
static void
check_request(const char *line)
{
	char buf[LINE_BUF], joined[LINE_BUF], ans[1024], b64[LV_B64_LEN(LV_SIGBYTES) + 1], *f[8];
	unsigned char sig[LV_SIGBYTES];
	struct lv_decision d;
	int rc, ours;

	snprintf(buf, sizeof(buf), "%s", line);
	if (lv_sign_request_parse(buf, f) != 0)
		return;
	snprintf(joined, sizeof(joined), "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", f[0], f[1], f[2], f[3], f[4], f[5], f[6],
	    f[7]);
	if (strcmp(joined, line) != 0)
		abort();
	{
		const char *fields[] = { f[1], f[2], f[3], "approve", NUMBER };

		lv_sign(sk[0], "lv1-answer", fields, 5, sig);
	}
	lv_b64_encode(sig, sizeof(sig), b64);
	snprintf(ans, sizeof(ans), "lv1-answer\t%s\t%s\t%s\tapprove\t" NUMBER "\t%s", f[1], f[2], f[3], b64);
	ours = strncmp(line, reqs[0].line, PENDING_PREFIX) == 0;
	rec_copy(&alice.rec, &base);
	rc = lv_request_answer(&alice, ans, NOW, &d);
	if (ours ? rc != 0 || strcmp(d.outcome, "approved") != 0 : rc != 1)
		abort();
}

static void
check_pub(const char *line)
{
	unsigned char pk[32];
	char again[LV_B64_LEN(32) + 1];

	if (lv_device_parse_pub(line, pk) != 0)
		return;
	lv_b64_encode(pk, sizeof(pk), again);
	if (strcmp(again, line) != 0 || !crypto_core_ed25519_is_valid_point(pk))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[LINE_BUF];

	if (fuzz_line(data, size, line, sizeof(line)) != 0)
		return 0;
	check_request(line);
	check_answer(line);
	check_signout(line);
	check_pub(line);
	return 0;
}
