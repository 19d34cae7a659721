/* Backup codes: a numbered sequence of 80-bit codes, at most backup_max
 * unused. Using code k spends it and every code numbered below k. Only keyed
 * hashes are kept: "backup.SEQ" = "RELEASED<TAB>HASH" while active,
 * "backup-spent.SEQ" = "HASH" once used or invalidated, for the message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define ACTIVE "backup.0"
#define SPENT "backup-spent."
#define SPENT_KEEP 20
#define CODE_BYTES 10

static void
code_hash(struct lv_acct *a, const unsigned char raw[CODE_BYTES], char hex[2 * LV_HASHBYTES + 1])
{
	lv_key_hash_hex(a->ctx, "lv1-backup", a->name, raw, CODE_BYTES, hex);
}

size_t
lv_backup_active(const struct lv_acct *a)
{
	return lv_rec_countprefix(&a->rec, ACTIVE);
}

static long
key_seq(const char *k, const char *prefix)
{
	long seq;

	if (strncmp(k, prefix, strlen(prefix)) != 0 ||
	    lv_parse_uint(k + strlen(prefix), 99999999, &seq) != 0)
		return -1;
	return seq;
}

/* Moves active codes numbered up to max into the spent list, and forgets
 * spent codes too old to matter. Deleting moves the last record into slot
 * i, so i only advances past records that stay. */
static int
spend_upto(struct lv_acct *a, long max)
{
	long next = lv_rec_getnum(&a->rec, "backup.next", 1), seq;
	const char *v, *tab;
	char skey[64];
	size_t i = 0;

	while (i < a->rec.n) {
		const char *k = a->rec.kv[i].k;

		if ((seq = key_seq(k, "backup.")) > 0 && seq <= max) {
			v = a->rec.kv[i].v;
			snprintf(skey, sizeof(skey), SPENT "%08ld", seq);
			if ((tab = strchr(v, '\t')) != NULL && lv_rec_set(&a->rec, skey, tab + 1) != 0)
				return -1;
			lv_rec_del(&a->rec, k);
		} else if ((seq = key_seq(k, SPENT)) >= 0 && seq < next - SPENT_KEEP)
			lv_rec_del(&a->rec, k);
		else
			i++;
	}
	return 0;
}

static void
format_code(const unsigned char raw[CODE_BYTES], char code[LV_BACKUP_CODELEN + 1])
{
	char b32[17];
	int i, o = 0;

	lv_b32_encode(raw, CODE_BYTES, b32);
	for (i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			code[o++] = '-';
		code[o++] = b32[i];
	}
	code[o] = '\0';
	sodium_memzero(b32, sizeof(b32));
}

/* 0, or EX_TEMPFAIL when backup_max codes are unused already. */
int
lv_backup_release(struct lv_acct *a, int reset, char code[LV_BACKUP_CODELEN + 1])
{
	long next = lv_rec_getnum(&a->rec, "backup.next", 1);
	unsigned char raw[CODE_BYTES];
	char hex[2 * LV_HASHBYTES + 1], key[64];
	int rc = 0;

	if (reset && spend_upto(a, next - 1) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	if ((long)lv_backup_active(a) >= a->ctx->conf.backup_max)
		return lv_err(EX_TEMPFAIL, "%s has %ld unused backup codes already: use one, or reset them",
		    a->name, a->ctx->conf.backup_max);
	randombytes_buf(raw, sizeof(raw));
	code_hash(a, raw, hex);
	format_code(raw, code);
	snprintf(key, sizeof(key), "backup.%08ld", next);
	if (lv_rec_setf(&a->rec, key, "%ld\t%s", (long)lv_now(), hex) != 0 ||
	    lv_rec_setnum(&a->rec, "backup.next", next + 1) != 0)
		rc = lv_err(EX_SOFTWARE, "out of memory");
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

static long
find_hash(const struct lv_acct *a, const char *prefix, const char *hex)
{
	long found = -1, seq;
	const char *v, *h;
	size_t i;

	/* Every candidate compared, in constant time, without an early exit. */
	for (i = 0; i < a->rec.n; i++) {
		if ((seq = key_seq(a->rec.kv[i].k, prefix)) < 0)
			continue;
		v = a->rec.kv[i].v;
		h = (h = strchr(v, '\t')) != NULL ? h + 1 : v;
		if (lv_hash_hex_eq(h, hex))
			found = seq;
	}
	return found;
}

/* 0 accepted (*seq set), 1 unknown, 2 inactive (used, or invalidated by a
 * later code), 65 not a backup code. */
int
lv_backup_check(struct lv_acct *a, const char *answer, long *seq)
{
	unsigned char raw[CODE_BYTES];
	char hex[2 * LV_HASHBYTES + 1];
	long k;

	if (lv_b32_decode(answer, strlen(answer), raw, sizeof(raw)) != 0)
		return EX_DATAERR;
	code_hash(a, raw, hex);
	sodium_memzero(raw, sizeof(raw));
	if ((k = find_hash(a, "backup.", hex)) > 0) {
		*seq = k;
		return spend_upto(a, k) == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
	}
	return find_hash(a, SPENT, hex) > 0 ? 2 : 1;
}
