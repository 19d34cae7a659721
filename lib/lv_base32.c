/* RFC 4648 base32, the alphabet of otpauth URIs and google-authenticator
 * files (A-Z 2-7). Not to be confused with lv_b32.c, Crockford's alphabet
 * for backup codes. */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Unpadded and upper case, as authenticator apps expect; outsz must hold
 * (8 * len + 4) / 5 + 1 characters. */
void
lv_base32_encode(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	unsigned long buf = 0;
	int bits = 0;
	size_t i, o = 0;

	for (i = 0; i < len && o + 2 < outsz; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5 && o + 1 < outsz) {
			out[o++] = alphabet[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outsz)
		out[o++] = alphabet[(buf << (5 - bits)) & 31];
	out[o] = '\0';
}

/* Either case; '=' padding only at the end. Bits left over after the last
 * whole byte are ignored, as google-authenticator does; a character that
 * adds no byte at all is malformed. */
int
lv_base32_decode(const char *in, size_t len, unsigned char *out, size_t outsz, size_t *outlen)
{
	unsigned long buf = 0;
	const char *p;
	size_t i, n, o = 0;
	int bits = 0;

	for (n = len; n > 0 && in[n - 1] == '='; n--)
		;
	if (n == 0 || (n * 5) % 8 >= 5 || n * 5 / 8 > outsz)
		return -1;
	for (i = 0; i < n; i++) {
		if (in[i] == '\0' || (p = strchr(alphabet, toupper((unsigned char)in[i]))) == NULL)
			return -1;
		buf = (buf << 5) | (unsigned long)(p - alphabet);
		bits += 5;
		if (bits >= 8) {
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	sodium_memzero(&buf, sizeof(buf));
	*outlen = o;
	return 0;
}
