/* An account's records: a small map of text keys to text values, kept on
 * disk as one tinycdb file whose last record is a checksum of the others. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdb.h>
#include <sodium.h>

#include "lv.h"

#define CHECK_KEY "lv.check"

static struct lv_kv *
find(const struct lv_rec *r, const char *k)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->kv[i].k, k) == 0)
			return &r->kv[i];
	return NULL;
}

const char *
lv_rec_get(const struct lv_rec *r, const char *k)
{
	struct lv_kv *kv = find(r, k);

	return kv ? kv->v : NULL;
}

long
lv_rec_getnum(const struct lv_rec *r, const char *k, long dflt)
{
	const char *v = lv_rec_get(r, k);
	long n;

	if (v == NULL || lv_parse_uint(v, 0x7fffffffffffffffL, &n) != 0)
		return dflt;
	return n;
}

static void
kv_free(struct lv_kv *kv)
{
	sodium_memzero(kv->v, strlen(kv->v));
	free(kv->k);
	free(kv->v);
}

int
lv_rec_set(struct lv_rec *r, const char *k, const char *v)
{
	struct lv_kv *kv = find(r, k);
	char *nv = strdup(v);

	if (nv == NULL)
		return -1;
	if (kv != NULL) {
		sodium_memzero(kv->v, strlen(kv->v));
		free(kv->v);
		kv->v = nv;
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 32;
		struct lv_kv *p = realloc(r->kv, cap * sizeof(*p));

		if (p == NULL) {
			free(nv);
			return -1;
		}
		r->kv = p;
		r->cap = cap;
	}
	if ((r->kv[r->n].k = strdup(k)) == NULL) {
		free(nv);
		return -1;
	}
	r->kv[r->n++].v = nv;
	return 0;
}

int
lv_rec_setf(struct lv_rec *r, const char *k, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = lv_rec_set(r, k, buf);
	sodium_memzero(buf, (size_t)n);
	free(buf);
	return rc;
}

int
lv_rec_setnum(struct lv_rec *r, const char *k, long v)
{
	return lv_rec_setf(r, k, "%ld", v);
}

void
lv_rec_del(struct lv_rec *r, const char *k)
{
	struct lv_kv *kv = find(r, k);

	if (kv == NULL)
		return;
	kv_free(kv);
	*kv = r->kv[--r->n];
}

void
lv_rec_delprefix(struct lv_rec *r, const char *prefix)
{
	size_t i = 0, n = strlen(prefix);

	while (i < r->n) {
		if (strncmp(r->kv[i].k, prefix, n) == 0) {
			kv_free(&r->kv[i]);
			r->kv[i] = r->kv[--r->n];
		} else
			i++;
	}
}

size_t
lv_rec_countprefix(const struct lv_rec *r, const char *prefix)
{
	size_t i, c = 0, n = strlen(prefix);

	for (i = 0; i < r->n; i++)
		c += strncmp(r->kv[i].k, prefix, n) == 0;
	return c;
}

void
lv_rec_free(struct lv_rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		kv_free(&r->kv[i]);
	free(r->kv);
	memset(r, 0, sizeof(*r));
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lv_kv *)a)->k, ((const struct lv_kv *)b)->k);
}

static void
check_add(crypto_generichash_state *st, const char *k, size_t kl, const char *v, size_t vl)
{
	unsigned char len[8];

	cdb_pack((unsigned)kl, len);
	cdb_pack((unsigned)vl, len + 4);
	crypto_generichash_update(st, len, sizeof(len));
	crypto_generichash_update(st, (const unsigned char *)k, kl);
	crypto_generichash_update(st, (const unsigned char *)v, vl);
}

static int
text_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\0' || p[i] == '\n')
			return 0;
	return 1;
}

/* The hash tables lie between the data and the end of the file, and end
 * exactly there: a cut or padded file is damaged even when its data reads. */
