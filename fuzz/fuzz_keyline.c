/* Fuzzes the sealed lines: the exported key line of lv-device export and
 * import (lv_open_pass: strict base64, KDF parameters, secretbox) and a
 * sealed TOTP secret as the records keep it (lv_key_open). Every input goes
 * to both twice: as one line (a final newline dropped; it ends at a NUL),
 * and as raw bytes the harness encodes in base64, so that mutations reach
 * the bytes behind the base64 (the header and its bounds), not only its
 * spelling.
 * Argon2id at the parameters a real line carries takes 64 MiB or more and
 * most of a second here, so a line whose parameters lv_open_pass would
 * accept but cost more than CHEAP_OPS passes over CHEAP_KIB KiB has them
 * lowered to the cheapest before it goes in: the parse and the bounds are
 * fuzzed as they are, the KDF only at its cheapest.
 * Beyond memory safety: no input ever opens (both are authenticated
 * encryption, and the fuzzer knows neither the passphrase nor the site
 * key); parameters outside lv_seal.c's bounds are refused before the KDF
 * (65) and those inside reach it (1, a wrong passphrase). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "lv.h"

#define PASS "fuzz passphrase"
#define SEALED 98 /* lv_seal.c: the line's bytes before base64 */
#define CHEAP_OPS 2
#define CHEAP_KIB 32
#define LINE_BUF 4096

static struct lv_ctx ctx;

static unsigned long
get32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* lv_seal.c's bounds: version 1, Argon2id, at most twice the sensitive
 * passes and the sensitive memory. */
static int
in_bounds(const unsigned char *b)
{
	unsigned long ops = get32(b + 2), kib = get32(b + 6);

	return b[0] == 1 && b[1] == crypto_pwhash_ALG_ARGON2ID13 && ops >= crypto_pwhash_OPSLIMIT_MIN &&
	    ops <= 2 * crypto_pwhash_OPSLIMIT_SENSITIVE && kib >= crypto_pwhash_MEMLIMIT_MIN / 1024 &&
	    kib <= crypto_pwhash_MEMLIMIT_SENSITIVE / 1024;
}

/* The line with its KDF parameters lowered to the cheapest. */
static void
cheapen(unsigned char *b, char *out)
{
	unsigned long kib = crypto_pwhash_MEMLIMIT_MIN / 1024;

	memset(b + 2, 0, 4);
	b[5] = crypto_pwhash_OPSLIMIT_MIN;
	b[6] = (unsigned char)(kib >> 24);
	b[7] = (unsigned char)(kib >> 16);
	b[8] = (unsigned char)(kib >> 8);
	b[9] = (unsigned char)kib;
	lv_b64_encode(b, SEALED, out);
}

/* The harness is not vacuous: what lv seals, it opens. */
static int
self_test(void)
{
	static const unsigned char secret[20] = "12345678901234567890";
	unsigned char seed[32], got[64];
	char line[LV_SEAL_B64LEN + 1], *sealed;
	size_t len = 0;
	int ok;

	randombytes_buf(seed, sizeof(seed));
	if (lv_seal_pass(PASS, seed, LV_KDF_INTERACTIVE, line) != 0 || lv_open_pass(PASS, line, got) != 0 ||
	    memcmp(got, seed, sizeof(seed)) != 0 || lv_open_pass("another " PASS, line, got) != 1)
		return -1;
	if ((sealed = lv_key_seal(&ctx, "alice", secret, sizeof(secret))) == NULL)
		return -1;
	ok = lv_key_open(&ctx, "alice", sealed, got, sizeof(got), &len) == 0 && len == sizeof(secret) &&
	    memcmp(got, secret, len) == 0 && lv_key_open(&ctx, "bob", sealed, got, sizeof(got), &len) != 0;
	free(sealed);
	return ok ? 0 : -1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_keyline") != 0)
		return -1;
	fuzz_ctx(&ctx);
	if (self_test() != 0)
		abort(); /* libFuzzer ignores what this returns */
	return 0;
}

static void
check_pass(const char *line)
{
	unsigned char b[SEALED], seed[32];
	char cheap[LV_SEAL_B64LEN + 1];
	int bounded, rc;

	bounded = lv_b64_decode(line, b, sizeof(b)) == 0 && in_bounds(b);
	if (bounded && (get32(b + 2) > CHEAP_OPS || get32(b + 6) > CHEAP_KIB)) {
		cheapen(b, cheap);
		line = cheap;
	}
	rc = lv_open_pass(PASS, line, seed);
	if (rc != (bounded ? 1 : EX_DATAERR))
		abort();
}

static void
check_totp(const char *line)
{
	unsigned char out[64];
	size_t len = SIZE_MAX;

	if (lv_key_open(&ctx, "alice", line, out, sizeof(out), &len) == 0 || len != SIZE_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[LINE_BUF];

	if (fuzz_line(data, size, line, sizeof(line)) != 0)
		return 0;
	check_pass(line);
	check_totp(line);
	if (LV_B64_LEN(size) >= sizeof(line))
		return 0;
	lv_b64_encode(data, size, line);
	check_pass(line);
	check_totp(line);
	return 0;
}
