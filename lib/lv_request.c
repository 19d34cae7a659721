/* Login requests: not yet built (issue: push login requests). */
#include "lv.h"

void
lv_request_status(const struct lv_acct *a, struct lv_facts *f)
{
	(void)a;
	lv_fact(f, 0, "pending-requests", 1, "0");
}

int
lv_request_verify(struct lv_ctx *c, const char *account, const char *id, long wait)
{
	(void)c; (void)account; (void)id; (void)wait;
	return lv_err(EX_UNAVAILABLE, "login requests are not built yet");
}
