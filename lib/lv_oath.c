/* liboath (oath-toolkit, the library behind oathtool and pam_oath): the
 * one place lv calls it, for the code of a TOTP step and the RFC 4648
 * base32 of otpauth URIs and google-authenticator files. Every buffer
 * liboath hands back is wiped here before it is freed. */
#include <stdlib.h>
#include <string.h>

#include <oath.h>
#include <sodium.h>

#include "lv.h"

static int ready;

/* Once per process, before the first call; lv_oath_done undoes it. */
static int
init(void)
{
	if (!ready && oath_init() == OATH_OK)
		ready = 1;
	return ready ? 0 : -1;
}

void
lv_oath_done(void)
{
	if (ready)
		oath_done();
	ready = 0;
}

/* liboath's strcmp-like callback: 0 when the step's code is the answer. */
static int
same_code(void *answer, const char *code)
{
	return sodium_memcmp(code, answer, LV_TOTP_DIGITS) == 0 ? 0 : 1;
}

/* 1 when code (LV_TOTP_DIGITS digits) is the one for TOTP step s, 0 when
 * not, -1 when liboath failed. A window of 0: exactly that step. */
int
lv_oath_step_is(const unsigned char *key, size_t len, const char *code, long s)
{
	int rc;

	if (init() != 0)
		return -1;
	if (strlen(code) != LV_TOTP_DIGITS)
		return 0;
	rc = oath_totp_validate_callback((const char *)key, len, (time_t)s * LV_TOTP_STEP, LV_TOTP_STEP, 0,
	    LV_TOTP_DIGITS, 0, same_code, (void *)code);
	if (rc == OATH_INVALID_OTP)
		return 0;
	return rc >= 0 ? 1 : -1;
}

/* Unpadded and upper case, as authenticator apps expect; -1 when it does
 * not fit in outsz (with its NUL). */
int
lv_oath_b32_encode(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	char *b32 = NULL;
	size_t all = 0, n;
	int rc = -1;

	if (init() != 0 || oath_base32_encode((const char *)in, len, &b32, &all) != OATH_OK)
		return -1;
	for (n = all; n > 0 && b32[n - 1] == '='; n--)
		;
	if (n < outsz) {
		memcpy(out, b32, n);
		out[n] = '\0';
		rc = 0;
	}
	sodium_memzero(b32, all);
	free(b32);
	return rc;
}

/* Either case, unpadded or padded; the bits after the last whole byte are
 * ignored, as google-authenticator does. -1 when malformed, empty or
 * longer than outsz. */
int
lv_oath_b32_decode(const char *in, size_t len, unsigned char *out, size_t outsz, size_t *outlen)
{
	char *bin = NULL;
	size_t n = 0;
	int rc = -1;

	if (init() != 0 || oath_base32_decode(in, len, &bin, &n) != OATH_OK)
		return -1;
	if (n > 0 && n <= outsz) {
		memcpy(out, bin, n);
		*outlen = n;
		rc = 0;
	}
	if (bin != NULL)
		sodium_memzero(bin, n);
	free(bin);
	return rc;
}
