/* A device key sealed under a passphrase, for a backup the user keeps
 * anywhere: Argon2id stretches the passphrase, secretbox seals the key.
 * The sealed line carries the KDF parameters, so a stronger default later
 * still opens older backups. Layout before base64 (98 bytes):
 * version 1, algorithm, opslimit (4 bytes big-endian), memlimit in KiB
 * (4 bytes big-endian), salt (16), nonce (24), secretbox of the seed (48). */
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define HDR 10
#define SALT_OFF HDR
#define NONCE_OFF (SALT_OFF + crypto_pwhash_SALTBYTES)
#define BOX_OFF (NONCE_OFF + crypto_secretbox_NONCEBYTES)
#define SEALED (BOX_OFF + crypto_secretbox_MACBYTES + 32)

static const struct { unsigned long long ops; size_t mem; } levels[] = {
	{ crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE },
	{ crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE },
	{ crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE },
};

static void
put32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static unsigned long
get32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static int
derive(unsigned char key[32], const char *pass, const unsigned char *hdr)
{
	return crypto_pwhash(key, 32, pass, strlen(pass), hdr + SALT_OFF, get32(hdr + 2),
	    (size_t)get32(hdr + 6) * 1024, hdr[1]);
}

/* 0, or -1 when Argon2id could not have its memory. */
int
lv_seal_pass(const char *pass, const unsigned char seed[32], enum lv_kdf kdf, char out[LV_SEAL_B64LEN + 1])
{
	unsigned char buf[SEALED], key[32];
	int rc = -1;

	buf[0] = 1;
	buf[1] = crypto_pwhash_ALG_ARGON2ID13;
	put32(buf + 2, (unsigned long)levels[kdf].ops);
	put32(buf + 6, (unsigned long)(levels[kdf].mem / 1024));
	randombytes_buf(buf + SALT_OFF, crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES);
	if (derive(key, pass, buf) == 0) {
		crypto_secretbox_easy(buf + BOX_OFF, seed, 32, buf + NONCE_OFF, key);
		lv_b64_encode(buf, sizeof(buf), out);
		rc = 0;
	}
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* Parameters from a hostile line must not make us spin or swap. */
static int
params_ok(const unsigned char *buf)
{
	unsigned long ops = get32(buf + 2), kib = get32(buf + 6);

	return buf[0] == 1 && buf[1] == crypto_pwhash_ALG_ARGON2ID13 &&
	    ops >= crypto_pwhash_OPSLIMIT_MIN && ops <= 2 * crypto_pwhash_OPSLIMIT_SENSITIVE &&
	    kib >= crypto_pwhash_MEMLIMIT_MIN / 1024 && kib <= crypto_pwhash_MEMLIMIT_SENSITIVE / 1024;
}

/* 0 opened; 1 wrong passphrase (or a changed line); EX_DATAERR not a
 * sealed key; EX_SOFTWARE no memory for Argon2id. */
int
lv_open_pass(const char *pass, const char *sealed, unsigned char seed[32])
{
	unsigned char buf[SEALED], key[32];
	int rc;

	if (lv_b64_decode(sealed, buf, sizeof(buf)) != 0 || !params_ok(buf))
		return EX_DATAERR;
	if (derive(key, pass, buf) != 0)
		rc = EX_SOFTWARE;
	else
		rc = crypto_secretbox_open_easy(seed, buf + BOX_OFF, 32 + crypto_secretbox_MACBYTES,
		    buf + NONCE_OFF, key) == 0 ? 0 : 1;
	sodium_memzero(key, sizeof(key));
	sodium_memzero(buf, sizeof(buf));
	return rc;
}
