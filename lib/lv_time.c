/* The clock, and ISO 8601 in UTC everywhere. */
#include <time.h>

#include "lv.h"

time_t
lv_now(void)
{
	return time(NULL);
}

void
lv_isotime(time_t t, char out[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}
