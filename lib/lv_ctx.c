/* The state directory, its owner, the configuration and the site key: what
 * every program opens first. Only lv-enroll may create the directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"
#include "lv_build.h"

void
lv_ctx_args(struct lv_ctx *c, const char *dir, const char *conf)
{
	const char *e;

	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	if (lv_priv_restricted())
		dir = conf = NULL; /* -d and -c are the caller's: ignored */
	if (dir == NULL)
		dir = ((e = getenv("LV_DIR")) != NULL && *e != '\0') ? e : LV_STATEDIR;
	if (conf == NULL)
		conf = ((e = getenv("LV_CONF")) != NULL && *e != '\0') ? e : LV_CONFFILE;
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(c->confpath, sizeof(c->confpath), "%s", conf);
}

/* Owned by the state directory's owner (or root), writable by no one else;
 * a secret also readable by no one else. */
int
lv_safe_stat(const struct lv_ctx *c, int fd, const char *what, int secret)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return lv_err(EX_IOERR, "cannot stat %s:", what);
	if (st.st_uid != c->owner && st.st_uid != 0)
		return lv_err(EX_NOPERM, "unsafe %s: owned by uid %ld, not the state directory's owner",
		    what, (long)st.st_uid);
	if ((st.st_mode & (secret ? 077 : 022)) != 0)
		return lv_err(EX_NOPERM, "unsafe %s: mode %04o gives access to others",
		    what, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int
open_dir(struct lv_ctx *c, int create)
{
	struct stat st;
	int rc;

	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dirfd < 0 && errno == ENOENT && create) {
		if (mkdir(c->dir, 0700) != 0 && errno != EEXIST)
			return lv_err(errno == EACCES || errno == EPERM ? EX_NOPERM : EX_IOERR,
			    "cannot create state directory %s:", c->dir);
		c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (c->dirfd < 0 && errno == ENOENT)
		return lv_err(EX_CONFIG, "state directory %s is missing (lv-enroll --init creates it)", c->dir);
	if (c->dirfd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return lv_err(EX_NOPERM, "unsafe state directory %s: not a directory or a symbolic link", c->dir);
	if (c->dirfd < 0 && (rc = lv_priv_denied(c)) != 0)
		return rc;
	if (c->dirfd < 0)
		return lv_err(EX_IOERR, "cannot open state directory %s:", c->dir);
	if (fstat(c->dirfd, &st) != 0)
		return lv_err(EX_IOERR, "cannot stat state directory %s:", c->dir);
	c->owner = st.st_uid;
	return lv_safe_stat(c, c->dirfd, "state directory", 0);
}

/* Holds no account bucket yet. A key missing beside existing accounts is a
 * restore or mount problem: a new key would not match their records. */
int
lv_ctx_fresh(const struct lv_ctx *c)
{
	struct dirent *e;
	int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), fresh = 1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (fresh && (e = readdir(d)) != NULL)
		fresh = !(strlen(e->d_name) == 2 && strspn(e->d_name, "0123456789abcdef") == 2);
	closedir(d);
	return fresh;
}

int
lv_ctx_open(struct lv_ctx *c, int flags)
{
	int rc;

	if (sodium_init() < 0)
		return lv_err(EX_SOFTWARE, "cannot initialise libsodium");
	if ((rc = open_dir(c, flags & LV_CTX_CREATE)) != 0)
		return rc;
	if ((rc = lv_conf_load(&c->conf, c->confpath, c->owner)) != 0)
		return rc;
	/* The configuration may be root's alone; all else is the owner's. */
	if ((rc = lv_priv_become_owner(c->owner)) != 0)
		return rc;
	if ((rc = lv_priv_check(c)) != 0)
		return rc;
	return lv_key_load(c, (flags & LV_CTX_CREATE) && lv_ctx_fresh(c));
}

void
lv_ctx_close(struct lv_ctx *c)
{
	sodium_memzero(c->key, sizeof(c->key));
	lv_oath_done();
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
}
