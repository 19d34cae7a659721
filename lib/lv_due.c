/* When an account next has something for lv-expire to do: the earliest of
 * its methods' times. A time in the past means "now". */
#include "lv.h"

/* t + delay, without overflowing on a damaged time. */
time_t
lv_due_after(long t, long delay)
{
	if (delay < 0 || t > (long)LV_NEVER - delay)
		return LV_NEVER;
	return (time_t)(t + delay);
}

time_t
lv_due(const struct lv_acct *a)
{
	time_t due = lv_sms_due(a), t;

	if ((t = lv_temp_due(a)) < due)
		due = t;
	if ((t = lv_request_due(a)) < due)
		due = t;
	return due < 0 ? 0 : due;
}
