/* totp-vectors: checks lv's TOTP check (lv_totp.c over liboath) against the
 * published test vectors: RFC 4226 appendix D (HOTP), RFC 6238 appendix B
 * (TOTP, SHA-1), and its base32 (lv_oath.c) against RFC 4648 section 10.
 * HMAC-SHA1 itself (RFC 2202) is liboath's, tested by liboath. Prints each
 * failure and "N vectors passed"; exits 1 if any failed. A test program,
 * not installed. */
#include <stdio.h>
#include <string.h>

#include "lv.h"

static int passed, failed;

static void
expect(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %s, want %s\n", what, got, want);
}

/* What lv's check makes of code at time t, as a stranger to lv would read
 * it: "step N" for the step it is the code of, "no step" otherwise. */
static void
check(const char *what, const unsigned char *key, size_t klen, const char *code, long long t, long want)
{
	char got[32], wanted[32];
	long step;
	int fresh;

	if (lv_totp_match(key, klen, code, (time_t)t, -1, &step, &fresh) != 0)
		snprintf(got, sizeof(got), "a liboath failure");
	else if (step < 0)
		snprintf(got, sizeof(got), "no step");
	else
		snprintf(got, sizeof(got), "step %ld", step);
	snprintf(wanted, sizeof(wanted), "step %ld", want);
	expect(what, got, wanted);
}

static void
rfc4226(void)
{
	static const char *want[] = { "755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489" };
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	char what[64];
	int c;

	for (c = 0; c < 10; c++) {
		snprintf(what, sizeof(what), "RFC 4226 HOTP count %d", c);
		check(what, key, 20, want[c], (long long)c * LV_TOTP_STEP, c);
	}
}

/* Appendix B, SHA-1 column: 8 digits, T0 = 0, X = 30. lv's codes have 6
 * digits: the same truncation, modulo 10^6, so the last 6 of these. */
static void
rfc6238(void)
{
	static const struct { long long t; const char *want; } v[] = {
		{ 59, "94287082" }, { 1111111109, "07081804" }, { 1111111111, "14050471" },
		{ 1234567890, "89005924" }, { 2000000000, "69279037" }, { 20000000000LL, "65353130" },
	};
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(what, sizeof(what), "RFC 6238 TOTP SHA-1 at %lld", v[i].t);
		check(what, key, 20, v[i].want + 2, v[i].t, (long)(v[i].t / LV_TOTP_STEP));
	}
}

static void
rfc4648(void)
{
	static const char *plain[] = { "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *b32[] = { "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI" };
	unsigned char back[16];
	char enc[32], what[64];
	size_t i, n;

	for (i = 0; i < 6; i++) {
		if (lv_oath_b32_encode((const unsigned char *)plain[i], strlen(plain[i]), enc, sizeof(enc)) != 0)
			enc[0] = '\0';
		snprintf(what, sizeof(what), "RFC 4648 base32 of \"%s\"", plain[i]);
		expect(what, enc, b32[i]);
		if (lv_oath_b32_decode(b32[i], strlen(b32[i]), back, sizeof(back) - 1, &n) != 0)
			n = 0;
		back[n] = '\0';
		snprintf(what, sizeof(what), "RFC 4648 base32 decode of %s", b32[i]);
		expect(what, (const char *)back, plain[i]);
	}
}

int
main(void)
{
	rfc4226();
	rfc6238();
	rfc4648();
	lv_oath_done();
	printf("%d vectors passed\n", passed);
	return failed ? 1 : 0;
}
