/* The site key: made once, mode 0600; every issued code is kept only as a
 * hash keyed with it, and TOTP secrets are sealed with it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

/* The key's directory and file name: site.key in the state directory, or
 * the absolute path the configuration names. */
static int
key_dir(struct lv_ctx *c, const char **base, char *dirpath, size_t dsz, int *dfd)
{
	const char *slash = strrchr(c->conf.site_key, '/');

	*base = "site.key";
	*dfd = c->dirfd;
	if (c->conf.site_key[0] == '\0')
		return 0;
	if (c->conf.site_key[0] != '/' || slash[1] == '\0')
		return lv_err(EX_CONFIG, "site_key must be the absolute path of a file, not %s",
		    c->conf.site_key);
	*base = slash + 1;
	snprintf(dirpath, dsz, "%.*s", slash == c->conf.site_key ? 1 : (int)(slash - c->conf.site_key),
	    c->conf.site_key);
	*dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dfd < 0)
		return lv_err(EX_CONFIG, "site key directory %s is missing", dirpath);
	return 0;
}

/* Written beside, then linked into place: two first enrolments never see a
 * half-written key. The name beside is random, not the pid: hosts sharing
 * the directory (containers: all pid 1) have the same pids. */
static int
key_create(int dfd, const char *base, const char *shown)
{
	unsigned char key[LV_KEYBYTES], rnd[8];
	char tmp[64], hex[sizeof(rnd) * 2 + 1];
	int fd, rc = 0;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(tmp, sizeof(tmp), ".site.key.%s", hex);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return lv_err(EX_CANTCREAT, "cannot create site key %s:", shown);
	randombytes_buf(key, sizeof(key));
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) != 0)
		rc = lv_err(EX_IOERR, "cannot write site key %s:", shown);
	sodium_memzero(key, sizeof(key));
	close(fd);
	if (rc == 0 && linkat(dfd, tmp, dfd, base, 0) != 0 && errno != EEXIST)
		rc = lv_err(EX_IOERR, "cannot create site key %s:", shown);
	unlinkat(dfd, tmp, 0);
	if (rc == 0 && fsync(dfd) != 0)
		rc = lv_err(EX_IOERR, "cannot sync the directory of %s:", shown);
	return rc;
}

static int
key_read(struct lv_ctx *c, int fd, const char *shown)
{
	unsigned char idbuf[8];
	ssize_t r;
	char extra;
	int rc;

	if ((rc = lv_safe_stat(c, fd, "site key", 1)) != 0)
		return rc;
	r = read(fd, c->key, sizeof(c->key));
	if (r != (ssize_t)sizeof(c->key) || read(fd, &extra, 1) != 0)
		return lv_err(EX_IOERR, "damaged site key %s: not %d bytes", shown, LV_KEYBYTES);
	crypto_generichash(idbuf, sizeof(idbuf), (const unsigned char *)"lv1-key-id", 10,
	    c->key, sizeof(c->key));
	sodium_bin2hex(c->keyid, sizeof(c->keyid), idbuf, sizeof(idbuf));
	return 0;
}

int
lv_key_load(struct lv_ctx *c, int create)
{
	char dirpath[4096], shown[4200];
	const char *base;
	int dfd, fd, rc;

	if ((rc = key_dir(c, &base, dirpath, sizeof(dirpath), &dfd)) != 0)
		return rc;
	snprintf(shown, sizeof(shown), "%s", c->conf.site_key[0] ? c->conf.site_key : "site.key");
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && create) {
		if ((rc = key_create(dfd, base, shown)) != 0)
			goto out;
		fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	}
	if (fd < 0 && errno == ENOENT)
		rc = lv_err(EX_CONFIG, "site key %s is missing (lv-enroll --init makes one for an empty "
		    "state directory; otherwise restore it from its backup)", shown);
	else if (fd < 0 && errno == ELOOP)
		rc = lv_err(EX_NOPERM, "unsafe site key %s: a symbolic link", shown);
	else if (fd < 0)
		rc = lv_err(EX_IOERR, "cannot open site key %s:", shown);
	else
		rc = key_read(c, fd, shown);
	if (fd >= 0)
		close(fd);
out:
	if (dfd != c->dirfd)
		close(dfd);
	return rc;
}

/* BLAKE2b keyed with the site key over domain, account and message, each
 * NUL-separated, so a hash made for one purpose never matches another. */
void
lv_key_hash(const struct lv_ctx *c, const char *domain, const char *account,
    const void *msg, size_t len, unsigned char out[LV_HASHBYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, c->key, sizeof(c->key), LV_HASHBYTES);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)account, strlen(account) + 1);
	crypto_generichash_update(&st, msg, len);
	crypto_generichash_final(&st, out, LV_HASHBYTES);
	sodium_memzero(&st, sizeof(st));
}

void
lv_key_hash_hex(const struct lv_ctx *c, const char *domain, const char *account,
    const void *msg, size_t len, char out[2 * LV_HASHBYTES + 1])
{
	unsigned char h[LV_HASHBYTES];

	lv_key_hash(c, domain, account, msg, len, h);
	sodium_bin2hex(out, 2 * LV_HASHBYTES + 1, h, sizeof(h));
}

/* Constant time for equal lengths. */
int
lv_hash_hex_eq(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

/* XChaCha20-Poly1305 with the account as associated data; base64 of
 * nonce || ciphertext. */
char *
lv_key_seal(const struct lv_ctx *c, const char *account, const void *msg, size_t len)
{
	size_t blen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + len +
	    crypto_aead_xchacha20poly1305_ietf_ABYTES;
	unsigned char *buf = malloc(blen);
	size_t b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(b64len);

	if (buf == NULL || out == NULL) {
		free(buf);
		free(out);
		return NULL;
	}
	randombytes_buf(buf, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	    NULL, msg, len, (const unsigned char *)account, strlen(account), NULL, buf, c->key);
	sodium_bin2base64(out, b64len, buf, blen, sodium_base64_VARIANT_ORIGINAL);
	free(buf);
	return out;
}

int
lv_key_open(const struct lv_ctx *c, const char *account, const char *sealed,
    unsigned char *out, size_t outsz, size_t *outlen)
{
	unsigned char buf[1024];
	size_t blen;
	unsigned long long mlen;
	const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

	if (sodium_base642bin(buf, sizeof(buf), sealed, strlen(sealed), NULL, &blen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || blen < nb + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
	    blen - nb - crypto_aead_xchacha20poly1305_ietf_ABYTES > outsz)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, buf + nb, blen - nb,
	    (const unsigned char *)account, strlen(account), buf, c->key) != 0)
		return -1;
	*outlen = (size_t)mlen;
	return 0;
}
