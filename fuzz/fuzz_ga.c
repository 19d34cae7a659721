/* Fuzzes the import of a google-authenticator file (lv-enroll --import-ga)
 * through a real file, as lv_totp_import_ga opens it by path.
 * Beyond memory safety: only 65 refuses a regular file; an imported secret
 * is the first line decoded (16 to 128 base32 characters, 10 to 64 bytes,
 * lv-enroll's room) and encodes back to that line; a refusal leaves
 * nothing of a secret behind. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "lv.h"

#define SECRET_MAX 64 /* lv-enroll's buffer */

static int fd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_ga") != 0)
		return -1;
	fd = fuzz_tmpfile("ga");
	return fd < 0 ? -1 : 0;
}

/* The secret's base32 (upper case, unpadded) spells the first line: all of
 * its characters but the last, whose low bits google-authenticator ignores. */
static void
check_secret(const uint8_t *data, size_t size, const unsigned char *secret, size_t len)
{
	char b32[(8 * SECRET_MAX + 4) / 5 + 1];
	size_t n, i;

	for (n = 0; n < size && data[n] != '\n' && data[n] != '\r'; n++)
		;
	if (len < 10 || len > SECRET_MAX || n < 16 || n > 128 || len != n * 5 / 8)
		abort();
	if (lv_oath_b32_encode(secret, len, b32, sizeof(b32)) != 0 || strlen(b32) != n)
		abort();
	for (i = 0; i + 1 < n; i++)
		if (b32[i] != toupper(data[i]))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char secret[SECRET_MAX];
	size_t len = 0, i;
	int rc;

	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	memset(secret, 0xa5, sizeof(secret));
	rc = lv_totp_import_ga(fuzz_tmppath, secret, sizeof(secret), &len);
	if (rc == 0) {
		check_secret(data, size, secret, len);
		return 0;
	}
	if (rc != EX_DATAERR || len != 0)
		abort();
	for (i = 0; i < sizeof(secret); i++)
		if (secret[i] != 0)
			abort();
	return 0;
}
