/* lvfi: an LD_PRELOAD shim that makes one step of the records rewrite, or
 * of the audit log's (lv-expire's trim), fail (or stop), for the crash and
 * fault tests.
 *
 *   LVFI_FAIL=STEP[,STEP]  fail that step: open (of the writer's temporary
 *                          file .records.tmp.* or .audit.tmp.*), write (to
 *                          it), fsync (of it), close (of it), link (of it
 *                          to the next generation, records.N, or to the
 *                          trim's claim, .audit.next), rename (of the claim
 *                          over the audit log), dirfsync (fsync of a
 *                          directory); and, only when named, append (a
 *                          write to a file named audit opened O_APPEND: a
 *                          writer's audit line)
 *   LVFI_ERRNO=N           the errno to fail with (default EIO)
 *   LVFI_STOP=STEP         raise SIGSTOP just before that step instead: a
 *                          process stopped in the middle, holding the lock;
 *                          before every such step (each commit a held
 *                          writer retries), or only the first with
 *   LVFI_STOP_ONCE=1       so that a process continued runs on
 *   LVFI_LOG=FILE          append "STEP ok|fail|stop" for every step seen
 *
 * Build: cc -shared -fPIC -o lvfi.so lvfi.c -ldl */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXFD 4096

static unsigned char is_new[MAXFD]; /* fds open on a temporary records or audit file */
static unsigned char is_log[MAXFD]; /* fds open on an audit log for appending */

static ssize_t (*real_write)(int, const void *, size_t);

static ssize_t
raw_write(int fd, const void *buf, size_t n)
{
	if (real_write == NULL)
		real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	return real_write(fd, buf, n);
}

static int
listed(const char *var, const char *step)
{
	const char *v = getenv(var), *p;
	size_t n = strlen(step);

	for (p = v; p != NULL && (p = strstr(p, step)) != NULL; p += n)
		if ((p == v || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

static void
note(const char *step, const char *what)
{
	const char *path = getenv("LVFI_LOG");
	char line[128];
	int fd, n;

	if (path == NULL)
		return;
	n = snprintf(line, sizeof(line), "%s %s\n", step, what);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		raw_write(fd, line, (size_t)n);
		close(fd);
	}
}

/* 0: go on with the real call; -1: fail it (errno set). */
static int
step(const char *name)
{
	const char *e = getenv("LVFI_ERRNO");
	static int stopped;

	if (listed("LVFI_STOP", name) && !(stopped && getenv("LVFI_STOP_ONCE") != NULL)) {
		stopped = 1;
		note(name, "stop");
		raise(SIGSTOP);
	}
	if (!listed("LVFI_FAIL", name)) {
		note(name, "ok");
		return 0;
	}
	note(name, "fail");
	errno = e != NULL ? atoi(e) : EIO;
	return -1;
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static int
is_records_new(const char *path)
{
	return strncmp(base(path), ".records.tmp.", 13) == 0 || strncmp(base(path), ".audit.tmp.", 11) == 0;
}

static int
tracked(int fd)
{
	return fd >= 0 && fd < MAXFD && is_new[fd];
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (real == NULL)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((flags & O_CREAT) && is_records_new(path) && step("open") != 0)
		return -1;
	fd = real(dirfd, path, flags, mode);
	if (fd >= 0 && fd < MAXFD) {
		is_new[fd] = (flags & O_CREAT) && is_records_new(path);
		is_log[fd] = (flags & O_APPEND) && strcmp(base(path), "audit") == 0;
	}
	return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (tracked(fd) && step("write") != 0)
		return -1;
	if (fd >= 0 && fd < MAXFD && is_log[fd] && (listed("LVFI_STOP", "append") ||
	    listed("LVFI_FAIL", "append")) && step("append") != 0)
		return -1;
	return raw_write(fd, buf, n);
}

int
fsync(int fd)
{
	static int (*real)(int);
	struct stat st;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (tracked(fd) && step("fsync") != 0)
		return -1;
	if (!tracked(fd) && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && step("dirfsync") != 0)
		return -1;
	return real(fd);
}

int
close(int fd)
{
	static int (*real)(int);
	int was = tracked(fd), rc;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < MAXFD)
		is_new[fd] = is_log[fd] = 0;
	rc = real(fd);
	if (was && rc == 0 && step("close") != 0)
		return -1; /* closed all the same, as NFS does on a late write error */
	return rc;
}

int
linkat(int olddir, const char *oldpath, int newdir, const char *newpath, int flags)
{
	static int (*real)(int, const char *, int, const char *, int);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *, int))dlsym(RTLD_NEXT, "linkat");
	if (is_records_new(oldpath) && step("link") != 0)
		return -1;
	return real(olddir, oldpath, newdir, newpath, flags);
}

int
renameat(int olddir, const char *oldpath, int newdir, const char *newpath)
{
	static int (*real)(int, const char *, int, const char *);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
	if (strcmp(base(oldpath), ".audit.next") == 0 && step("rename") != 0)
		return -1;
	return real(olddir, oldpath, newdir, newpath);
}
