/* hint-cas ACCOUNT: plays lv-expire and a writer against the hint of the
 * account's bucket, in the orders a race can take, and prints the hint's
 * time after each: lv-expire's compare and swap must lose to any writer
 * that came in between. For t0501. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "lv.h"

struct play {
	struct lv_ctx c;
	const char *account;
	char bucket[8];
	int top;
};

/* What lv-expire reads before a sweep, without the lock. */
static int
seen(struct play *p, struct lv_hint *h)
{
	struct lv_hints t;

	if (lv_hints_load(&p->c, p->top, p->bucket, &t) != 0 || lv_hints_get(&t, p->bucket, h) != 0)
		return lv_err(EX_SOFTWARE, "no hint to read");
	return 0;
}

static void
show(struct play *p, const char *step)
{
	struct lv_hint h;

	if (seen(p, &h) == 0)
		printf("%s %lld\n", step, h.due == LV_NEVER ? -1LL : (long long)h.due);
}

static int
play(struct play *p)
{
	struct lv_hint h;

	/* a: no hint yet; lv-expire makes one and stores what it found */
	if (lv_hint_begin(&p->c, p->top, p->bucket, &h) != 0 || lv_hint_store(&p->c, p->top, p->bucket, &h, 5000))
		return 1;
	show(p, "a");
	/* b: a writer lowers the hint during the sweep: the store loses */
	if (seen(p, &h) || lv_hint_lower(&p->c, p->account, 3000) || lv_hint_store(&p->c, p->top, p->bucket, &h, 9000))
		return 1;
	show(p, "b");
	/* c: a writer that only commits during the sweep (the version bump
	 * after the commit): the store loses */
	if (seen(p, &h) || lv_hint_lower(&p->c, p->account, LV_NEVER) ||
	    lv_hint_store(&p->c, p->top, p->bucket, &h, 9000))
		return 1;
	show(p, "c");
	/* d: nobody in between: the store wins */
	if (seen(p, &h) || lv_hint_store(&p->c, p->top, p->bucket, &h, 9000))
		return 1;
	show(p, "d");
	/* e: the file deleted and made again by a writer: the store loses */
	if (seen(p, &h) || unlinkat(p->top, ".hints", 0) != 0 || lv_hint_lower(&p->c, p->account, 7000) ||
	    lv_hint_store(&p->c, p->top, p->bucket, &h, 9000))
		return 1;
	show(p, "e");
	/* f: lowering to a later time changes only the version */
	if (seen(p, &h) || lv_hint_store(&p->c, p->top, p->bucket, &h, 4000) ||
	    lv_hint_lower(&p->c, p->account, 6000))
		return 1;
	show(p, "f");
	return 0;
}

int
main(int argc, char **argv)
{
	struct play p;
	int rc;

	lv_setprog(argv[0]);
	if (argc != 2)
		return lv_err(EX_USAGE, "usage: hint-cas ACCOUNT");
	p.account = argv[1];
	lv_ctx_args(&p.c, NULL, NULL);
	if ((rc = lv_ctx_open(&p.c, 0)) != 0)
		return rc;
	lv_store_bucket(p.account, p.bucket);
	p.bucket[2] = '\0';
	p.top = openat(p.c.dirfd, p.bucket, O_RDONLY | O_DIRECTORY);
	p.bucket[2] = '/';
	if (p.top < 0)
		return lv_err(EX_NOINPUT, "no bucket for %s:", p.account);
	rc = play(&p);
	return rc ? rc : lv_fshut();
}
