/* Consecutive failures of an account, kept in its records. After lock_after
 * of them each further 6-digit answer waits a delay that doubles from
 * lock_min to lock_max; a success or lv-unlock clears both. */
#include <stdio.h>

#include "lv.h"

#define GUESS "fail.guess." /* a 6-digit guess counted, not yet checked */

long
lv_fail_locked(const struct lv_acct *a, time_t now)
{
	long until = lv_rec_getnum(&a->rec, "fail.until", 0);

	return until > now ? until - now : 0;
}

/* Returns 1 when this failure starts or extends a lock-out, -1 when it
 * could not be counted (out of memory: the caller must not commit). */
int
lv_fail_count(struct lv_acct *a, time_t now, const char *method)
{
	const struct lv_conf *c = &a->ctx->conf;
	long n = lv_rec_getnum(&a->rec, "fail.count", 0) + 1, delay;
	int shift;

	(void)method;
	if (lv_rec_setnum(&a->rec, "fail.count", n) != 0 || lv_rec_setnum(&a->rec, "fail.last", (long)now) != 0)
		return -1;
	if (n < c->lock_after)
		return 0;
	shift = (int)(n - c->lock_after);
	delay = shift >= 30 ? c->lock_max : c->lock_min << shift;
	if (delay > c->lock_max)
		delay = c->lock_max;
	return lv_rec_setnum(&a->rec, "fail.until", (long)now + delay) == 0 ? 1 : -1;
}

void
lv_fail_reset(struct lv_acct *a)
{
	lv_rec_del(&a->rec, "fail.count");
	lv_rec_del(&a->rec, "fail.until");
	lv_rec_del(&a->rec, "fail.last");
	lv_rec_delprefix(&a->rec, GUESS);
}

/* A guess counted before its check (lv-verify): the failure, and a mark of
 * the guess, so that its check can tell whether a success cleared the
 * count in between (only possible when locks are lost). */
int
lv_fail_pre(struct lv_acct *a, time_t now, const char *guess)
{
	char key[64];

	snprintf(key, sizeof(key), GUESS "%s", guess);
	if (lv_rec_setnum(&a->rec, key, (long)now) != 0)
		return -1;
	return lv_fail_count(a, now, NULL);
}

/* The guess was wrong: it stays counted, or is counted again when a
 * success cleared the count after it was counted. */
int
lv_fail_post(struct lv_acct *a, time_t now, const char *guess)
{
	char key[64];

	snprintf(key, sizeof(key), GUESS "%s", guess);
	if (lv_rec_get(&a->rec, key) == NULL)
		return lv_fail_count(a, now, NULL);
	lv_rec_del(&a->rec, key);
	return 0;
}
