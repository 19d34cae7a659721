/* The account store. One directory per account under two levels of buckets
 * named by a hash of the account name. Every change: lock (to save work,
 * not for safety), read the newest generation of the records, change them
 * in memory, write a temporary file of the writer's own, fsync, link it to
 * the next generation's name, fsync the directory (lv_gen.c). The link is
 * the commit: it fails when another writer committed since the read, and
 * the change is then decided again from the new state (LV_STORE_LOST).
 * A crash leaves the old or the new generation, never a mix. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

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

#define GONE (-1)    /* removed after it was listed: list again */
#define DAMAGED (-2) /* skipped for an older one */

/* One generation: 0 read, GONE, DAMAGED, or an exit code. */
static int
read_gen(struct lv_acct *a, long gen)
{
	char name[32];
	int fd, rc;

	lv_gen_name(gen, name);
	fd = openat(a->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return GONE;
	if (fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe records of %s: a symbolic link", a->name);
	if (fd < 0)
		return lv_err(EX_IOERR, "cannot read records of %s:", a->name);
	if ((rc = regular(fd, a->name)) == 0 && (rc = lv_safe_stat(a->ctx, fd, "records", 1)) == 0) {
		lv_rec_free(&a->rec);
		if (lv_rec_load(&a->rec, fd) != 0 || (gen > 0 && lv_rec_getnum(&a->rec, "generation", -1) != gen))
			rc = DAMAGED;
	}
	close(fd);
	return rc;
}

/* The newest generation that reads whole. A damaged one is skipped for an
 * older one only to show it (lv-status), and said so; nothing is ever
 * decided from an older state (a code spent in the damaged one would be
 * accepted again): for every other program it is 74. */
static int
read_newest(struct lv_acct *a)
{
	struct lv_gens g;
	int rc = GONE, tries;
	size_t i = 0;

	for (tries = 0; rc == GONE && tries < 16; tries++) {
		if (lv_gen_list(a->dirfd, &g) != 0)
			return lv_err(EX_IOERR, "cannot list records of %s:", a->name);
		a->next = g.max >= 1 ? g.max + 1 : 1;
		if (g.count == 0)
			return 1;
		for (i = 0; i < g.count; i++)
			if ((rc = read_gen(a, g.n[i])) != DAMAGED)
				break;
	}
	if (rc == 0 && i > 0 && (a->lockfd >= 0 || !a->ctx->show_older))
		return lv_err(EX_IOERR, "damaged records of %s (generation %ld; %ld is intact): restore them "
		    "from a backup", a->name, g.n[0], g.n[i]);
	if (rc == 0 && i > 0)
		lv_warn("records of %s: generation %ld is damaged; %ld is shown", a->name, g.n[0], g.n[i]);
	if (rc == DAMAGED)
		return lv_err(EX_IOERR, "damaged records of %s; restore them from a backup", a->name);
	if (rc == GONE)
		return lv_err(EX_TEMPFAIL, "the records of %s keep changing; try again", a->name);
	return rc;
}

static int
read_records(struct lv_acct *a)
{
	int rc = read_newest(a);

	if (rc == 1)
		return 0;
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
	if (a->lockfd >= 0 && (rc = lv_audit_open(a)) != 0)
		return rc;
	if ((rc = read_records(a)) == 0 && a->lockfd >= 0 && c->due != NULL && !(flags & LV_OPEN_SITE))
		a->due = c->due(a);
	return rc;
}

/* A temporary file of this writer's own beside the records: no other
 * writer ever touches it, and lv_gen_clean only once it is stale. After a
 * failed fsync the kernel may have dropped the dirty pages: the file is
 * thrown away, never linked. */
static int
write_tmp(struct lv_acct *a, char tmp[48])
{
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	int fd, rc = 0;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(tmp, 48, LV_GEN_TMP "%s", hex);
	fd = openat(a->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return lv_err(EX_IOERR, "cannot write records of %s:", a->name);
	if (lv_rec_save(&a->rec, fd) != 0)
		rc = lv_err(EX_IOERR, "cannot write records of %s:", a->name);
	else if (lv_store_sync(fd) != 0)
		rc = lv_err(EX_IOERR, "cannot sync records of %s:", a->name);
	if (close(fd) != 0 && rc == 0)
		rc = lv_err(EX_IOERR, "cannot write records of %s:", a->name);
	if (rc != 0)
		unlinkat(a->dirfd, tmp, 0);
	return rc;
}

/* A failed directory sync leaves the link's fate unknown: the new
 * generation is taken back, so that 74 always means the old state. */
static int
take_back(struct lv_acct *a, int rc)
{
	lv_gen_unlink(a->dirfd, a->next);
	fsync(a->dirfd);
	return rc;
}

/* After the link: does the newest generation descend from ours? A newer
 * one than ours was either built on ours (by a writer without the lock:
 * ours stands) or our number had been freed, only ever below the newest
 * (lv_gen_clean), and relinked by us from a state long gone: lost. */
static int
stands(struct lv_acct *a, const char *self)
{
	struct lv_gens g;
	int tries, r;

	for (tries = 0; tries < 16; tries++) {
		if (lv_gen_list(a->dirfd, &g) != 0)
			return -1;
		if (g.max == a->next)
			return 1;
		if ((r = lv_lineage_descends(a->dirfd, g.max, self)) >= 0)
			return r;
	}
	return 0;
}

/* The link is the commit; a commit that does not stand is lost, and the
 * change is decided again from the newest state. */
static int
publish(struct lv_acct *a, const char *tmp, const char *self)
{
	int r = lv_gen_link(a->dirfd, tmp, a->next);

	unlinkat(a->dirfd, tmp, 0);
	if (r == 1)
		return LV_STORE_LOST;
	if (r < 0)
		return lv_err(EX_IOERR, "cannot commit records of %s:", a->name);
	if (lv_store_sync(a->dirfd) != 0)
		return take_back(a, lv_err(EX_IOERR, "cannot sync the directory of %s:", a->name));
	if ((r = stands(a, self)) < 0)
		return take_back(a, lv_err(EX_IOERR, "cannot list records of %s:", a->name));
	if (r == 0) {
		lv_gen_unlink(a->dirfd, a->next);
		return LV_STORE_LOST;
	}
	return 0;
}

static int
replace(struct lv_acct *a)
{
	char tmp[48], self[LV_COMMIT_LEN];
	int rc;

	if (a->lockfd < 0)
		return lv_err(EX_SOFTWARE, "internal error: commit without the lock");
	if (lv_rec_set(&a->rec, "key-id", a->ctx->keyid) != 0 || lv_rec_setnum(&a->rec, "generation", a->next) != 0 ||
	    lv_lineage_stamp(&a->rec, a->next, self) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	if ((rc = write_tmp(a, tmp)) != 0 || (rc = publish(a, tmp, self)) != 0)
		return rc;
	lv_gen_clean(a->dirfd, a->next, a->purge ? 1 : LV_GEN_KEEP);
	a->next++;
	a->exists = 1;
	return 0;
}

/* When the new records make the account due sooner (an SMS code, a
 * temporary password, a login request), when lv-expire must next look. */
static time_t
due_sooner(const struct lv_acct *a)
{
	time_t due;

	if (a->due < 0 || a->ctx->due == NULL || (due = a->ctx->due(a)) >= a->due)
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

/* A change lost to another writer's commit is decided again from the new
 * state, a bounded number of times: 1 to go round again, else 0 with *rc
 * final (LV_STORE_LOST becomes 75). */
int
lv_store_lost(int *rc, int *tries)
{
	struct timespec ts = { 0, 0 };

	if (*rc != LV_STORE_LOST)
		return 0;
	if (++*tries < LV_STORE_TRIES) {
		/* writers that keep meeting spread out: up to 8 ms, at random */
		ts.tv_nsec = (long)randombytes_uniform((uint32_t)(*tries < 16 ? *tries : 16) * 500) * 1000;
		nanosleep(&ts, NULL);
		return 1;
	}
	*rc = lv_err(EX_TEMPFAIL, "the records kept changing under this change (%d tries); try again",
	    LV_STORE_TRIES);
	return 0;
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
	    (lv_rec_get(&a->rec, "totp.secret") != NULL) + (int)lv_seckey_count(a);
}
