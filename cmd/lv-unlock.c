/* lv-unlock: support clears a lock-out and the failure count, with a
 * reason for the audit log. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lv.h"

static const char synopsis[] = "lv-unlock [-d DIR] [-c FILE] ACCOUNT --reason TEXT";

struct opts {
	struct lv_cli cli;
	const char *account, *reason;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "reason", required_argument, NULL, 'R' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		o->reason = optarg;
	}
	if (rc != 0)
		return rc;
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	if (o->reason == NULL)
		return lv_usage(synopsis, "--reason is required (it goes to the audit log)");
	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	return lv_text_check_said("reason", o->reason);
}

static int
unlock(struct lv_ctx *c, const struct opts *o)
{
	char detail[LV_TEXT_MAX * 4 + 16], esc[LV_TEXT_MAX * 4 + 1];
	struct lv_acct a;
	int rc, tries = 0;

	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
			rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
		if (rc == 0) {
			lv_fail_reset(&a);
			lv_rec_del(&a.rec, "fail3.count");
			rc = lv_store_commit(&a);
		}
		if (rc == 0) {
			lv_escape(o->reason, esc, sizeof(esc));
			snprintf(detail, sizeof(detail), "reason=\"%s\"", esc);
			lv_audit(&a, "unlock", NULL, "ok", detail);
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct lv_ctx c;
	int rc;

	lv_setprog(argv[0]);
	memset(&o, 0, sizeof(o));
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc == LV_EXIT_OK ? 0 : rc;
	lv_ctx_args(&c, o.cli.dir, o.cli.conf);
	if ((rc = lv_ctx_open(&c, 0)) == 0)
		rc = unlock(&c, &o);
	lv_ctx_close(&c);
	return rc;
}
