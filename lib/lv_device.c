/* Device keys: one Ed25519 public key per phone app, kept as
 * device.<ID> = "<enrolled epoch>\t<base64 key>\t<sequence>". The ID is the
 * first 8 hex digits of BLAKE2b-256 of the raw key. The sequence orders
 * devices enrolled within one second; the lowest still enrolled is the
 * enrolling device, the one whose signed sign-out turns verification off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define PREFIX "device."
#define DEV_MAX 128
#define SKEW 60 /* seconds a phone's clock may run ahead */

struct dev {
	char id[LV_DEVID_LEN + 1];
	long when, seq;
	unsigned char pk[32];
};

void
lv_device_id(const unsigned char pk[32], char id[LV_DEVID_LEN + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), pk, 32, NULL, 0);
	sodium_bin2hex(id, LV_DEVID_LEN + 1, h, LV_DEVID_LEN / 2);
}

static int
dev_parse(const char *key, const char *v, struct dev *d)
{
	char buf[256], *f[4];

	if (strlen(key) != strlen(PREFIX) + LV_DEVID_LEN || snprintf(buf, sizeof(buf), "%s", v) >= (int)sizeof(buf))
		return -1;
	snprintf(d->id, sizeof(d->id), "%s", key + strlen(PREFIX));
	if (lv_fields_split(buf, f, 3) != 3 || lv_parse_uint(f[0], 0x7fffffffffffffffL, &d->when) != 0 ||
	    lv_b64_decode(f[1], d->pk, 32) != 0 || lv_parse_uint(f[2], 0x7fffffffffffffffL, &d->seq) != 0)
		return -1;
	return 0;
}

