/* What the harnesses share: quiet diagnostics, an in-memory site (never on
 * disk), one input as a line, a private temporary file, and comparing
 * records. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

/* lv_err's lines go to /dev/null; sanitizers write to fd 2. */
static inline int
fuzz_init(const char *prog)
{
	lv_prog = prog;
	stderr = fopen("/dev/null", "w");
	return stderr == NULL || sodium_init() < 0 ? -1 : 0;
}

/* The default configuration and a fixed site key (bytes 0 to 31), no
 * state directory. */
static inline void
fuzz_ctx(struct lv_ctx *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	lv_conf_defaults(&c->conf);
	c->dirfd = -1;
	for (i = 0; i < sizeof(c->key); i++)
		c->key[i] = (unsigned char)i;
}

/* An account of c held in memory only: lv_store_commit is never called. */
static inline void
fuzz_acct(struct lv_ctx *c, struct lv_acct *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->ctx = c;
	a->dirfd = a->lockfd = a->auditfd = -1;
	a->due = -1;
	snprintf(a->name, sizeof(a->name), "%s", name);
}

/* The input as one line: it ends at a NUL, a final newline is dropped;
 * -1 when it does not fit. */
static inline int
fuzz_line(const uint8_t *data, size_t size, char *line, size_t linesz)
{
	if (size >= linesz)
		return -1;
	memcpy(line, data, size);
	line[size] = '\0';
	if (size > 0 && line[size - 1] == '\n')
		line[size - 1] = '\0';
	return 0;
}

static char fuzz_tmppath[64];

static inline void
fuzz_tmp_remove(void)
{
	unlink(fuzz_tmppath);
}

/* A private file (0600) the harness rewrites with each input, removed at
 * exit; its descriptor, or -1. */
static inline int
fuzz_tmpfile(const char *name)
{
	int fd;

	snprintf(fuzz_tmppath, sizeof(fuzz_tmppath), "/tmp/lv-fuzz-%s.XXXXXX", name);
	if ((fd = mkstemp(fuzz_tmppath)) < 0)
		return -1;
	fchmod(fd, 0600);
	atexit(fuzz_tmp_remove);
	return fd;
}

static inline int
fuzz_rec_same(const struct lv_rec *a, const struct lv_rec *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const char *v = lv_rec_get(b, a->kv[i].k);

		if (v == NULL || strcmp(v, a->kv[i].v) != 0)
			return 0;
	}
	return 1;
}

#endif
