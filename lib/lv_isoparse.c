/* ISO 8601 times in UTC as lv writes them (2026-01-01T00:00:00Z), read
 * back strictly: what does not print the same again is refused. */
#include <string.h>
#include <time.h>

#include "lv.h"

int
lv_isotime_parse(const char *s, time_t *t)
{
	struct tm tm;
	char again[32];
	const char *end;

	if (strlen(s) != 20)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return -1;
	*t = timegm(&tm);
	lv_isotime(*t, again);
	return strcmp(again, s) == 0 ? 0 : -1;
}
