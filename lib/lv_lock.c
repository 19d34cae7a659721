/* The account's lock: a file that is never unlinked, locked with fcntl (whose
 * locks GlusterFS and other cluster filesystems keep coherent across hosts),
 * with a bounded wait. Every lock lv holds (an account's, a hint slot's) is
 * taken and released here: while any is held, every catchable signal is
 * held off (a terminal's ^Z or ^C, a hangup) and messages are queued (a
 * full stderr pipe), so no caller can keep a shared lock held. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lv.h"

/* Signals are held off while the request is out: on a FUSE mount a signal
 * makes the kernel interrupt the lock request, and GlusterFS 10's client
 * can deadlock the whole mount on such interrupts (gluster/glusterfs#4371).
 * Only SIGKILL cannot be held off. */
static int
try_lock(int fd, off_t start, off_t len)
{
	struct flock fl;
	sigset_t all, old;
	int rc, e;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	rc = fcntl(fd, F_SETLK, &fl);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return rc;
}

static struct {
	int n;
	sigset_t before;
} held;

/* Defined only by a test build (t/lockpause.c, t/t0691), which waits there
 * to show that nothing a caller does then can stop the program; in every
 * other program the weak reference is null. */
extern void lv_test_lock_held(const char *what) __attribute__((weak));

static void
hold(void)
{
	sigset_t all;

	if (held.n++ == 0) {
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &held.before);
	}
	lv_diag_hold();
}

/* Bytes start to start + len of fd (len 0: to the end, and beyond). Waits
 * by counted sleeps, not by the clock, so a frozen or faked clock cannot
 * make the wait unbounded. */
int
lv_lock_range(int fd, off_t start, off_t len, long wait_ms, const char *what)
{
	long waited_us = 0, step_us = 500;
	struct timespec ts;

	while (try_lock(fd, start, len) != 0) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return lv_err(EX_IOERR, "cannot lock %s:", what);
		if (waited_us >= wait_ms * 1000)
			return lv_err(EX_TEMPFAIL, "%s is busy (lock held for more than %ld ms); try again",
			    what, wait_ms);
		ts.tv_sec = 0;
		ts.tv_nsec = step_us * 1000;
		nanosleep(&ts, NULL);
		waited_us += step_us;
		if (step_us < 2000)
			step_us *= 2;
	}
	hold();
	if (lv_test_lock_held != NULL)
		lv_test_lock_held(what);
	return 0;
}

int
lv_lock_take(int dirfd, long wait_ms, const char *what, int *lockfd)
{
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe lock file: a symbolic link");
	if (fd < 0 && (errno == EROFS || errno == ENOSPC || errno == EDQUOT))
		return lv_err(EX_IOERR, "cannot create lock file:");
	if (fd < 0)
		return lv_err(EX_IOERR, "cannot open lock file:");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lv_err(EX_NOPERM, "unsafe lock file: not a regular file");
	}
	if ((rc = lv_lock_range(fd, 0, 0, wait_ms, what)) != 0) {
		close(fd);
		return rc;
	}
	*lockfd = fd;
	return 0;
}

/* Closing the file releases its locks; the signals held off come in, and
 * the queued messages go out, only once no lock is left. */
void
lv_lock_release(int *lockfd)
{
	if (*lockfd < 0)
		return;
	close(*lockfd);
	*lockfd = -1;
	if (--held.n == 0)
		sigprocmask(SIG_SETMASK, &held.before, NULL);
	lv_diag_release();
}
