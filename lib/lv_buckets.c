/* Walks the state directory bucket by bucket (lv_store.c's two levels of
 * 256), in order, giving each leaf bucket with the names of its accounts.
 * Buckets are opened without following symbolic links and must be safe; an
 * unsafe or unreadable one is reported and passed over, and the walk goes
 * on with the others. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lv.h"

struct names {
	char n[256][3];
	size_t count;
};

/* Each entry of a directory, read once through getdents64: a million
 * accounts make 65536 buckets, and opendir's bookkeeping (a duplicate, a
 * stat, a flag check) would be most of the time spent in each. */
static int
each_entry(int fd, int (*fn)(const char *name, unsigned char type, void *arg), void *arg)
{
	char buf[32768];
	ssize_t n, off;
	int rc = 0;

	while (rc == 0 && (n = getdents64(fd, buf, sizeof(buf))) > 0)
		for (off = 0; rc == 0 && off < n; off += ((struct dirent64 *)(buf + off))->d_reclen) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);

			rc = fn(e->d_name, e->d_type, arg);
		}
	return rc != 0 ? rc : n < 0 ? -1 : 0;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(x, y);
}

static int
add_bucket(const char *name, unsigned char type, void *arg)
{
	struct names *out = arg;

	(void)type;
	if (strlen(name) == 2 && strspn(name, "0123456789abcdef") == 2 && out->count < 256)
		memcpy(out->n[out->count++], name, 3);
	return 0;
}

/* The two-hex-digit entries of a directory, sorted. */
static int
list_buckets(int fd, const char *what, struct names *out)
{
	out->count = 0;
	if (each_entry(fd, add_bucket, out) != 0)
		return lv_err(EX_IOERR, "cannot read %s:", what);
	qsort(out->n, out->count, sizeof(out->n[0]), by_name);
	return 0;
}

static int
add_account(const char *name, unsigned char type, void *arg)
{
	struct lv_bucket *b = arg;

	if ((type != DT_DIR && type != DT_UNKNOWN) || lv_valid_account(name) != 0)
		return 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		void *p = realloc(b->acct, cap * sizeof(*b->acct));

		if (p == NULL)
			return EX_SOFTWARE;
		b->acct = p;
		b->cap = cap;
	}
	memcpy(b->acct[b->n++], name, strlen(name) + 1);
	return 0;
}

/* The accounts of a leaf bucket: subdirectories with an account's name. */
static int
list_accounts(struct lv_bucket *b)
{
	int rc;

	b->n = 0;
	if ((rc = each_entry(b->fd, add_account, b)) == EX_SOFTWARE)
		return lv_err(EX_SOFTWARE, "out of memory");
	if (rc != 0)
		return lv_err(EX_IOERR, "cannot read bucket directory %s:", b->name);
	qsort(b->acct, b->n, sizeof(*b->acct), by_name);
	return 0;
}

static int
open_bucket(struct lv_ctx *c, int parent, const char *name, const char *path)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;
	char what[32];

	snprintf(what, sizeof(what), "bucket directory %s", path);
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

struct walk {
	struct lv_ctx *c;
	int (*fn)(const struct lv_bucket *b, void *arg);
	void *arg;
	int failed; /* why a bucket was passed over: unsafe (77) first */
};

static void
note(struct walk *w, int rc)
{
	if (w->failed == 0 || rc == EX_NOPERM)
		w->failed = rc;
}

static int
walk_top(struct walk *w, struct lv_bucket *b, int top, const char *name, double done, double step)
{
	struct names leaves;
	char what[32];
	int fd, rc;
	size_t i;

	snprintf(what, sizeof(what), "bucket directory %s", name);
	if ((rc = list_buckets(top, what, &leaves)) != 0) {
		note(w, rc);
		return 0;
	}
	for (i = 0; i < leaves.count; i++) {
		snprintf(b->name, sizeof(b->name), "%s/%s", name, leaves.n[i]);
		b->done = done + step * (double)(i + 1) / (double)leaves.count;
		if ((fd = open_bucket(w->c, top, leaves.n[i], b->name)) < 0) {
			note(w, -fd);
			continue;
		}
		b->fd = fd;
		b->topfd = top;
		if ((rc = list_accounts(b)) == EX_IOERR) {
			note(w, rc);
			rc = 0;
		} else if (rc == 0)
			rc = w->fn(b, w->arg);
		close(fd);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
lv_walk_buckets(struct lv_ctx *c, int (*fn)(const struct lv_bucket *b, void *arg), void *arg)
{
	struct walk w = { c, fn, arg, 0 };
	struct lv_bucket b;
	struct names tops;
	int fd, rc;
	size_t i;

	memset(&b, 0, sizeof(b));
	if ((fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return lv_err(EX_IOERR, "cannot read the state directory:");
	rc = list_buckets(fd, "the state directory", &tops);
	close(fd);
	if (rc != 0)
		return rc;
	for (i = 0; rc == 0 && i < tops.count; i++) {
		if ((fd = open_bucket(c, c->dirfd, tops.n[i], tops.n[i])) < 0) {
			note(&w, -fd);
			continue;
		}
		rc = walk_top(&w, &b, fd, tops.n[i], (double)i / (double)tops.count, 1.0 / (double)tops.count);
		close(fd);
	}
	free(b.acct);
	return rc ? rc : w.failed;
}
