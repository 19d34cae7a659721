/* Turning login verification off: every method and secret and the full
 * phone number go; the rate counters ("rate." records) stay, and the
 * disabled line says when, by whom and why. */
#include <stdio.h>
#include <string.h>

#include "lv.h"

void
lv_disable(struct lv_acct *a, const char *by, const char *reason)
{
	size_t i = 0;

	a->purge = 1;
	while (i < a->rec.n) {
		if (strncmp(a->rec.kv[i].k, "rate.", 5) != 0)
			lv_rec_del(&a->rec, a->rec.kv[i].k);
		else
			i++;
	}
	lv_rec_setf(&a->rec, "disabled", "%ld\t%s\t%s", (long)lv_now(), by, reason);
}
