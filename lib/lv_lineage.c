/* Which commit made a generation, and the ones before it: "commit" is
 * "N:NONCE" (a random nonce of its writer's), "ancestry" the commits of its
 * last LV_LINEAGE ancestors, newest first. A writer whose link succeeded
 * but finds a newer generation looks there for its own commit: present,
 * the newer state was built on its own and its commit stands; absent,
 * its number had been freed and relinked from a state long gone, and it
 * lost (lv_store.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

#define LV_LINEAGE 64

/* Sets the records' commit and ancestry for generation gen; self gets the
 * commit. The records are those read: their commit is the parent. */
int
lv_lineage_stamp(struct lv_rec *r, long gen, char self[LV_COMMIT_LEN])
{
	const char *parent = lv_rec_get(r, "commit"), *anc = lv_rec_get(r, "ancestry");
	char line[LV_LINEAGE * LV_COMMIT_LEN], *p;
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	int n = 0, rc;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(self, LV_COMMIT_LEN, "%ld:%s", gen, hex);
	snprintf(line, sizeof(line), "%s%s%s", parent ? parent : "", parent && anc && *anc ? " " : "",
	    anc ? anc : "");
	for (p = line; (p = strchr(p, ' ')) != NULL && ++n < LV_LINEAGE; p++)
		;
	if (p != NULL)
		*p = '\0';
	rc = lv_rec_set(r, "commit", self) != 0 || lv_rec_set(r, "ancestry", line) != 0;
	return rc ? -1 : 0;
}

static int
has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p;

	for (p = list; p != NULL && (p = strstr(p, tok)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

/* 1 when generation gen descends from the commit self, 0 when not (or it
 * cannot be read whole), -1 when it is gone (list again). */
int
lv_lineage_descends(int dirfd, long gen, const char *self)
{
	struct lv_rec r;
	const char *anc;
	char name[32];
	int fd, rc;

	lv_gen_name(gen, name);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	memset(&r, 0, sizeof(r));
	rc = lv_rec_load(&r, fd) == 0 && (anc = lv_rec_get(&r, "ancestry")) != NULL && has_token(anc, self);
	lv_rec_free(&r);
	close(fd);
	return rc;
}