static int
by_seq(const void *x, const void *y)
{
	const struct dev *a = x, *b = y;

	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The account's devices in enrolment order; a damaged record is skipped
 * (it can approve nothing). */
static size_t
devices(const struct lv_acct *a, struct dev *out)
{
	size_t i, n = 0;

	for (i = 0; i < a->rec.n && n < DEV_MAX; i++)
		if (strncmp(a->rec.kv[i].k, PREFIX, strlen(PREFIX)) == 0 &&
		    dev_parse(a->rec.kv[i].k, a->rec.kv[i].v, &out[n]) == 0)
			n++;
	qsort(out, n, sizeof(*out), by_seq);
	return n;
}

void
lv_device_status(const struct lv_acct *a, struct lv_facts *f)
{
	struct dev *d = calloc(DEV_MAX, sizeof(*d));
	size_t i, n;

	lv_fact(f, LV_FACT_LIST, "device", 0);
	if (d == NULL) {
		f->failed = 1;
		return;
	}
	n = devices(a, d);
	for (i = 0; i < n; i++)
		lv_fact(f, LV_FACT_LIST, "device", 3, lv_text("id", d[i].id), lv_time("time", d[i].when, NULL),
		    lv_flag("enrolling", i == 0));
	free(d);
}

/* Strict base64 of a 32-byte Ed25519 public key that is a valid point. */
int
lv_device_parse_pub(const char *line, unsigned char pk[32])
{
	if (lv_b64_decode(line, pk, 32) != 0 || !crypto_core_ed25519_is_valid_point(pk))
		return -1;
	return 0;
}

int
lv_device_add(struct lv_acct *a, const unsigned char pk[32], char id[32])
{
	struct dev *d = calloc(DEV_MAX, sizeof(*d));
	char key[32], b64[LV_B64_LEN(32) + 1];
	size_t n;
	int rc = 0;

	if (d == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	n = devices(a, d);
	lv_device_id(pk, id);
	snprintf(key, sizeof(key), PREFIX "%s", id);
	lv_b64_encode(pk, 32, b64);
	if (lv_rec_get(&a->rec, key) != NULL)
		rc = lv_err(EX_CANTCREAT, "device %s is enrolled already for %s", id, a->name);
	else if ((long)lv_rec_countprefix(&a->rec, PREFIX) >= a->ctx->conf.device_max)
		rc = lv_err(EX_TEMPFAIL, "%s has %ld devices, the most allowed: remove one first "
		    "(lv-unenroll --device ID)", a->name, a->ctx->conf.device_max);
	else if (lv_rec_setf(&a->rec, key, "%ld\t%s\t%ld", (long)lv_now(), b64,
	    n ? d[n - 1].seq + 1 : 1) != 0)
		rc = lv_err(EX_SOFTWARE, "out of memory");
	free(d);
	return rc;
}

int
lv_device_remove(struct lv_acct *a, const char *id)
{
	char key[64];

	snprintf(key, sizeof(key), PREFIX "%s", id);
	if (lv_rec_get(&a->rec, key) == NULL)
		return lv_err(EX_UNAVAILABLE, "%s has no device %s (lv-status lists them)", a->name, id);
	lv_rec_del(&a->rec, key);
	a->purge = 1;
	return 0;
}

/* The enrolled device whose key made sig over these fields. */
int
lv_device_signer(const struct lv_acct *a, const unsigned char sig[LV_SIGBYTES], const char *tag,
    const char *const f[], size_t n, char id[LV_DEVID_LEN + 1])
{
	struct dev *d = calloc(DEV_MAX, sizeof(*d));
	size_t i, nd;
	int rc = -1;

	if (d == NULL)
		return -1;
	nd = devices(a, d);
	for (i = 0; i < nd && rc != 0; i++)
		if (lv_sign_verify(d[i].pk, sig, tag, f, n) == 0) {
			snprintf(id, LV_DEVID_LEN + 1, "%s", d[i].id);
			rc = 0;
		}
	free(d);
	return rc;
}

/* lv1-signout<TAB>ACCOUNT<TAB>TIME<TAB>SIGNATURE */
static int
signout_parse(char *buf, char *f[4], time_t *t, unsigned char sig[LV_SIGBYTES])
{
	if (lv_fields_split(buf, f, 4) != 4 || strcmp(f[0], "lv1-signout") != 0 ||
	    lv_valid_account(f[1]) != 0 || lv_isotime_parse(f[2], t) != 0 ||
	    lv_b64_decode(f[3], sig, LV_SIGBYTES) != 0)
		return lv_err(EX_DATAERR, "malformed sign-out statement: "
		    "lv1-signout<TAB>ACCOUNT<TAB>TIME<TAB>SIGNATURE expected");
	return 0;
}

static int
signout_fresh(struct lv_acct *a, time_t t, time_t now)
{
	long max = a->ctx->conf.signout_max_age;

	if (t > now + SKEW)
		return lv_err(1, "sign-out statement is dated in the future: check the device's clock");
	if (now - t > max)
		return lv_err(1, "sign-out statement is older than %ld s: sign a fresh one", max);
	if ((long)t <= lv_rec_getnum(&a->rec, "rate.signout.last", -1))
		return lv_err(1, "sign-out statement was used already (replayed)");
	return 0;
}

/* 0 when the enrolling device signed; otherwise says whose key it was. */
static int
signout_signer(struct lv_acct *a, const unsigned char sig[LV_SIGBYTES], char *const f[4], char id[32])
{
	struct dev *d = calloc(DEV_MAX, sizeof(*d));
	char other[LV_DEVID_LEN + 1];
	int rc = 0;

	if (d == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	if (devices(a, d) == 0)
		rc = lv_err(EX_UNAVAILABLE, "%s has no device", a->name);
	else if (lv_sign_verify(d[0].pk, sig, "lv1-signout", (const char *const *)f + 1, 2) == 0)
		snprintf(id, 32, "%s", d[0].id);
	else if (lv_device_signer(a, sig, "lv1-signout", (const char *const *)f + 1, 2, other) == 0)
		rc = lv_err(1, "sign-out statement is signed by device %s, not the enrolling device %s",
		    other, d[0].id);
	else
		rc = lv_err(1, "bad signature on the sign-out statement (not the enrolling device %s)", d[0].id);
	free(d);
	return rc;
}

int
lv_signout_check(struct lv_acct *a, const char *line, time_t now, char id[32])
{
	unsigned char sig[LV_SIGBYTES];
	char buf[1024], *f[4];
	time_t t;
	int rc;

	if (strlen(line) >= sizeof(buf))
		return lv_err(EX_DATAERR, "malformed sign-out statement: longer than %zu bytes",
		    sizeof(buf) - 1);
	memcpy(buf, line, strlen(line) + 1);
	if ((rc = signout_parse(buf, f, &t, sig)) != 0)
		return rc;
	if (strcmp(f[1], a->name) != 0)
		return lv_err(1, "sign-out statement is for %s, not %s", f[1], a->name);
	if ((rc = signout_signer(a, sig, f, id)) != 0 || (rc = signout_fresh(a, t, now)) != 0)
		return rc;
	if (lv_rec_setnum(&a->rec, "rate.signout.last", (long)t) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	return 0;
}
