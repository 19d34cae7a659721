/* SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), for TOTP only: RFC 6238 and
 * every authenticator app use HMAC-SHA1, and libsodium has no SHA-1. HMAC
 * does not rely on SHA-1's collision resistance, which is what is broken.
 * Checked against the RFC 2202 and RFC 6238 vectors by t/totp-vectors. */
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define BLOCK 64

struct sha1 {
	uint32_t h[5];
	unsigned char buf[BLOCK];
	size_t fill;
	uint64_t bytes;
};

static uint32_t
rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t
mix(int t, uint32_t b, uint32_t c, uint32_t d)
{
	if (t < 20)
		return ((b & c) | (~b & d)) + 0x5a827999;
	if (t < 40)
		return (b ^ c ^ d) + 0x6ed9eba1;
	if (t < 60)
		return ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc;
	return (b ^ c ^ d) + 0xca62c1d6;
}

static void
block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], v[5], tmp;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	memcpy(v, s->h, sizeof(v));
	for (t = 0; t < 80; t++) {
		tmp = rol(v[0], 5) + mix(t, v[1], v[2], v[3]) + v[4] + w[t];
		v[4] = v[3];
		v[3] = v[2];
		v[2] = rol(v[1], 30);
		v[1] = v[0];
		v[0] = tmp;
	}
	for (t = 0; t < 5; t++)
		s->h[t] += v[t];
	sodium_memzero(w, sizeof(w));
	sodium_memzero(v, sizeof(v));
}

static void
sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };

	memset(s, 0, sizeof(*s));
	memcpy(s->h, h0, sizeof(h0));
}

static void
sha1_update(struct sha1 *s, const unsigned char *p, size_t len)
{
	size_t n;

	s->bytes += len;
	while (len > 0) {
		n = BLOCK - s->fill < len ? BLOCK - s->fill : len;
		memcpy(s->buf + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill == BLOCK) {
			block(s, s->buf);
			s->fill = 0;
		}
	}
}

static void
sha1_final(struct sha1 *s, unsigned char out[LV_SHA1BYTES])
{
	uint64_t bits = s->bytes * 8;
	unsigned char pad = 0x80, len[8];
	int i;

	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, &pad, 1);
	pad = 0;
	while (s->fill != BLOCK - 8)
		sha1_update(s, &pad, 1);
	sha1_update(s, len, 8);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
	sodium_memzero(s, sizeof(*s));
}

void
lv_hmac_sha1(const unsigned char *key, size_t keylen, const unsigned char *msg, size_t len,
    unsigned char out[LV_SHA1BYTES])
{
	unsigned char k[BLOCK], inner[LV_SHA1BYTES];
	struct sha1 s;
	int i;

	memset(k, 0, sizeof(k));
	if (keylen > BLOCK) {
		sha1_init(&s);
		sha1_update(&s, key, keylen);
		sha1_final(&s, k);
	} else
		memcpy(k, key, keylen);
	for (i = 0; i < BLOCK; i++)
		k[i] ^= 0x36;
	sha1_init(&s);
	sha1_update(&s, k, BLOCK);
	sha1_update(&s, msg, len);
	sha1_final(&s, inner);
	for (i = 0; i < BLOCK; i++)
		k[i] ^= 0x36 ^ 0x5c;
	sha1_init(&s);
	sha1_update(&s, k, BLOCK);
	sha1_update(&s, inner, sizeof(inner));
	sha1_final(&s, out);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(inner, sizeof(inner));
}
