/* Consecutive failures of an account, kept in its records. After lock_after
 * of them each further 6-digit answer waits a delay that doubles from
 * lock_min to lock_max; a success or lv-unlock clears both. */
#include <stdlib.h>
#include <string.h>

#include "lv.h"

static const char *const keys[3] = { "fail.count", "fail.until", "fail.last" };

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
}

/* lv-verify counts a guess on disk before it checks it, then puts the
 * failure records back as read so that the check counts it (or clears it)
 * again in its own commit. */
int
lv_fail_mark(const struct lv_acct *a, struct lv_fail_mark *m)
{
	const char *v;
	int i, rc = 0;

	for (i = 0; i < 3; i++) {
		v = lv_rec_get(&a->rec, keys[i]);
		m->v[i] = v ? strdup(v) : NULL;
		rc |= v != NULL && m->v[i] == NULL;
	}
	return rc ? -1 : 0;
}

int
lv_fail_restore(struct lv_acct *a, struct lv_fail_mark *m)
{
	int i, rc = 0;

	for (i = 0; i < 3; i++) {
		if (m->v[i] == NULL)
			lv_rec_del(&a->rec, keys[i]);
		else if (lv_rec_set(&a->rec, keys[i], m->v[i]) != 0)
			rc = -1;
		free(m->v[i]);
		m->v[i] = NULL;
	}
	return rc;
}
