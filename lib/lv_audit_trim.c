/* Trimming an account's audit log (lv-expire, audit_retention in lv.conf):
 * the lines older than the retention go, each judged by the time it starts
 * with. The log is replaced as safely as the records: a temporary file of
 * the trimmer's own, synced, then linked to one name, the claim, that no
 * other trimmer can take meanwhile, renamed over the log, the directory
 * synced; a crash leaves the old log or the trimmed one. No line appended
 * during the trim is lost, even by a writer whose lock was lost: what the
 * old log grew by is carried into the new one, before the rename and after
 * it, and a writer that appended to the old log later finds it replaced
 * and appends again (lv_audit.c). lv-state(5) says how. */
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

#define DAY 86400L
#define TMP ".audit.tmp."
#define CLAIM ".audit.next"
#define CLAIM_STALE 60  /* seconds: a trimmer holds the claim for milliseconds */
#define TMP_STALE 3600  /* as the records' temporary files (lv_gen.c) */
#define HEAD 4096       /* where the first dated line is looked for */
#define CARRY_ROUNDS 64 /* a log still growing after this many copies: try later */

struct trim {
	time_t cutoff;  /* lines older than this go */
	int out;        /* the new log, or -1 when only counting */
	long removed;
	char *line;     /* the line being read, up to its newline */
	size_t len, cap;
	char buf[16384]; /* what is still to be written to out */
	size_t blen;
};

/* When a log whose first dated line was written at `first` is due: a day
 * after that line passes the retention, so that a log is rewritten at most
 * once a day. Lines appended after `now` are due no sooner than
 * lv_audit_due_at(c, now). */
time_t
lv_audit_due_at(const struct lv_conf *c, time_t first)
{
	if (c->audit_retention == 0)
		return LV_NEVER;
	return lv_due_after(first, (c->audit_retention + 1) * DAY);
}

/* The time a line starts with, as lv_audit writes it; -1 for none. */
static int
dated(const char *line, size_t len, time_t *t)
{
	char when[21];

	if (len < sizeof(when) || line[sizeof(when) - 1] != ' ')
		return -1;
	memcpy(when, line, sizeof(when) - 1);
	when[sizeof(when) - 1] = '\0';
	return lv_isotime_parse(when, t);
}

/* An unsafe log is refused as the store refuses one (lv_audit_open); a
 * missing one is *fd -1 with nothing to trim. */
static int
open_log(struct lv_acct *a, int *fd, struct stat *st)
{
	*fd = openat(a->dirfd, "audit", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0 && errno == ENOENT)
		return 0;
	if (*fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe audit log of %s: a symbolic link", a->name);
	if (*fd < 0)
		return lv_err(EX_IOERR, "cannot read the audit log of %s:", a->name);
	if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode))
		return lv_err(EX_NOPERM, "unsafe audit log of %s: not a regular file", a->name);
	return lv_safe_stat(a->ctx, *fd, "audit log", 0);
}

/* Read without a word: a log that cannot be read is due now, and the
 * trim says why. */
