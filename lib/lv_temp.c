/* Temporary passwords for password-only (third-party) clients: 20 letters
 * a-z (about 94 bits), one live per label, single use, kept only as a keyed
 * hash: "temp.LABEL" = "EXPIRES<TAB>HASH". Labels are printable text
 * without tabs (lv_valid_text), so they can be part of the key as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define PREFIX "temp."
#define PLEN (sizeof(PREFIX) - 1)

/* Over the normalised form lv-verify reads: upper case, no spaces. */
static void
pw_hash(const struct lv_acct *a, const char *letters, char hex[2 * LV_HASHBYTES + 1])
{
	lv_key_hash_hex(a->ctx, "lv1-temp", a->name, letters, LV_TEMP_LETTERS, hex);
}

static long
expires_of(const char *v)
{
	char *end;
	long t = strtol(v, &end, 10);

	return *end == '\t' ? t : 0; /* damaged: expired */
}

/* Printed lower case in five groups of four, "abcd efgh ijkl mnop qrst":
 * easy to read out and type; lv-verify ignores the spaces and the case. */
int
lv_temp_issue(struct lv_acct *a, const char *label, long ttl, char pw[LV_TEMP_PRINTLEN + 1],
    int *replaced)
{
	char letters[LV_TEMP_LETTERS + 1], hex[2 * LV_HASHBYTES + 1], key[PLEN + LV_TEXT_MAX + 1];
	time_t now = lv_now();
	int i, o = 0, rc = 0;

	lv_temp_expire(a, now);
	for (i = 0; i < LV_TEMP_LETTERS; i++) {
		uint32_t r = randombytes_uniform(26);

		letters[i] = (char)('A' + r);
		if (i > 0 && i % 4 == 0)
			pw[o++] = ' ';
		pw[o++] = (char)('a' + r);
	}
	letters[i] = pw[o] = '\0';
	pw_hash(a, letters, hex);
	snprintf(key, sizeof(key), PREFIX "%s", label);
	*replaced = lv_rec_get(&a->rec, key) != NULL;
	if (lv_rec_setf(&a->rec, key, "%ld\t%s", (long)now + ttl, hex) != 0)
		rc = lv_err(EX_SOFTWARE, "out of memory");
	sodium_memzero(letters, sizeof(letters));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/* 0 and the label when pw matches a live password, which is spent; 1
 * otherwise. Every stored hash is compared, without an early exit. */
int
lv_temp_check(struct lv_acct *a, const char *pw, time_t now, char label[LV_TEXT_MAX + 1],
    const char **why)
{
	char hex[2 * LV_HASHBYTES + 1], key[PLEN + LV_TEXT_MAX + 1];
	const char *v, *h;
	long expires = 0;
	size_t i;

	label[0] = '\0';
	*why = "wrong temporary password, or one used or replaced already";
	if (strlen(pw) != LV_TEMP_LETTERS)
		return 1;
	pw_hash(a, pw, hex);
	for (i = 0; i < a->rec.n; i++) {
		if (strncmp(a->rec.kv[i].k, PREFIX, PLEN) != 0)
			continue;
		v = a->rec.kv[i].v;
		if ((h = strchr(v, '\t')) != NULL && lv_hash_hex_eq(h + 1, hex)) {
			snprintf(label, LV_TEXT_MAX + 1, "%s", a->rec.kv[i].k + PLEN);
			expires = expires_of(v);
		}
	}
	sodium_memzero(hex, sizeof(hex));
	if (label[0] == '\0')
		return 1;
	snprintf(key, sizeof(key), PREFIX "%s", label);
	lv_rec_del(&a->rec, key); /* single use, and an expired one is of no more use */
	if (expires > now)
		return 0;
	*why = "this temporary password expired: issue a new one with lv-temppass";
	return 1;
}

/* Removes the expired ones (lv-expire, and before issuing); how many. */
size_t
lv_temp_expire(struct lv_acct *a, time_t now)
{
	size_t i = 0, n = 0;

	while (i < a->rec.n) {
		if (strncmp(a->rec.kv[i].k, PREFIX, PLEN) == 0 && expires_of(a->rec.kv[i].v) <= now) {
			lv_rec_del(&a->rec, a->rec.kv[i].k);
			n++;
		} else
			i++;
	}
	return n;
}

/* How many are still valid at now. */
size_t
lv_temp_live(const struct lv_acct *a, time_t now)
{
	size_t i, n = 0;

	for (i = 0; i < a->rec.n; i++)
		n += strncmp(a->rec.kv[i].k, PREFIX, PLEN) == 0 && expires_of(a->rec.kv[i].v) > now;
	return n;
}

/* When lv_temp_expire next has work. */
time_t
lv_temp_due(const struct lv_acct *a)
{
	time_t due = LV_NEVER;
	size_t i;

	for (i = 0; i < a->rec.n; i++)
		if (strncmp(a->rec.kv[i].k, PREFIX, PLEN) == 0 && expires_of(a->rec.kv[i].v) < due)
			due = expires_of(a->rec.kv[i].v);
	return due;
}

static int
by_label(const void *x, const void *y)
{
	return strcmp((*(struct lv_kv *const *)x)->k, (*(struct lv_kv *const *)y)->k);
}

/* "temppass<TAB>LABEL<TAB>EXPIRES" for each live one, by label; never the
 * password, which is not kept anyway. */
void
lv_temp_status(const struct lv_acct *a, struct lv_facts *f)
{
	struct lv_kv **live = calloc(a->rec.n + 1, sizeof(*live));
	time_t now = lv_now();
	size_t i, n = 0;

	lv_fact(f, LV_FACT_LIST, "temppass", 0);
	if (live == NULL) {
		f->failed = 1;
		return;
	}
	for (i = 0; i < a->rec.n; i++)
		if (strncmp(a->rec.kv[i].k, PREFIX, PLEN) == 0 && expires_of(a->rec.kv[i].v) > now)
			live[n++] = &a->rec.kv[i];
	qsort(live, n, sizeof(*live), by_label);
	for (i = 0; i < n; i++)
		lv_fact(f, LV_FACT_LIST, "temppass", 2, lv_text("label", live[i]->k + PLEN),
		    lv_time("expires", expires_of(live[i]->v), NULL));
	free(live);
}
