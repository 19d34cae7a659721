/* TOTP: not yet built (issue: temporary passwords and TOTP). */
#include "lv.h"

int
lv_totp_check(struct lv_acct *a, const char *code, time_t now, const char **why)
{
	(void)a; (void)code; (void)now;
	*why = "TOTP is not enrolled";
	return 1;
}

void
lv_totp_status(const struct lv_acct *a, struct lv_facts *f)
{
	lv_fact(f, 0, "totp", 1, lv_rec_get(&a->rec, "totp.secret") ? "yes" : "no");
}

int
lv_totp_import_ga(const char *path, unsigned char *secret, size_t max, size_t *len)
{
	(void)path; (void)secret; (void)max; (void)len;
	return lv_err(EX_UNAVAILABLE, "TOTP is not built yet");
}

int
lv_totp_set(struct lv_acct *a, const unsigned char *secret, size_t len, char *uri, size_t urisz)
{
	(void)a; (void)secret; (void)len; (void)uri; (void)urisz;
	return lv_err(EX_UNAVAILABLE, "TOTP is not built yet");
}

int
lv_totp_print_uri(const char *uri, int qr)
{
	(void)uri; (void)qr;
	return 0;
}

void
lv_totp_remove(struct lv_acct *a)
{
	lv_rec_delprefix(&a->rec, "totp.");
}