time_t
lv_audit_due(struct lv_acct *a)
{
	char head[HEAD], *p, *nl;
	ssize_t n;
	time_t t;
	int fd;

	if (a->ctx->conf.audit_retention == 0)
		return LV_NEVER;
	fd = openat(a->dirfd, "audit", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? LV_NEVER : 0;
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	for (p = head; n > 0 && (nl = memchr(p, '\n', (size_t)(head + n - p))) != NULL; p = nl + 1)
		if (dated(p, (size_t)(nl - p), &t) == 0)
			return lv_audit_due_at(&a->ctx->conf, t);
	return n < 0 ? 0 : LV_NEVER;
}

static int
flush(struct trim *t)
{
	size_t done = 0;
	ssize_t w;

	while (done < t->blen) {
		if ((w = write(t->out, t->buf + done, t->blen - done)) < 0 && errno != EINTR)
			return -1;
		if (w > 0)
			done += (size_t)w;
	}
	t->blen = 0;
	return 0;
}

/* Bytes for the new log, written in blocks. */
static int
put(struct trim *t, const char *p, size_t n)
{
	size_t k;

	while (t->out >= 0 && n > 0) {
		if (t->blen == sizeof(t->buf) && flush(t) != 0)
			return -1;
		k = sizeof(t->buf) - t->blen < n ? sizeof(t->buf) - t->blen : n;
		memcpy(t->buf + t->blen, p, k);
		t->blen += k;
		p += k;
		n -= k;
	}
	return 0;
}

static int
line_done(struct trim *t)
{
	time_t when;
	size_t n = t->len;

	t->len = 0;
	if (dated(t->line, n, &when) == 0 && when < t->cutoff) {
		t->removed++;
		return 0;
	}
	return put(t, t->line, n);
}

/* Bytes of the log, cut into lines; a line without a date is kept. */
static int
feed(struct trim *t, const char *p, size_t n)
{
	const char *nl;
	char *grown;
	size_t k;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (t->len + k > t->cap) {
			if ((grown = realloc(t->line, t->len + k + 256)) == NULL)
				return -1;
			t->line = grown;
			t->cap = t->len + k + 256;
		}
		memcpy(t->line + t->len, p, k);
		t->len += k;
		if (nl != NULL && line_done(t) != 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

/* The log from 0 to `end`, judged line by line. A last line without its
 * newline is kept as it is: its end may still be coming, and is carried. */
static int
pass(int in, off_t end, struct trim *t)
{
	char chunk[65536];
	off_t at = 0;
	ssize_t n;

	t->len = 0;
	t->removed = 0;
	while (at < end) {
		n = pread(in, chunk, (size_t)(end - at) < sizeof(chunk) ? (size_t)(end - at) : sizeof(chunk), at);
		if (n <= 0 || feed(t, chunk, (size_t)n) != 0)
			return -1;
		at += n;
	}
	if (t->len > 0 && put(t, t->line, t->len) != 0)
		return -1;
	t->len = 0;
	return t->out >= 0 ? flush(t) : 0;
}

/* What the old log grew by since `*size`, copied as it is to the new one
 * and synced, until it stops growing. */
static int
carry(struct trim *t, int in, off_t *size)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int rounds;

	for (rounds = 0; rounds < CARRY_ROUNDS; rounds++) {
		if (fstat(in, &st) != 0)
			return -1;
		if (st.st_size <= *size)
			return 0;
		while (*size < st.st_size) {
			n = pread(in, chunk, (size_t)(st.st_size - *size) < sizeof(chunk) ?
			    (size_t)(st.st_size - *size) : sizeof(chunk), *size);
			if (n <= 0 || put(t, chunk, (size_t)n) != 0)
				return -1;
			*size += n;
		}
		if (flush(t) != 0 || lv_store_sync(t->out) != 0)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Temporary files of trimmers that died: an hour old by the filesystem's
 * clock (`now`, the new file's time), as the records' are. */
static void
clean(struct lv_acct *a, const char *mine, time_t now)
{
	int fd = openat(a->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	struct stat st;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, TMP, strlen(TMP)) == 0 && strcmp(e->d_name, mine) != 0 &&
		    fstatat(a->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime < now - TMP_STALE)
			unlinkat(a->dirfd, e->d_name, 0);
	closedir(d);
}

/* The new log, written beside the old under a random name of this
 * trimmer's own, with the old one's owner (lv-expire run by root). */
static int
write_tmp(struct lv_acct *a, int in, const struct stat *old, off_t *size, struct trim *t, char tmp[48])
{
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(tmp, 48, TMP "%s", hex);
	t->out = openat(a->dirfd, tmp, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (t->out < 0)
		return lv_err(EX_IOERR, "cannot write the trimmed audit log of %s:", a->name);
	if ((geteuid() == 0 && fchown(t->out, old->st_uid, old->st_gid) != 0) || pass(in, *size, t) != 0 ||
	    lv_store_sync(t->out) != 0 || carry(t, in, size) != 0) {
		unlinkat(a->dirfd, tmp, 0);
		return lv_err(EX_IOERR, "cannot write the trimmed audit log of %s:", a->name);
	}
	return 0;
}

/* The claim: the new log linked to CLAIM, which only one trimmer at a
 * time can do. 0 claimed, 1 another trimmer holds it, else an exit code.
 * A claim a minute older than the new log was left by a trimmer that
 * died, and goes. */
static int
claim(struct lv_acct *a, const char *tmp, time_t now)
{
	struct stat theirs;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (linkat(a->dirfd, tmp, a->dirfd, CLAIM, 0) == 0)
			return 0;
		if (errno != EEXIST)
			return lv_err(EX_IOERR, "cannot replace the audit log of %s:", a->name);
		if (fstatat(a->dirfd, CLAIM, &theirs, AT_SYMLINK_NOFOLLOW) != 0 || theirs.st_mtime >= now - CLAIM_STALE)
			return 1;
		unlinkat(a->dirfd, CLAIM, 0);
	}
	return 1;
}

static int
same_file(int dirfd, const char *name, const struct stat *st)
{
	struct stat now;

	return fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino;
}

/* Under the claim, the log is still the one read (else another trimmer
 * replaced it: LV_STORE_LOST, read it again); what it grew by is carried
 * before the rename and after it. The new log is then the account's
 * append descriptor. */
static int
commit(struct lv_acct *a, int in, const struct stat *old, off_t *size, struct trim *t)
{
	if (!same_file(a->dirfd, "audit", old)) {
		unlinkat(a->dirfd, CLAIM, 0);
		return LV_STORE_LOST;
	}
	if (carry(t, in, size) != 0 || renameat(a->dirfd, CLAIM, a->dirfd, "audit") != 0) {
		unlinkat(a->dirfd, CLAIM, 0);
		return lv_err(EX_IOERR, "cannot replace the audit log of %s:", a->name);
	}
	if (carry(t, in, size) != 0)
		return lv_err(EX_IOERR, "cannot carry lines appended during the trim into the audit log of %s:",
		    a->name);
	if (lv_store_sync(a->dirfd) != 0)
		return lv_err(EX_IOERR, "cannot sync the directory of %s:", a->name);
	if (a->auditfd >= 0)
		close(a->auditfd);
	a->auditfd = t->out;
	t->out = -1;
	return 0;
}

static int
replace(struct lv_acct *a, int in, const struct stat *old, struct trim *t)
{
	struct stat st;
	off_t size = old->st_size;
	char tmp[48];
	int rc;

	if ((rc = write_tmp(a, in, old, &size, t, tmp)) != 0)
		return rc;
	/* the filesystem's clock, read as every other file's time is */
	if (fstatat(a->dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) != 0)
		st.st_mtime = 0;
	clean(a, tmp, st.st_mtime);
	rc = claim(a, tmp, st.st_mtime);
	unlinkat(a->dirfd, tmp, 0);
	if (rc == 1) {
		t->removed = 0; /* another trimmer's turn; the log stays due */
		return 0;
	}
	return rc != 0 ? rc : commit(a, in, old, &size, t);
}

/* One trim, or with apply 0 only the count of what it would remove. */
static int
trim_once(struct lv_acct *a, time_t now, int apply, long *removed)
{
	struct trim t = { .out = -1 };
	struct stat st;
	int in, rc;

	t.cutoff = now - a->ctx->conf.audit_retention * DAY;
	if ((rc = open_log(a, &in, &st)) != 0 || in < 0) {
		if (in >= 0)
			close(in);
		return rc;
	}
	if (pass(in, st.st_size, &t) != 0)
		rc = lv_err(EX_IOERR, "cannot read the audit log of %s:", a->name);
	else if (t.removed > 0 && apply)
		rc = replace(a, in, &st, &t);
	if (rc == 0)
		*removed = t.removed;
	if (t.out >= 0)
		close(t.out);
	free(t.line);
	close(in);
	return rc;
}

/* Under the account's lock when apply is 1. Read again when another
 * trimmer replaced the log since it was read (only when locks are lost). */
int
lv_audit_trim(struct lv_acct *a, time_t now, int apply, long *removed)
{
	int rc, tries;

	*removed = 0;
	if (a->ctx->conf.audit_retention == 0)
		return 0;
	for (tries = 0; (rc = trim_once(a, now, apply, removed)) == LV_STORE_LOST && tries < 8; tries++)
		;
	if (rc == LV_STORE_LOST)
		return lv_err(EX_TEMPFAIL, "the audit log of %s keeps being replaced; try again", a->name);
	return rc;
}
