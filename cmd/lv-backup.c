/* lv-backup: release a new backup code, show the sequence, or reset it;
 * a code released for someone (who lost the phone) is tied to its ticket
 * by --reason in the audit log. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

static const char synopsis[] =
    "lv-backup [-d DIR] [-c FILE] new|reset ACCOUNT [--print] [--reason TEXT] | lv-backup status ACCOUNT";

struct opts {
	struct lv_cli cli;
	const char *verb, *account, *reason;
	int print;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "print", no_argument, NULL, 'P' }, { "reason", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		if (ch == 'R')
			o->reason = optarg;
		else
			o->print = 1;
	}
	if (rc != 0)
		return rc;
	if ((rc = lv_cli_operands(argc, argv, 2, synopsis)) != 0)
		return rc;
	o->verb = argv[optind];
	o->account = argv[optind + 1];
	if (strcmp(o->verb, "new") != 0 && strcmp(o->verb, "status") != 0 && strcmp(o->verb, "reset") != 0)
		return lv_usage(synopsis, "the verb is new, status or reset");
	if (o->print && strcmp(o->verb, "status") == 0)
		return lv_usage(synopsis, "--print goes with new or reset");
	if (o->reason != NULL && strcmp(o->verb, "status") == 0)
		return lv_usage(synopsis, "--reason goes with new or reset");
	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	return o->reason != NULL ? lv_text_check_said("reason", o->reason) : 0;
}

/* A layout for paper: who, when, which number, and the rule of order. */
static void
print_paper(const char *account, const char *code, long seq)
{
	char when[32];

	lv_isotime(lv_now(), when);
	printf("Backup code for %s\n", account);
	printf("Released %s, number %ld in the sequence\n\n", when, seq);
	printf("    %s\n\n", code);
	printf("Use backup codes in order: using this code invalidates every earlier one.\n");
	printf("Each code works once. Keep this paper away from your phone.\n");
}

static int
release(struct lv_ctx *c, const struct opts *o)
{
	char code[LV_BACKUP_CODELEN + 1] = "", esc[LV_TEXT_MAX * 4 + 1], detail[sizeof(esc) + 16] = "";
	int reset = strcmp(o->verb, "reset") == 0;
	struct lv_acct a;
	long seq = 0;
	int rc, tries = 0;

	if (o->reason != NULL) {
		lv_escape(o->reason, esc, sizeof(esc));
		snprintf(detail, sizeof(detail), "reason=\"%s\"", esc);
	}
	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
			rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
		if (rc == 0 && (rc = lv_backup_release(&a, reset, code)) == 0 &&
		    (rc = lv_store_commit(&a)) == 0) {
			seq = lv_rec_getnum(&a.rec, "backup.next", 1) - 1;
			lv_audit(&a, reset ? "backup-reset" : "backup-new", "backup", "ok", detail);
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	if (rc == 0 && o->print)
		print_paper(o->account, code, seq);
	else if (rc == 0)
		printf("%s\n", code);
	sodium_memzero(code, sizeof(code));
	return rc;
}

static int
status(struct lv_ctx *c, const struct opts *o)
{
	struct lv_acct a;
	char when[32];
	int rc;

	if ((rc = lv_store_open(c, o->account, 0, &a)) == 0 && !lv_store_enrolled(&a))
		rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
	if (rc == 0) {
		printf("backup-codes\t%zu\n", lv_backup_active(&a));
		for (long seq = 1; seq < lv_rec_getnum(&a.rec, "backup.next", 1); seq++) {
			char key[32];
			const char *v;

			snprintf(key, sizeof(key), "backup.%08ld", seq);
			if ((v = lv_rec_get(&a.rec, key)) == NULL)
				continue;
			lv_isotime((time_t)strtol(v, NULL, 10), when);
			printf("backup-code\t%ld\t%s\n", seq, when);
		}
	}
	lv_store_close(&a);
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
		rc = strcmp(o.verb, "status") == 0 ? status(&c, &o) : release(&c, &o);
	lv_ctx_close(&c);
	return rc ? rc : lv_fshut();
}
