/* Bucket hints for lv-expire. Each top-level bucket may hold a file
 * ".hints" (no account name starts with '.') with one fixed-width slot per
 * leaf bucket below it: the earliest time anything in that leaf may need
 * expiring, so that lv-expire can pass over the leaf without reading its
 * accounts. One file per top-level bucket rather than one per leaf: opening
 * a file in each of the 65536 leaves was half the time of a run.
 *
 * A hint may be too early (a wasted sweep), never too late:
 *  - a writer whose records make an account due sooner lowers the slot
 *    (synced, and with a new version) and holds the slot's lock until the
 *    records are in place;
 *  - before a sweep of a leaf lv-expire reads the slot's version under the
 *    lock, and after it stores what it found only if the version is still
 *    the same (compare and swap, under the lock). The read comes either
 *    before a writer lowered the slot, whose write then fails the swap, or
 *    after the writer's records are in place, where the sweep sees them;
 *  - a missing, damaged or torn slot means "sweep"; deleting the file is
 *    always safe.
 * Deciding to pass over a leaf needs no lock: a slot read while a writer
 * holds it is already lowered, and a slot torn by a write is damaged.
 * Slots are rewritten in place under an fcntl lock on their bytes, so the
 * file is never replaced; a checksum turns a torn write into a damaged
 * slot. GEN is random each time a slot is made afresh, so a slot deleted
 * and made again never passes for the one read before. A slot:
 *
 *	lv1-hint GEN VERSION DUE CHECK
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <sodium.h>

#include "lv.h"

#define HINTS ".hints"
#define BODY_LEN (9 + 16 + 1 + 20 + 1 + 20) /* "lv1-hint GEN VERSION DUE" */
#define SLOT LV_HINT_SLOT /* BODY_LEN, ' ', CHECK(32), '\n' */
_Static_assert(SLOT == BODY_LEN + 1 + 32 + 1, "a slot holds a hint");

static void
checksum(const char *body, char hex[33])
{
	unsigned char sum[16];

	crypto_generichash(sum, sizeof(sum), (const unsigned char *)body, BODY_LEN, NULL, 0);
	sodium_bin2hex(hex, 33, sum, sizeof(sum));
}

static void
format(const struct lv_hint *h, char out[SLOT + 1])
{
	char hex[33];

	snprintf(out, SLOT + 1, "lv1-hint %016" PRIx64 " %020ld %020lld", h->gen, h->version,
	    (long long)h->due);
	checksum(out, hex);
	snprintf(out + BODY_LEN, SLOT + 1 - BODY_LEN, " %s\n", hex);
}

/* Only the exact form written above is a hint. */
static int
parse(const char *slot, struct lv_hint *h)
{
	char buf[SLOT + 1], again[SLOT + 1];
	long long due;

	memcpy(buf, slot, SLOT);
	buf[SLOT] = '\0';
	if (sscanf(buf, "lv1-hint %16" SCNx64 " %20ld %20lld", &h->gen, &h->version, &due) != 3 ||
	    h->version < 0 || due < 0)
		return -1;
	h->due = (time_t)due;
	format(h, again);
	return memcmp(again, buf, SLOT) == 0 ? 0 : -1;
}

/* Leaf bucket "ab/cd" has slot 0xcd of the file in "ab". */
static off_t
slot_of(const char *bucket)
{
	return (off_t)strtoul(bucket + 3, NULL, 16) * SLOT;
}

static void
fresh(struct lv_hint *h)
{
	randombytes_buf(&h->gen, sizeof(h->gen));
	h->version = 0;
	h->due = 0;
}

/* On a local filesystem the page cache is the file. */
static int
local_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) != 0)
		return 0;
	switch (sf.f_type) {
	case EXT4_SUPER_MAGIC: case XFS_SUPER_MAGIC: case BTRFS_SUPER_MAGIC:
	case F2FS_SUPER_MAGIC: case TMPFS_MAGIC:
		return 1;
	}
	return 0;
}

/* Slots are rewritten in place, maybe by another host: elsewhere, a network
 * filesystem may serve this host's cached pages of the file (GlusterFS's
 * FUSE client does, whatever the file's mtime says), so they are dropped
 * first. */
static ssize_t
read_fresh(int fd, char *buf, size_t len, off_t off)
{
	if (!local_fs(fd))
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return pread(fd, buf, len, off);
}

/* The hints file of a top-level bucket: 1 when missing (and not created).
 * lv_safe_stat's checks, on the one stat. */
