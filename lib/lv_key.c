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

/* Where the key is (lv-state(5)): the path site_key names; else site.key in
 * the state directory when one is there (installations older than the
 * directory beside it); else site.key in STATE-key, beside the state
 * directory, so that a copy of the state directory alone opens nothing. */
struct keyloc {
	char path[LV_KEYPATH_MAX]; /* full path, for messages */
	const char *base;          /* its name in dfd */
	int dfd;
};

/* STATE-key: the state directory's path, trailing slashes dropped, with
 * "-key" appended; -1 when there is no such place (the state directory /). */
int
lv_key_default_dir(const struct lv_ctx *c, char *buf, size_t sz)
{
	size_t n = strlen(c->dir);

	while (n > 1 && c->dir[n - 1] == '/')
		n--;
	if (n == 0 || (n == 1 && c->dir[0] == '/'))
		return -1;
	return snprintf(buf, sz, "%.*s-key", (int)n, c->dir) < (int)sz ? 0 : -1;
}

/* site_key names a key that is not there, but the key lv-enroll made at
 * the default place is (lv.conf(5)'s example pasted after lv-enroll
 * --init), or accounts were made with one: say where it is, never make
 * another. 0 when neither. */
static int
key_elsewhere(const struct lv_ctx *c, const char *path)
{
	char dir[LV_KEYPATH_MAX - 16], found[LV_KEYPATH_MAX];
	struct stat st;
	int saved = errno; /* the caller's ENOENT, when this is not the case */

	snprintf(found, sizeof(found), "%s/site.key", c->dir);
	if (fstatat(c->dirfd, "site.key", &st, AT_SYMLINK_NOFOLLOW) != 0 &&
	    (lv_key_default_dir(c, dir, sizeof(dir)) != 0 ||
	    snprintf(found, sizeof(found), "%s/site.key", dir) >= (int)sizeof(found) || lstat(found, &st) != 0))
		found[0] = '\0';
	if (found[0] != '\0')
		return lv_err(EX_CONFIG, "site key %s is missing, but %s exists: move it there (mv %s %s), "
		    "or remove site_key from %s", path, found, found, path, c->confpath);
	if (!lv_ctx_fresh(c))
		return lv_err(EX_CONFIG, "site key %s is missing, and the accounts in %s were made with one: "
		    "put that key there (from its backup), or set site_key in %s to where it is", path, c->dir,
		    c->confpath);
	errno = saved;
	return 0;
}

static int
key_conf(const struct lv_ctx *c, struct keyloc *k)
{
	const char *slash = strrchr(c->conf.site_key, '/');
	char dirpath[LV_KEYPATH_MAX];

	if (c->conf.site_key[0] != '/' || slash[1] == '\0')
		return lv_err(EX_CONFIG, "site_key must be the absolute path of a file, not %s",
		    c->conf.site_key);
	snprintf(k->path, sizeof(k->path), "%s", c->conf.site_key);
	k->base = slash + 1;
	snprintf(dirpath, sizeof(dirpath), "%.*s", slash == c->conf.site_key ? 1 :
	    (int)(slash - c->conf.site_key), c->conf.site_key);
	k->dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k->dfd < 0 && errno == ENOENT && key_elsewhere(c, k->path) != 0)
		return EX_CONFIG;
	if (k->dfd < 0)
		return lv_err(EX_CONFIG, "site key directory %s is missing", dirpath);
	return 0;
}

static int
key_missing(const char *path)
{
	return lv_err(EX_CONFIG, "site key %s is missing (lv-enroll --init makes one for an empty "
	    "state directory; otherwise restore it from its backup)", path);
}

/* Made only with the key, by the first lv-enroll; its entry made durable in
 * the parent, or the key could vanish in a crash with records made with it. */
static int
key_mkdir(const char *dir, int *dfd)
{
	char parent[LV_KEYPATH_MAX], *slash;
	int pfd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return lv_err(errno == EACCES || errno == EPERM ? EX_NOPERM : EX_IOERR,
		    "cannot create site key directory %s:", dir);
	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/')) == NULL)
		snprintf(parent, sizeof(parent), ".");
	else
		slash[slash == parent] = '\0';
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(pfd) != 0) {
		if (pfd >= 0)
			close(pfd);
		return lv_err(EX_IOERR, "cannot sync the directory of %s:", dir);
	}
	close(pfd);
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return 0;
}

