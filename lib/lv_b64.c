/* Padded base64 (RFC 4648, the original alphabet), decoded strictly: a
 * value has exactly one accepted spelling, so a flipped padding bit or a
 * stray character is malformed rather than silently the same key. */
#include <string.h>

#include <sodium.h>

#include "lv.h"

void
lv_b64_encode(const unsigned char *in, size_t len, char *out)
{
	sodium_bin2base64(out, LV_B64_LEN(len) + 1, in, len, sodium_base64_VARIANT_ORIGINAL);
}

/* 0 when in is the canonical encoding of exactly n bytes; -1 otherwise. */
int
lv_b64_decode(const char *in, unsigned char *out, size_t n)
{
	char again[LV_B64_LEN(128) + 1];
	size_t len = strlen(in), got = 0;
	const char *end = NULL;
	int rc = -1;

	if (n > 128 || len != LV_B64_LEN(n))
		return -1;
	if (sodium_base642bin(out, n, in, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    got == n && end == in + len) {
		lv_b64_encode(out, n, again);
		rc = strcmp(again, in) == 0 ? 0 : -1;
		sodium_memzero(again, sizeof(again));
	}
	if (rc != 0)
		sodium_memzero(out, n);
	return rc;
}