static int
open_hints(struct lv_ctx *c, int topfd, const char *what, int flags, int *fd)
{
	struct stat st;
	int rc = 0;

	*fd = openat(topfd, HINTS, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (*fd < 0 && errno == ENOENT && !(flags & O_CREAT))
		return 1;
	if (*fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe %s: a symbolic link", what);
	if (*fd < 0)
		return lv_err(EX_IOERR, "cannot open %s:", what);
	if (fstat(*fd, &st) != 0)
		rc = lv_err(EX_IOERR, "cannot stat %s:", what);
	else if (!S_ISREG(st.st_mode))
		rc = lv_err(EX_NOPERM, "unsafe %s: not a regular file", what);
	else if (st.st_uid != c->owner && st.st_uid != 0)
		rc = lv_err(EX_NOPERM, "unsafe %s: owned by uid %ld, not the state directory's owner", what,
		    (long)st.st_uid);
	else if ((st.st_mode & 022) != 0)
		rc = lv_err(EX_NOPERM, "unsafe %s: mode %04o gives access to others", what,
		    (unsigned)(st.st_mode & 07777));
	if (rc != 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* The whole file of a top-level bucket, read without a lock: a slot torn
 * by a write under way is a damaged slot, which means "sweep". */
int
lv_hints_load(struct lv_ctx *c, int topfd, const char *top, struct lv_hints *t)
{
	char what[40];
	ssize_t n;
	int fd, rc;

	t->len = 0;
	snprintf(what, sizeof(what), "hint file %s/" HINTS, top);
	if ((rc = open_hints(c, topfd, what, O_RDONLY, &fd)) != 0)
		return rc == 1 ? 0 : rc;
	n = read_fresh(fd, t->buf, sizeof(t->buf), 0);
	close(fd);
	if (n < 0)
		return lv_err(EX_IOERR, "cannot read %s:", what);
	t->len = (size_t)n;
	return 0;
}

/* 0 and the hint of leaf bucket "ab/cd", or 1: there is none. */
int
lv_hints_get(const struct lv_hints *t, const char *bucket, struct lv_hint *h)
{
	size_t off = (size_t)slot_of(bucket);

	return off + SLOT <= t->len && parse(t->buf + off, h) == 0 ? 0 : 1;
}

/* Opens the hints file above the bucket, locks the bucket's slot and reads
 * it: 0 valid, 1 damaged or missing, else an exit code (and fd closed). */
static int
slot_lock(struct lv_ctx *c, int topfd, const char *bucket, int create, int *fd, struct lv_hint *h)
{
	char what[40], buf[SLOT];
	off_t off = slot_of(bucket);
	ssize_t n;
	int rc;

	snprintf(what, sizeof(what), "hint of bucket %s", bucket);
	if ((rc = open_hints(c, topfd, what, create ? O_RDWR | O_CREAT : O_RDWR, fd)) != 0)
		return rc;
	if ((rc = lv_lock_range(*fd, off, SLOT, c->conf.lock_wait_ms, what)) != 0) {
		close(*fd);
		*fd = -1;
		return rc;
	}
	if ((n = read_fresh(*fd, buf, SLOT, off)) < 0) {
		rc = lv_err(EX_IOERR, "cannot read %s:", what);
		lv_hint_release(fd);
		return rc;
	}
	return n == SLOT && parse(buf, h) == 0 ? 0 : 1;
}

static int
slot_write(int fd, const char *bucket, const struct lv_hint *h, int sync)
{
	char buf[SLOT + 1];

	format(h, buf);
	if (pwrite(fd, buf, SLOT, slot_of(bucket)) != SLOT || (sync && fsync(fd) != 0))
		return lv_err(EX_IOERR, "cannot write the hint of bucket %s:", bucket);
	return 0;
}

/* Before a sweep of a leaf: its hint read under the lock, to compare with
 * afterwards, made afresh (meaning "sweep") if need be. */
int
lv_hint_begin(struct lv_ctx *c, int topfd, const char *bucket, struct lv_hint *h)
{
	int fd, rc;

	if ((rc = slot_lock(c, topfd, bucket, 1, &fd, h)) == 1) {
		fresh(h);
		rc = slot_write(fd, bucket, h, 0);
	}
	lv_hint_release(&fd);
	return rc;
}

/* After a sweep: due is stored only if no writer came in between. Not
 * synced: a lost store leaves the earlier hint, which is early enough. */
int
lv_hint_store(struct lv_ctx *c, int topfd, const char *bucket, const struct lv_hint *seen,
    time_t due)
{
	struct lv_hint h;
	int fd, rc;

	if ((rc = slot_lock(c, topfd, bucket, 0, &fd, &h)) == 0 && h.gen == seen->gen &&
	    h.version == seen->version) {
		h.version++;
		h.due = due;
		rc = slot_write(fd, bucket, &h, 0);
	}
	lv_hint_release(&fd);
	return rc == 1 ? 0 : rc;
}

/* For a writer, under the account's lock, before it writes records due at
 * t: the hint of the account's bucket becomes no later than t, with a new
 * version, and stays locked until lv_hint_release after the records are in
 * place. Synced when lowered, so that no crash leaves it later than them. */
int
lv_hint_hold(struct lv_ctx *c, const char *account, time_t t, int *fd)
{
	struct lv_hint h;
	char bucket[8];
	int topfd, rc, lowered = 0;

	lv_store_bucket(account, bucket);
	bucket[2] = '\0';
	topfd = openat(c->dirfd, bucket, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bucket[2] = '/';
	if (topfd < 0)
		return lv_err(EX_IOERR, "cannot open bucket directory %.2s:", bucket);
	rc = slot_lock(c, topfd, bucket, 1, fd, &h);
	close(topfd);
	if (rc > 1)
		return rc;
	if (rc == 1)
		fresh(&h);
	else if ((lowered = t < h.due))
		h.due = t;
	h.version++;
	if ((rc = slot_write(*fd, bucket, &h, lowered)) != 0)
		lv_hint_release(fd);
	return rc;
}

void
lv_hint_release(int *fd)
{
	lv_lock_release(fd); /* the slot's lock goes with the file */
}
