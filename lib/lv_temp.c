/* Temporary passwords: not yet built (issue: temporary passwords and TOTP). */
#include "lv.h"

int
lv_temp_check(struct lv_acct *a, const char *pw, time_t now, char label[LV_TEXT_MAX + 1],
    const char **why)
{
	(void)a; (void)pw; (void)now;
	label[0] = '\0';
	*why = "no temporary password is live";
	return 1;
}

void
lv_temp_status(const struct lv_acct *a, struct lv_facts *f)
{
	(void)a; (void)f;
}