static int
whole(const struct cdb *db)
{
	unsigned i, pos, n, end = db->cdb_dend;

	if (db->cdb_fsize < 2048 || db->cdb_dend < 2048 || db->cdb_dend > db->cdb_fsize)
		return -1;
	for (i = 0; i < 256; i++) {
		pos = cdb_unpack(db->cdb_mem + 8 * i);
		n = cdb_unpack(db->cdb_mem + 8 * i + 4);
		if (pos < db->cdb_dend || pos > db->cdb_fsize || n > (db->cdb_fsize - pos) / 8)
			return -1;
		if (pos + 8 * n > end)
			end = pos + 8 * n;
	}
	return end == db->cdb_fsize ? 0 : -1;
}

static int
take(struct lv_rec *r, const char *k, unsigned kl, const char *v, unsigned vl)
{
	char *ks = strndup(k, kl), *vs = strndup(v, vl);
	int rc = (ks == NULL || vs == NULL) ? -1 : lv_rec_set(r, ks, vs);

	free(ks);
	if (vs != NULL)
		sodium_memzero(vs, vl);
	free(vs);
	return rc;
}

/* Damaged (truncated, torn, random bytes, bad checksum, anything after the
 * checksum record) returns -1. */
static int
load_cdb(struct lv_rec *r, struct cdb *db)
{
	crypto_generichash_state st;
	unsigned char want[16], got[16];
	unsigned pos;
	int found = 0, rc;

	crypto_generichash_init(&st, NULL, 0, sizeof(got));
	cdb_seqinit(&pos, db);
	while ((rc = cdb_seqnext(&pos, db)) > 0) {
		unsigned kl = cdb_keylen(db), vl = cdb_datalen(db);
		const char *k = cdb_getkey(db), *v = cdb_getdata(db);

		if (found || k == NULL || v == NULL || !text_ok(k, kl) || !text_ok(v, vl) || kl > 256)
			return -1;
		if (kl == strlen(CHECK_KEY) && memcmp(k, CHECK_KEY, kl) == 0) {
			if (vl != 32 || sodium_hex2bin(want, sizeof(want), v, vl, NULL, NULL, NULL) != 0)
				return -1;
			found = 1;
			continue;
		}
		check_add(&st, k, kl, v, vl);
		if (take(r, k, kl, v, vl) != 0)
			return -1;
	}
	crypto_generichash_final(&st, got, sizeof(got));
	if (rc < 0 || !found || pos != db->cdb_dend || sodium_memcmp(want, got, sizeof(got)) != 0)
		return -1;
	return 0;
}

int
lv_rec_load(struct lv_rec *r, int fd)
{
	struct cdb db;
	struct stat st;
	int rc;

	if (fstat(fd, &st) != 0 || st.st_size < 2048 || st.st_size > 16 * 1024 * 1024)
		return -1;
	if (cdb_init(&db, fd) != 0)
		return -1;
	rc = whole(&db) == 0 ? load_cdb(r, &db) : -1;
	cdb_free(&db);
	if (rc != 0)
		lv_rec_free(r);
	return rc;
}

/* Sorted, so the same records always make the same file. */
int
lv_rec_save(const struct lv_rec *r, int fd)
{
	crypto_generichash_state st;
	struct cdb_make mk;
	struct lv_kv *sorted;
	unsigned char sum[16];
	char hex[33];
	size_t i;
	int rc = 0;

	if ((sorted = malloc((r->n + 1) * sizeof(*sorted))) == NULL)
		return -1;
	memcpy(sorted, r->kv, r->n * sizeof(*sorted));
	qsort(sorted, r->n, sizeof(*sorted), kv_cmp);
	crypto_generichash_init(&st, NULL, 0, sizeof(sum));
	if (cdb_make_start(&mk, fd) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < r->n; i++) {
		size_t kl = strlen(sorted[i].k), vl = strlen(sorted[i].v);

		check_add(&st, sorted[i].k, kl, sorted[i].v, vl);
		if (cdb_make_add(&mk, sorted[i].k, (unsigned)kl, sorted[i].v, (unsigned)vl) != 0)
			rc = -1;
	}
	free(sorted);
	crypto_generichash_final(&st, sum, sizeof(sum));
	sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
	if (rc == 0 && cdb_make_add(&mk, CHECK_KEY, strlen(CHECK_KEY), hex, 32) != 0)
		rc = -1;
	if (rc == 0 && cdb_make_finish(&mk) != 0)
		rc = -1;
	return rc;
}
