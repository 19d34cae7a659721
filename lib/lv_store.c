/* The account store. One directory per account under two levels of buckets
 * named by a hash of the account name. Every change: lock, read, change in
 * memory, write records.new beside, fsync, rename over records, fsync the
 * directory. A crash leaves the old or the new file, never a mix. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

#define RECORDS "records"
#define RECORDS_NEW "records.new"
#define RECORDS_OLD "records.old" /* the old records until the directory is synced */

/* Defined only by bench/populate, which writes a million accounts unsynced
 * and then calls syncfs() once. No program in cmd/ defines it, so there the
 * weak reference is null and every change is synced. */
extern int lv_bench_nosync __attribute__((weak));

int
lv_store_sync(int fd)
{
	if (&lv_bench_nosync != NULL && lv_bench_nosync)
		return 0;
	return fsync(fd);
}

int
lv_store_bucket(const char *name, char out[8])
{
	unsigned char h[2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)name, strlen(name), NULL, 0);
	snprintf(out, 8, "%02x/%02x", h[0], h[1]);
	return 0;
}

/* One step down: a directory that is not a symbolic link and is safe. */
static int
open_sub(struct lv_ctx *c, int parent, const char *name, int create, const char *what)
{
	int fd, rc;

	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(parent, name, 0700) != 0 && errno != EEXIST)
			return -lv_err(EX_IOERR, "cannot create %s:", what);
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 && errno == ENOENT)
		return -EX_NOINPUT;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return -lv_err(EX_NOPERM, "unsafe %s: a symbolic link or not a directory", what);
	if (fd < 0)
		return -lv_err(EX_IOERR, "cannot open %s:", what);
	if ((rc = lv_safe_stat(c, fd, what, 0)) != 0) {
		close(fd);
		return -rc;
	}
	return fd;
}

static int
open_account_dir(struct lv_acct *a, int create)
{
	char bucket[8], top[3];
	int d1, d2, d3;

	lv_store_bucket(a->name, bucket);
	memcpy(top, bucket, 2);
	top[2] = '\0';
	if ((d1 = open_sub(a->ctx, a->ctx->dirfd, top, create, "bucket directory")) < 0)
		return d1;
	d2 = open_sub(a->ctx, d1, bucket + 3, create, "bucket directory");
	close(d1);
	if (d2 < 0)
		return d2;
	d3 = open_sub(a->ctx, d2, a->name, create, "account directory");
	close(d2);
	return d3;
}

static int
regular(int fd, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return lv_err(EX_IOERR, "cannot stat records of %s:", name);
	if (!S_ISREG(st.st_mode))
		return lv_err(EX_NOPERM, "unsafe records of %s: not a regular file", name);
	return 0;
}

