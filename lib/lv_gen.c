/* The generations of an account's records (lv-state(5)). Each state is a
 * file of its own, "records.N"; a commit links its fully written file to
 * the next number, which the filesystem lets only one writer do. The
 * newest readable generation is the account's state. The previous
 * release's single "records" file is generation 0. Old generations and
 * temporary files left by dead writers are removed by later commits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lv.h"

#define PREFIX "records."
#define LEGACY "records"
#define LEGACY_NEW "records.new" /* the previous release's temporary files */
#define LEGACY_OLD "records.old"
/* A temporary file this old is taken to have no live writer: a writer
 * links its file within the lock wait (seconds), and one stalled for an
 * hour finds it gone and fails its commit, which changes nothing. */
#define STALE_SECONDS 3600

void
lv_gen_name(long gen, char out[32])
{
	if (gen == 0)
		snprintf(out, 32, LEGACY);
	else
		snprintf(out, 32, PREFIX "%ld", gen);
}

/* "records.N" with N a positive number without leading zeros; "records" 0. */
static long
parse(const char *name)
{
	const char *p;
	size_t n;

	if (strcmp(name, LEGACY) == 0)
		return 0;
	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return -1;
	p = name + strlen(PREFIX);
	n = strspn(p, "0123456789");
	if (n == 0 || n > 18 || p[n] != '\0' || p[0] == '0')
		return -1;
	return strtol(p, NULL, 10);
}

static void
insert(struct lv_gens *g, long gen)
{
	size_t i;

	if (gen > g->max)
		g->max = gen;
	if (g->count == LV_GEN_LIST && gen < g->n[g->count - 1])
		return;
	if (g->count < LV_GEN_LIST)
		g->count++;
	for (i = g->count - 1; i > 0 && g->n[i - 1] < gen; i--)
		g->n[i] = g->n[i - 1];
	g->n[i] = gen;
}

/* The generations in the directory, newest first (the newest
 * LV_GEN_LIST of them), and the highest number seen: 0 or -1 (errno). */
int
lv_gen_list(int dirfd, struct lv_gens *g)
{
	struct dirent *e;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	long gen;

	memset(g, 0, sizeof(*g));
	g->max = -1;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL)
		if ((gen = parse(e->d_name)) >= 0)
			insert(g, gen);
	gen = errno;
	closedir(d);
	errno = (int)gen;
	return gen ? -1 : 0;
}

/* 0 linked; 1 lost: the generation exists already (another writer made it
 * from the same state); -1 failed (errno). */
int
lv_gen_link(int dirfd, const char *tmp, long gen)
{
	char name[32];

	lv_gen_name(gen, name);
	if (linkat(dirfd, tmp, dirfd, name, 0) == 0)
		return 0;
	return errno == EEXIST ? 1 : -1;
}

void
lv_gen_unlink(int dirfd, long gen)
{
	char name[32];

	lv_gen_name(gen, name);
	unlinkat(dirfd, name, 0);
}

/* Old by the filesystem's own clock (the time our generation was written):
 * a program's clock may differ from the filesystem's (another host's, a
 * faked one). */
static int
stale_tmp(int dirfd, const char *name, time_t now)
{
	struct stat st;

	if (strncmp(name, LV_GEN_TMP, strlen(LV_GEN_TMP)) != 0 && strcmp(name, LEGACY_NEW) != 0 &&
	    strcmp(name, LEGACY_OLD) != 0)
		return 0;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime < now - STALE_SECONDS;
}

/* After a commit of generation `current`, the newest: the `keep` newest
 * generations stay and every older one goes (a reader that listed it and
 * finds it gone lists again; a late writer that links a freed number
 * finds a newer one and knows it lost), and so do temporary files no live
 * writer can still need. Keeping a few makes a freed number rare where
 * writers race without locks; a change that removes a number or a secret
 * keeps only itself. A crash here leaves only files the next commit
 * removes. */
void
lv_gen_clean(int dirfd, long current, long keep)
{
	struct dirent *e;
	struct stat st;
	char name[32];
	int fd;
	DIR *d;
	long gen;
	time_t now;

	lv_gen_name(current, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	now = st.st_mtime;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (((gen = parse(e->d_name)) >= 0 && gen <= current - keep) || stale_tmp(dirfd, e->d_name, now))
			unlinkat(dirfd, e->d_name, 0);
	closedir(d);
}
