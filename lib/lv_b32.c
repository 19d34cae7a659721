/* Crockford base32: 0-9 A-Z without I L O U; on input O reads as 0 and
 * I, L as 1. */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
lv_b32_encode(const unsigned char *in, size_t len, char *out)
{
	unsigned long buf = 0;
	int bits = 0;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(buf << (5 - bits)) & 31];
	out[o] = '\0';
	sodium_memzero(&buf, sizeof(buf)); /* the bits of a code */
}

static int
value(int ch)
{
	const char *p;

	ch = toupper(ch);
	if (ch == 'O')
		ch = '0';
	if (ch == 'I' || ch == 'L')
		ch = '1';
	if (ch == '\0' || (p = strchr(alphabet, ch)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

/* Exactly outlen bytes from len characters, no bits left over. */
int
lv_b32_decode(const char *in, size_t len, unsigned char *out, size_t outlen)
{
	unsigned long buf = 0;
	int bits = 0, v;
	size_t i, o = 0;

	if (len * 5 / 8 != outlen || (len * 5) % 8 >= 5)
		return -1;
	for (i = 0, v = 0; i < len && v >= 0; i++) {
		if ((v = value((unsigned char)in[i])) < 0)
			break;
		buf = (buf << 5) | (unsigned long)v;
		bits += 5;
		if (bits >= 8) {
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	if (v >= 0)
		v = (buf & ((1UL << bits) - 1)) != 0 ? -1 : 0;
	sodium_memzero(&buf, sizeof(buf)); /* the bits of a code */
	return v;
}
