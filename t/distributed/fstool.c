/* fstool: the filesystem operations lv's store relies on, one per command,
 * so the distributed tests check a mount with the same calls the store makes.
 *   fstool lock PATH            F_SETLK write lock; prints "locked" and holds
 *                               it until stdin ends, or prints "busy", exit 1
 *   fstool flock PATH           the same with flock(LOCK_EX | LOCK_NB)
 *   fstool replace DIR NAME     stdin to DIR/NAME.new, fsync, rename over
 *                               DIR/NAME, fsync DIR (the store's commit)
 *   fstool append PATH          stdin appended with O_APPEND, then fsync
 *   fstool nofollow PATH        open with O_NOFOLLOW; prints "opened" or the
 *                               errno name
 *   fstool fsync PATH           fsync a file or a directory; prints "0" or
 *                               the errno name
 * Exit 0 on success, 1 for "busy", 2 for any other failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static const char *
errname(int e)
{
	switch (e) {
	case ELOOP: return "ELOOP";
	case ENOENT: return "ENOENT";
	case EAGAIN: return "EAGAIN";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case ENOSYS: return "ENOSYS";
	case ENOTCONN: return "ENOTCONN";
	default: return strerror(e);
	}
}

static int
fail(const char *what)
{
	int e = errno;

	fprintf(stderr, "fstool: %s: %s\n", what, errname(e));
	return 2;
}

static int
copy_in(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return -1;
	return n < 0 ? -1 : 0;
}

static int
try_lock(int fd, int bsd)
{
	struct flock fl;

	if (bsd)
		return flock(fd, LOCK_EX | LOCK_NB);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

static int
cmd_lock(const char *path, int bsd)
{
	char c;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return fail(path);
	if (try_lock(fd, bsd) != 0) {
		if (errno != EAGAIN && errno != EACCES && errno != EWOULDBLOCK)
			return fail(bsd ? "flock" : "fcntl F_SETLK");
		puts("busy");
		return 1;
	}
	puts("locked");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

static int
cmd_replace(const char *dir, const char *name)
{
	char tmp[4096];
	int dfd, fd;

	snprintf(tmp, sizeof(tmp), "%s.new", name);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return fail(dir);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || copy_in(fd) != 0)
		return fail("write");
	if (fsync(fd) != 0)
		return fail("fsync");
	if (close(fd) != 0)
		return fail("close");
	if (renameat(dfd, tmp, dfd, name) != 0)
		return fail("rename");
	if (fsync(dfd) != 0)
		return fail("fsync directory");
	return 0;
}

static int
cmd_append(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || copy_in(fd) != 0)
		return fail(path);
	if (fsync(fd) != 0)
		return fail("fsync");
	return close(fd) == 0 ? 0 : fail("close");
}

static int
cmd_nofollow(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	puts(fd >= 0 ? "opened" : errname(errno));
	return 0;
}

static int
cmd_fsync(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return fail(path);
	puts(fsync(fd) == 0 ? "0" : errname(errno));
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "lock") == 0)
		return cmd_lock(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "flock") == 0)
		return cmd_lock(argv[2], 1);
	if (argc == 4 && strcmp(argv[1], "replace") == 0)
		return cmd_replace(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "append") == 0)
		return cmd_append(argv[2]);
	if (argc == 3 && strcmp(argv[1], "nofollow") == 0)
		return cmd_nofollow(argv[2]);
	if (argc == 3 && strcmp(argv[1], "fsync") == 0)
		return cmd_fsync(argv[2]);
	fputs("usage: fstool lock|flock|append|nofollow|fsync PATH | replace DIR NAME\n", stderr);
	return 2;
}
