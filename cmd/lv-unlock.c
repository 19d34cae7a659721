/* lv-unlock: support clears a lock-out and the failure count, with a
 * reason for the audit log. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lv.h"

static const char synopsis[] = "lv-unlock [-d DIR] [-c FILE] ACCOUNT --reason TEXT";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "reason", required_argument, NULL, 'R' }, { NULL, 0, NULL, 0 }
	};
	char detail[LV_TEXT_MAX * 4 + 16], esc[LV_TEXT_MAX * 4 + 1];
	const char *reason = NULL;
	struct lv_cli cli = { NULL, NULL };
	struct lv_acct a;
	struct lv_ctx c;
	int ch, rc;

	lv_setprog(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, LV_COMMON_SHORT, longopts, NULL)) != -1) {
		if ((rc = lv_cli_common(ch, argv, &cli, synopsis)) >= 0) {
			if (rc != 0)
				return rc == LV_EXIT_OK ? 0 : rc;
			continue;
		}
		reason = optarg;
	}
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	if (reason == NULL)
		return lv_usage(synopsis, "--reason is required (it goes to the audit log)");
	if (lv_valid_account(argv[optind]) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	if (lv_valid_text(reason) != 0 || reason[0] == '\0')
		return lv_err(EX_DATAERR, "bad reason: 1-128 printable characters, no tabs or newlines");
	lv_escape(reason, esc, sizeof(esc));
	snprintf(detail, sizeof(detail), "reason=\"%s\"", esc);
	lv_ctx_args(&c, cli.dir, cli.conf);
	if ((rc = lv_ctx_open(&c, 0)) == 0 && (rc = lv_store_open(&c, argv[optind], LV_OPEN_LOCK, &a)) == 0) {
		if (!lv_store_enrolled(&a))
			rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", argv[optind]);
		else {
			lv_fail_reset(&a);
			lv_rec_del(&a.rec, "fail3.count");
			if ((rc = lv_store_commit(&a)) == 0)
				lv_audit(&a, "unlock", NULL, "ok", detail);
		}
		lv_store_close(&a);
	}
	lv_ctx_close(&c);
	return rc;
}
