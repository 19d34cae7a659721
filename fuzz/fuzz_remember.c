/* Fuzzes remembered-device tokens (lv_remember.c): lv_remember_parse on
 * any bytes, normalised as lv_answer_read does; lv_remember_check of what
 * parses against an account held in memory with one series; and the
 * series record itself (the input planted as its value: damaged records).
 * Each input is tried as it is and spliced over the tail of the issued
 * token, so that near misses and the right token are reached too. Beyond
 * memory safety: what parses is 52 characters "LVR1"+16+32 and spells its
 * id canonically; only the issued token is accepted, and then once (a
 * second time revokes the series); a token of another series is refused
 * and changes no record; a wrong secret for the series revokes it; a
 * damaged series never accepts. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lv.h"

#define T0 1767225600 /* 2026-01-01 */

static struct lv_ctx ctx;
static struct lv_rec issued;    /* the account's records after the issue */
static char token[LV_ANSWER_MAX + 1]; /* the issued token, normalised */
static char issued_id[LV_REMEMBER_IDLEN + 1];

static void
rec_copy(struct lv_rec *to, const struct lv_rec *from)
{
	size_t i;

	memset(to, 0, sizeof(*to));
	for (i = 0; i < from->n; i++)
		if (lv_rec_set(to, from->kv[i].k, from->kv[i].v) != 0)
			abort();
}

/* As lv_answer_read: no spaces or dashes, upper case. */
static size_t
normalise(const char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n && o < LV_ANSWER_MAX; i++)
		if (in[i] != ' ' && in[i] != '-')
			out[o++] = (char)toupper((unsigned char)in[i]);
	out[o] = '\0';
	return o;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct lv_remember r;
	struct lv_acct a;

	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_remember") != 0)
		return -1;
	fuzz_ctx(&ctx);
	fuzz_acct(&ctx, &a, "alice");
	memset(&r, 0, sizeof(r));
	r.label = "laptop";
	if (lv_remember_issue(&a, &r, T0) != 0)
		abort();
	normalise(r.token, strlen(r.token), token);
	memcpy(issued_id, r.id, sizeof(issued_id));
	rec_copy(&issued, &a.rec);
	lv_rec_free(&a.rec);
	return 0;
}

static void
check_parsed(const char *s, size_t n, const char *id, const unsigned char *secret)
{
	char again[64], b32[40];

	if (n != 52 || memcmp(s, "LVR1", 4) != 0 || strlen(id) != LV_REMEMBER_IDLEN ||
	    strspn(id, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != LV_REMEMBER_IDLEN)
		abort();
	lv_b32_encode(secret, LV_REMEMBER_SECRET, b32);
	snprintf(again, sizeof(again), "LVR1%s%s", id, b32);
	{
		unsigned char sec2[LV_REMEMBER_SECRET];
		char id2[LV_REMEMBER_IDLEN + 1];

		if (lv_remember_parse(again, strlen(again), id2, sec2) != 0 || strcmp(id, id2) != 0 ||
		    memcmp(secret, sec2, sizeof(sec2)) != 0)
			abort();
	}
}

/* One normalised answer against a fresh copy of the account. */
static void
check_token(const char *s, size_t n)
{
	unsigned char secret[LV_REMEMBER_SECRET], want[LV_REMEMBER_SECRET];
	char id[LV_REMEMBER_IDLEN + 1], wid[LV_REMEMBER_IDLEN + 1], buf[1024];
	struct lv_remember r;
	const char *why;
	struct lv_acct a;
	int rc, right;

	if (lv_remember_parse(s, n, id, secret) != 0)
		return;
	check_parsed(s, n, id, secret);
	if (lv_remember_parse(token, strlen(token), wid, want) != 0)
		abort();
	right = strcmp(id, wid) == 0 && memcmp(secret, want, sizeof(want)) == 0;
	fuzz_acct(&ctx, &a, "alice");
	rec_copy(&a.rec, &issued);
	memset(&r, 0, sizeof(r));
	rc = lv_remember_check(&a, id, secret, T0 + 60, &r, buf, sizeof(buf), &why);
	if (rc == 0 && (!right || lv_remember_check(&a, id, secret, T0 + 61, &r, buf, sizeof(buf), &why) != 2))
		abort();
	if (rc == 1 && (strcmp(id, issued_id) == 0 || !fuzz_rec_same(&a.rec, &issued)))
		abort();
	if (rc == 2 && (right || strcmp(id, issued_id) != 0 || lv_rec_countprefix(&a.rec, "remember.") != 0))
		abort();
	if (rc > 2)
		abort();
	lv_rec_free(&a.rec);
}

/* The input as the series' record: a damaged one never accepts. */
static void
check_damaged(const char *v)
{
	unsigned char secret[LV_REMEMBER_SECRET];
	char id[LV_REMEMBER_IDLEN + 1], key[64], buf[1024];
	struct lv_facts f = { NULL, 0, 0, 0 };
	struct lv_remember r;
	const char *why;
	struct lv_acct a;

	if (lv_remember_parse(token, strlen(token), id, secret) != 0)
		abort();
	fuzz_acct(&ctx, &a, "alice");
	snprintf(key, sizeof(key), "remember.%s", id);
	if (lv_rec_set(&a.rec, key, v) != 0)
		abort();
	memset(&r, 0, sizeof(r));
	if (lv_remember_check(&a, id, secret, T0 + 60, &r, buf, sizeof(buf), &why) == 0 &&
	    strcmp(v, lv_rec_get(&issued, key)) != 0)
		abort();
	lv_remember_status(&a, &f);
	lv_facts_free(&f);
	lv_rec_free(&a.rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[LV_ANSWER_MAX + 1], s[LV_ANSWER_MAX + 1], spliced[LV_ANSWER_MAX + 1];
	size_t n, k, tl = strlen(token);

	if (size > LV_ANSWER_MAX || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	n = normalise(in, size, s);
	check_token(s, n);
	k = n < tl ? n : tl;
	memcpy(spliced, token, tl - k);
	memcpy(spliced + tl - k, s, k);
	spliced[tl] = '\0';
	check_token(spliced, tl);
	check_damaged(in);
	return 0;
}
