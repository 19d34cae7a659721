/* Device keys: not yet built (issue: push login requests). */
#include "lv.h"

void
lv_device_status(const struct lv_acct *a, struct lv_facts *f)
{
	(void)a; (void)f;
}

int
lv_device_parse_pub(const char *line, unsigned char pk[32])
{
	(void)line; (void)pk;
	return -1;
}

int
lv_device_add(struct lv_acct *a, const unsigned char pk[32], char id[32])
{
	(void)a; (void)pk; (void)id;
	return lv_err(EX_UNAVAILABLE, "device keys are not built yet");
}

int
lv_device_remove(struct lv_acct *a, const char *id)
{
	(void)a;
	return lv_err(EX_UNAVAILABLE, "no device %s", id);
}

int
lv_signout_check(struct lv_acct *a, const char *line, time_t now, char id[32])
{
	(void)a; (void)line; (void)now; (void)id;
	return lv_err(EX_UNAVAILABLE, "device keys are not built yet");
}
