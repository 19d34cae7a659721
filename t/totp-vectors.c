/* totp-vectors: checks lv's TOTP pieces against the published test vectors:
 * RFC 2202 (HMAC-SHA1), RFC 4226 appendix D (HOTP), RFC 6238 appendix B
 * (TOTP, SHA-1) and RFC 4648 section 10 (base32). Prints each failure and
 * "N vectors passed"; exits 1 if any failed. A test program, not installed. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

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

static void
hmac(const char *what, const unsigned char *key, size_t klen, const char *msg, size_t mlen,
    const char *want)
{
	unsigned char mac[LV_SHA1BYTES];
	char hex[2 * LV_SHA1BYTES + 1];

	lv_hmac_sha1(key, klen, (const unsigned char *)msg, mlen, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	expect(what, hex, want);
}

static void
rfc2202(void)
{
	unsigned char k0b[20], kaa[80];
	char ddd[50];

	memset(k0b, 0x0b, sizeof(k0b));
	memset(kaa, 0xaa, sizeof(kaa));
	memset(ddd, 0xdd, sizeof(ddd));
	hmac("RFC 2202 case 1", k0b, 20, "Hi There", 8, "b617318655057264e28bc0b6fb378c8ef146be00");
	hmac("RFC 2202 case 2", (const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28,
	    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	hmac("RFC 2202 case 3", kaa, 20, ddd, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
	hmac("RFC 2202 case 6", kaa, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	    "aa4ae5e15272d00e95705637ce8a3b55ed402112");
	hmac("RFC 2202 case 7", kaa, 80,
	    "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", 73,
	    "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

static void
rfc4226(void)
{
	static const char *want[] = { "755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489" };
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	char got[16], what[64];
	int c;

	for (c = 0; c < 10; c++) {
		snprintf(got, sizeof(got), "%06lu", (unsigned long)lv_hotp(key, 20, (uint64_t)c, 6));
		snprintf(what, sizeof(what), "RFC 4226 HOTP count %d", c);
		expect(what, got, want[c]);
	}
}

/* Appendix B, SHA-1 column: 8 digits, T0 = 0, X = 30. */
static void
rfc6238(void)
{
	static const struct { long long t; const char *want; } v[] = {
		{ 59, "94287082" }, { 1111111109, "07081804" }, { 1111111111, "14050471" },
		{ 1234567890, "89005924" }, { 2000000000, "69279037" }, { 20000000000LL, "65353130" },
	};
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	char got[16], what[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(got, sizeof(got), "%08lu",
		    (unsigned long)lv_hotp(key, 20, (uint64_t)(v[i].t / LV_TOTP_STEP), 8));
		snprintf(what, sizeof(what), "RFC 6238 TOTP SHA-1 at %lld", v[i].t);
		expect(what, got, v[i].want);
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
		lv_base32_encode((const unsigned char *)plain[i], strlen(plain[i]), enc, sizeof(enc));
		snprintf(what, sizeof(what), "RFC 4648 base32 of \"%s\"", plain[i]);
		expect(what, enc, b32[i]);
		if (lv_base32_decode(b32[i], strlen(b32[i]), back, sizeof(back) - 1, &n) != 0)
			n = 0;
		back[n] = '\0';
		snprintf(what, sizeof(what), "RFC 4648 base32 decode of %s", b32[i]);
		expect(what, (const char *)back, plain[i]);
	}
}

int
main(void)
{
	rfc2202();
	rfc4226();
	rfc6238();
	rfc4648();
	printf("%d vectors passed\n", passed);
	return failed ? 1 : 0;
}
