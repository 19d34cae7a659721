/* TOTP (RFC 6238) as authenticator apps expect it: HMAC-SHA1, 6 digits,
 * 30-second steps, one step either side for clock drift. liboath computes
 * the codes (lv_oath.c); lv's rules are here. "totp.secret" is the secret
 * sealed with the site key (the server must read it back, so a hash will
 * not do); "totp.last-step" is the last step accepted: neither it nor any
 * earlier step is accepted again, so a code cannot be replayed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define SECRET_MIN 10 /* 80 bits: the least google-authenticator ever wrote */
#define SECRET_MAX 64

/* The newest of the steps around now the code is for (*step, -1: none),
 * and whether one after last matched (*fresh). Every step is checked, with
 * no early exit; -1 when liboath failed. */
int
lv_totp_match(const unsigned char *key, size_t len, const char *code, time_t now, long last, long *step,
    int *fresh)
{
	long s, at = (long)(now / LV_TOTP_STEP);
	int is, failed = 0;

	*step = -1;
	*fresh = 0;
	for (s = at - 1; s <= at + 1; s++) {
		if (s < 0)
			continue;
		if ((is = lv_oath_step_is(key, len, code, s)) < 0)
			failed = 1;
		if (is == 1) {
			*step = s;
			*fresh |= s > last;
		}
	}
	return failed ? -1 : 0;
}

int
lv_totp_check(struct lv_acct *a, const char *code, time_t now, const char **why)
{
	const char *sealed = lv_rec_get(&a->rec, "totp.secret");
	long last = lv_rec_getnum(&a->rec, "totp.last-step", -1), s;
	unsigned char key[SECRET_MAX];
	size_t len = 0;
	int fresh = 0, rc;

	*why = "wrong code";
	if (sealed == NULL) {
		*why = "TOTP is not enrolled";
		return 1;
	}
	if (strlen(code) != LV_TOTP_DIGITS || (last < 0 && lv_rec_get(&a->rec, "totp.last-step") != NULL))
		return 1;
	if (lv_key_open(a->ctx, a->name, sealed, key, sizeof(key), &len) != 0) {
		return lv_err(EX_IOERR, "the TOTP secret of %s cannot be opened: damaged records or another site key",
		    a->name);
	}
	rc = lv_totp_match(key, len, code, now, last, &s, &fresh);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return lv_err(EX_SOFTWARE, "internal error: liboath cannot compute the TOTP codes of %s", a->name);
	if (s >= 0 && fresh)
		return lv_rec_setnum(&a->rec, "totp.last-step", s) == 0 ? 0 : 1; /* no replay guard, no login */
	if (s >= 0)
		*why = "this authenticator code was used already, or a newer one was: wait for the next code";
	return 1;
}

void
lv_totp_status(const struct lv_acct *a, struct lv_facts *f)
{
	lv_fact(f, 0, "totp", 1, lv_bool(NULL, lv_rec_get(&a->rec, "totp.secret") != NULL));
}

/* Appends s percent-encoded: everything but RFC 3986's unreserved set. */
static void
put_escaped(char *out, size_t outsz, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0' && *o + 4 < outsz; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~')
			out[(*o)++] = (char)ch;
		else {
			out[(*o)++] = '%';
			out[(*o)++] = hex[ch >> 4];
			out[(*o)++] = hex[ch & 15];
		}
	}
	out[*o] = '\0';
}

/* otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER (the key URI
 * format authenticator apps read); without an issuer, the label is the
 * account alone. -1 when it does not fit. */
static int
make_uri(const struct lv_acct *a, const unsigned char *secret, size_t len, char *uri, size_t urisz)
{
	const char *issuer = a->ctx->conf.totp_issuer;
	char b32[(8 * SECRET_MAX + 4) / 5 + 1];
	size_t o = 0;
	int n;

	if (lv_oath_b32_encode(secret, len, b32, sizeof(b32)) != 0)
		return -1;
	o = (size_t)snprintf(uri, urisz, "otpauth://totp/");
	put_escaped(uri, urisz, &o, issuer);
	if (issuer[0] != '\0' && o + 1 < urisz)
		uri[o++] = ':';
	put_escaped(uri, urisz, &o, a->name);
	n = snprintf(uri + o, urisz - o, "?secret=%s%s", b32, issuer[0] ? "&issuer=" : "");
	sodium_memzero(b32, sizeof(b32));
	if (n < 0 || (size_t)n >= urisz - o)
		return -1;
	o += (size_t)n;
	put_escaped(uri, urisz, &o, issuer);
	return o + 4 < urisz ? 0 : -1;
}

int
lv_totp_set(struct lv_acct *a, const unsigned char *secret, size_t len, char *uri, size_t urisz)
{
	char *sealed;
	int rc;

	if (len < SECRET_MIN || len > SECRET_MAX)
		return lv_err(EX_DATAERR, "a TOTP secret is %d to %d bytes", SECRET_MIN, SECRET_MAX);
	if (uri != NULL && make_uri(a, secret, len, uri, urisz) != 0)
		return lv_err(EX_SOFTWARE, "internal error: the otpauth URI does not fit");
	if ((sealed = lv_key_seal(a->ctx, a->name, secret, len)) == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	rc = lv_rec_set(&a->rec, "totp.secret", sealed);
	free(sealed);
	if (rc != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	a->purge = 1;
	lv_rec_del(&a->rec, "totp.last-step"); /* a new secret starts afresh */
	return 0;
}

void
lv_totp_remove(struct lv_acct *a)
{
	lv_rec_delprefix(&a->rec, "totp.");
	a->purge = 1;
}
