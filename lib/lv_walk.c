/* Walks every account directory of the state directory, bucket by bucket,
 * without following symbolic links. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lv.h"

static int
is_bucket(const char *n)
{
	return strlen(n) == 2 && strspn(n, "0123456789abcdef") == 2;
}

/* A bucket that is a symbolic link is reported (77) and skipped; the walk
 * goes on, and the first such error is returned at the end. */
static int
walk_dir(int fd, int depth, int (*fn)(const char *name, void *arg), void *arg)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0, bad = 0, sub;

	if (d == NULL) {
		close(fd);
		return lv_err(EX_IOERR, "cannot read the state directory:");
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (depth < 2 && !is_bucket(e->d_name))
			continue;
		if (depth == 2) {
			if (lv_valid_account(e->d_name) == 0)
				rc = fn(e->d_name, arg);
			continue;
		}
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && (errno == ELOOP || errno == ENOTDIR) && bad == 0)
			bad = lv_err(EX_NOPERM, "unsafe bucket directory %s: a symbolic link or not a directory",
			    e->d_name);
		if (sub >= 0 && (rc = walk_dir(sub, depth + 1, fn, arg)) == EX_NOPERM && bad == 0) {
			bad = rc;
			rc = 0;
		}
	}
	closedir(d);
	return rc ? rc : bad;
}

int
lv_walk(struct lv_ctx *c, int (*fn)(const char *name, void *arg), void *arg)
{
	int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return lv_err(EX_IOERR, "cannot read the state directory:");
	return walk_dir(fd, 0, fn, arg);
}