static int
read_records(struct lv_acct *a)
{
	int fd, rc;

	fd = openat(a->dirfd, RECORDS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe records of %s: a symbolic link", a->name);
	if (fd < 0)
		return lv_err(EX_IOERR, "cannot read records of %s:", a->name);
	if ((rc = regular(fd, a->name)) == 0 && (rc = lv_safe_stat(a->ctx, fd, "records", 1)) == 0 &&
	    lv_rec_load(&a->rec, fd) != 0)
		rc = lv_err(EX_IOERR, "damaged records of %s; restore them from a backup", a->name);
	close(fd);
	if (rc != 0)
		return rc;
	a->exists = 1;
	if (lv_rec_get(&a->rec, "key-id") != NULL &&
	    strcmp(lv_rec_get(&a->rec, "key-id"), a->ctx->keyid) != 0)
		return lv_err(EX_NOPERM, "records of %s were made with another site key (%s)", a->name,
		    lv_rec_get(&a->rec, "key-id"));
	return 0;
}

int
lv_store_open(struct lv_ctx *c, const char *name, int flags, struct lv_acct *a)
{
	int fd, rc;

	memset(a, 0, sizeof(*a));
	a->ctx = c;
	a->dirfd = a->lockfd = a->auditfd = -1;
	a->due = -1;
	if (flags & LV_OPEN_SITE)
		name = LV_SITE;
	else if ((rc = lv_priv_account(c, name)) != 0)
		return rc;
	else if (lv_valid_account(name) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (flags & LV_OPEN_SITE)
		fd = open_sub(c, c->dirfd, LV_SITE, 1, "site directory");
	else
		fd = open_account_dir(a, flags & LV_OPEN_CREATE);
	if (fd == -EX_NOINPUT)
		return lv_err(EX_NOINPUT, "no such account: %s", name);
	if (fd < 0)
		return -fd;
	a->dirfd = fd;
	if ((flags & LV_OPEN_LOCK) && (rc = lv_lock_take(fd, c->conf.lock_wait_ms,
	    (flags & LV_OPEN_SITE) ? "the site-wide SMS count" : "account", &a->lockfd)) != 0)
		return rc;
	if (a->lockfd >= 0) {
		unlinkat(fd, RECORDS_NEW, 0); /* stale: its writer died under the lock */
		unlinkat(fd, RECORDS_OLD, 0);
	}
	if (a->lockfd >= 0 && (rc = lv_audit_open(a)) != 0)
		return rc;
	if ((rc = read_records(a)) == 0 && a->lockfd >= 0 && !(flags & LV_OPEN_SITE))
		a->due = lv_due(a);
	return rc;
}

static int
write_new(struct lv_acct *a)
{
	int fd, rc = 0;

	fd = openat(a->dirfd, RECORDS_NEW, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return lv_err(EX_IOERR, "cannot write records of %s:", a->name);
	if (lv_rec_save(&a->rec, fd) != 0)
		rc = lv_err(EX_IOERR, "cannot write records of %s:", a->name);
	else if (lv_store_sync(fd) != 0)
		rc = lv_err(EX_IOERR, "cannot sync records of %s:", a->name);
	if (close(fd) != 0 && rc == 0)
		rc = lv_err(EX_IOERR, "cannot write records of %s:", a->name);
	return rc;
}

/* A failed directory sync leaves the rename's fate unknown: the old records
 * go back into place, so that 74 always means the old state. */
static void
roll_back(struct lv_acct *a, int had_old)
{
	if (had_old)
		renameat(a->dirfd, RECORDS_OLD, a->dirfd, RECORDS);
	else
		unlinkat(a->dirfd, RECORDS, 0);
	fsync(a->dirfd);
}

/* After a failed fsync the kernel may have dropped the dirty pages: the new
 * file is thrown away, never renamed into place. */
static int
replace(struct lv_acct *a)
{
	int rc, had_old;

	if (a->lockfd < 0)
		return lv_err(EX_SOFTWARE, "internal error: commit without the lock");
	if (lv_rec_set(&a->rec, "key-id", a->ctx->keyid) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	unlinkat(a->dirfd, RECORDS_NEW, 0);
	unlinkat(a->dirfd, RECORDS_OLD, 0);
	if ((rc = write_new(a)) != 0) {
		unlinkat(a->dirfd, RECORDS_NEW, 0);
		return rc;
	}
	had_old = linkat(a->dirfd, RECORDS, a->dirfd, RECORDS_OLD, 0) == 0;
	if (!had_old && errno != ENOENT) {
		rc = lv_err(EX_IOERR, "cannot keep the old records of %s:", a->name);
		unlinkat(a->dirfd, RECORDS_NEW, 0);
		return rc;
	}
	if (renameat(a->dirfd, RECORDS_NEW, a->dirfd, RECORDS) != 0) {
		rc = lv_err(EX_IOERR, "cannot replace records of %s:", a->name);
		unlinkat(a->dirfd, RECORDS_NEW, 0);
		unlinkat(a->dirfd, RECORDS_OLD, 0);
		return rc;
	}
	if (lv_store_sync(a->dirfd) != 0) {
		rc = lv_err(EX_IOERR, "cannot sync the directory of %s:", a->name);
		roll_back(a, had_old);
		return rc;
	}
	unlinkat(a->dirfd, RECORDS_OLD, 0);
	a->exists = 1;
	return 0;
}

/* When the new records make the account due sooner (an SMS code, a
 * temporary password, a login request), when lv-expire must next look. */
static time_t
due_sooner(const struct lv_acct *a)
{
	time_t due;

	if (a->due < 0 || (due = lv_due(a)) >= a->due)
		return -1;
	return due;
}

/* Records that make the account due sooner are written with the bucket's
 * hint lowered and held (lv_hint.c), so that no sweep of lv-expire can
 * store a hint made from the old records once the new ones are in place. */
int
lv_store_commit(struct lv_acct *a)
{
	time_t due = due_sooner(a);
	int rc, hint = -1;

	if (due >= 0 && (rc = lv_hint_hold(a->ctx, a->name, due, &hint)) != 0)
		return rc;
	rc = replace(a);
	lv_hint_release(&hint);
	if (rc == 0 && due >= 0)
		a->due = due;
	return rc;
}

void
lv_store_close(struct lv_acct *a)
{
	lv_rec_free(&a->rec);
	if (a->auditfd >= 0)
		close(a->auditfd);
	a->auditfd = -1;
	lv_lock_release(&a->lockfd);
	if (a->dirfd >= 0)
		close(a->dirfd);
	a->dirfd = -1;
}

int
lv_store_enrolled(const struct lv_acct *a)
{
	return lv_rec_get(&a->rec, "enrolled") != NULL;
}

/* Backup codes alone are not a method. */
int
lv_store_methods(const struct lv_acct *a)
{
	return (lv_rec_get(&a->rec, "phone") != NULL) +
	    (int)lv_rec_countprefix(&a->rec, "device.") +
	    (lv_rec_get(&a->rec, "totp.secret") != NULL);
}