static int
key_beside(const struct lv_ctx *c, struct keyloc *k, int create)
{
	char dir[LV_KEYPATH_MAX - 16], what[LV_KEYPATH_MAX + 16];
	int rc;

	if (lv_key_default_dir(c, dir, sizeof(dir)) != 0)
		return lv_err(EX_CONFIG, "no place beside state directory %s for the site key: set site_key",
		    c->dir);
	snprintf(k->path, sizeof(k->path), "%s/site.key", dir);
	k->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (k->dfd < 0 && errno == ENOENT && create && (rc = key_mkdir(dir, &k->dfd)) != 0)
		return rc;
	if (k->dfd < 0 && errno == ENOENT)
		return key_missing(k->path);
	if (k->dfd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return lv_err(EX_NOPERM, "unsafe site key directory %s: not a directory or a symbolic link", dir);
	if (k->dfd < 0)
		return lv_err(EX_IOERR, "cannot open site key directory %s:", dir);
	snprintf(what, sizeof(what), "site key directory %s", dir);
	return lv_safe_stat(c, k->dfd, what, 0);
}

/* The key inside the state directory is used as long as it is there; a
 * second one beside it is refused rather than guessed between. */
static int
key_inside(const struct lv_ctx *c, struct keyloc *k)
{
	char dir[LV_KEYPATH_MAX - 16], beside[LV_KEYPATH_MAX];
	struct stat st;

	k->dfd = c->dirfd;
	snprintf(k->path, sizeof(k->path), "%s/site.key", c->dir);
	if (lv_key_default_dir(c, dir, sizeof(dir)) != 0)
		return 0;
	snprintf(beside, sizeof(beside), "%s/site.key", dir);
	if (lstat(beside, &st) != 0)
		return 0;
	return lv_err(EX_CONFIG, "two site keys, %s and %s: keep the one the records were made with "
	    "and remove the other (lv-state(5))", k->path, beside);
}

static int
key_where(const struct lv_ctx *c, struct keyloc *k, int create)
{
	struct stat st;

	if (c->conf.site_key[0] != '\0')
		return key_conf(c, k);
	if (fstatat(c->dirfd, "site.key", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return key_inside(c, k);
	return key_beside(c, k, create);
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
	char what[LV_KEYPATH_MAX + 16], extra;
	ssize_t r;
	int rc;

	snprintf(what, sizeof(what), "site key %s", shown);
	if ((rc = lv_safe_stat(c, fd, what, 1)) != 0)
		return rc;
	r = read(fd, c->key, sizeof(c->key));
	if (r != (ssize_t)sizeof(c->key) || read(fd, &extra, 1) != 0)
		return lv_err(EX_IOERR, "damaged site key %s: not %d bytes", shown, LV_KEYBYTES);
	crypto_generichash(idbuf, sizeof(idbuf), (const unsigned char *)"lv1-key-id", 10,
	    c->key, sizeof(c->key));
	sodium_bin2hex(c->keyid, sizeof(c->keyid), idbuf, sizeof(idbuf));
	return 0;
}

static int
key_open(const struct keyloc *k)
{
	return openat(k->dfd, k->base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

int
lv_key_load(struct lv_ctx *c, int create)
{
	struct keyloc k = { .base = "site.key", .dfd = -1 };
	int fd = -1, rc;

	if ((rc = key_where(c, &k, create)) != 0)
		goto out;
	snprintf(c->keypath, sizeof(c->keypath), "%s", k.path);
	fd = key_open(&k);
	if (fd < 0 && errno == ENOENT && c->conf.site_key[0] != '\0' && (rc = key_elsewhere(c, k.path)) != 0)
		goto out;
	if (fd < 0 && errno == ENOENT && create) {
		if ((rc = key_create(k.dfd, k.base, k.path)) != 0)
			goto out;
		fd = key_open(&k);
	}
	if (fd < 0 && errno == ENOENT)
		rc = key_missing(k.path);
	else if (fd < 0 && errno == ELOOP)
		rc = lv_err(EX_NOPERM, "unsafe site key %s: a symbolic link", k.path);
	else if (fd < 0)
		rc = lv_err(EX_IOERR, "cannot open site key %s:", k.path);
	else
		rc = key_read(c, fd, k.path);
out:
	if (fd >= 0)
		close(fd);
	if (k.dfd >= 0 && k.dfd != c->dirfd)
		close(k.dfd);
	return rc;
}

/* The key in use lies inside the state directory (lv-status warns). */
int
lv_key_inside(const struct lv_ctx *c)
{
	char *dir = realpath(c->dir, NULL), *key = realpath(c->keypath, NULL);
	size_t n = dir != NULL ? strlen(dir) : 0;
	int inside = dir != NULL && key != NULL && strncmp(key, dir, n) == 0 &&
	    (key[n] == '/' || dir[n - 1] == '/');

	free(dir);
	free(key);
	return inside;
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
