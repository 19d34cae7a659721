/* SMS codes: not yet built (issue: SMS login codes). */
#include "lv.h"

int
lv_sms_check(struct lv_acct *a, const char *code, time_t now, const char **why)
{
	(void)a; (void)code; (void)now;
	*why = "no SMS code is pending";
	return 1;
}

void
lv_sms_status(const struct lv_acct *a, struct lv_facts *f)
{
	char masked[24];
	const char *p = lv_rec_get(&a->rec, "phone");

	if (p == NULL)
		return;
	lv_mask_phone(p, masked);
	lv_fact(f, 0, "phone", 1, masked);
}

void
lv_sms_withdraw(struct lv_acct *a)
{
	lv_rec_delprefix(&a->rec, "sms.code.");
}

/* Replaces the number; pending codes sent to the old one are withdrawn. */
int
lv_phone_set(struct lv_acct *a, const char *phone, char oldmask[24])
{
	const char *old = lv_rec_get(&a->rec, "phone");

	oldmask[0] = '\0';
	if (old != NULL)
		lv_mask_phone(old, oldmask);
	lv_sms_withdraw(a);
	return lv_rec_set(&a->rec, "phone", phone) == 0 ? 0 : lv_err(EX_OSERR, "out of memory");
}
