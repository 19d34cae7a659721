/* lvnolock: an LD_PRELOAD shim under which every lock call succeeds without
 * locking, as a lock lost without its holder knowing looks to the holder
 * (a GlusterFS brick restarted, a lock ignored by a filesystem). Under it,
 * only the store's conditional commit can keep two programs from spending
 * one code (SPEC.md, "State and safety"; issue 14).
 *
 *   fcntl F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW   0, nothing locked
 *   fcntl F_GETLK, F_OFD_GETLK                           0, l_type F_UNLCK
 *   fcntl, any other command                             the real fcntl
 *   flock, lockf                                         0, nothing locked
 *
 * A lock call on a descriptor that is not open still fails with EBADF, as
 * the real one would. Stacks with libfaketime and the lvfi shim.
 *
 * Built by make testbins into t/bin/lvnolock.so. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/file.h>
#include <unistd.h>

typedef int (*fcntl_fn)(int, int, ...);

static fcntl_fn
real_fcntl(void)
{
	static fcntl_fn real;

	if (real == NULL)
		real = (fcntl_fn)dlsym(RTLD_NEXT, "fcntl");
	return real;
}

/* What a lock call on fd answers: 0, or -1 with EBADF when fd is not open. */
static int
pretend(int fd)
{
	return real_fcntl()(fd, F_GETFD) < 0 ? -1 : 0;
}

static int
is_setlock(int cmd)
{
	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

static int
is_getlock(int cmd)
{
	return cmd == F_GETLK || cmd == F_OFD_GETLK;
}

/* The commands whose third argument is an int, and those that take none;
 * every other command takes a pointer (glibc passes it on as void *). */
static int
takes_int(int cmd)
{
	switch (cmd) {
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_SETFD: case F_SETFL: case F_SETOWN:
	case F_SETSIG: case F_SETLEASE: case F_NOTIFY: case F_SETPIPE_SZ: case F_ADD_SEALS:
		return 1;
	}
	return 0;
}

static int
takes_none(int cmd)
{
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
	case F_GETPIPE_SZ: case F_GET_SEALS:
		return 1;
	}
	return 0;
}

static int
nolock_fcntl(int fd, int cmd, va_list ap)
{
	struct flock *fl;

	if (takes_none(cmd))
		return real_fcntl()(fd, cmd);
	if (takes_int(cmd))
		return real_fcntl()(fd, cmd, va_arg(ap, int));
	if (is_setlock(cmd))
		return pretend(fd);
	if (!is_getlock(cmd))
		return real_fcntl()(fd, cmd, va_arg(ap, void *));
	fl = va_arg(ap, struct flock *);
	if (pretend(fd) != 0)
		return -1;
	fl->l_type = F_UNLCK; /* no one else holds a conflicting lock */
	return 0;
}

int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int rc;

	va_start(ap, cmd);
	rc = nolock_fcntl(fd, cmd, ap);
	va_end(ap);
	return rc;
}

/* Programs built with _FILE_OFFSET_BITS=64 (python's fcntl module) call it. */
int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	int rc;

	va_start(ap, cmd);
	rc = nolock_fcntl(fd, cmd, ap);
	va_end(ap);
	return rc;
}

int
flock(int fd, int op)
{
	(void)op;
	return pretend(fd);
}

int
lockf(int fd, int cmd, off_t len)
{
	(void)cmd;
	(void)len;
	return pretend(fd);
}

int
lockf64(int fd, int cmd, off64_t len)
{
	(void)cmd;
	(void)len;
	return pretend(fd);
}
