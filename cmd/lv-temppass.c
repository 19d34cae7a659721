/* lv-temppass: issue a temporary password for one password-only client
 * (a third-party app, or the site's own app after it lost its key), which
 * lv-verify --client third-party accepts once. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

#define TTL_MAX 31536000L

static const char synopsis[] =
    "lv-temppass [-d DIR] [-c FILE] ACCOUNT [--label APP] [--ttl SECONDS] [--reason TEXT]";

struct opts {
	struct lv_cli cli;
	const char *account, *label, *ttl_s, *reason;
	long ttl;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "label", required_argument, NULL, 'l' },
		{ "ttl", required_argument, NULL, 't' }, { "reason", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		if (ch == 'l')
			o->label = optarg;
		else if (ch == 'R')
			o->reason = optarg;
		else
			o->ttl_s = optarg;
	}
	if (rc != 0)
		return rc;
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	return 0;
}

static int
validate(struct opts *o)
{
	int rc;

	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	if (o->label == NULL)
		o->label = "default";
	if ((rc = lv_text_check_said("label", o->label)) != 0 ||
	    (o->reason != NULL && (rc = lv_text_check_said("reason", o->reason)) != 0))
		return rc;
	if (o->ttl_s != NULL && (lv_parse_uint(o->ttl_s, TTL_MAX, &o->ttl) != 0 || o->ttl == 0))
		return lv_usage(synopsis, "--ttl takes seconds, 1 to 31536000");
	return 0;
}

/* After the commit, outside the lock: the owner hears of every password
 * that can log in as them. */
static void
notify(struct lv_ctx *c, const struct opts *o, const char *esc)
{
	char msg[LV_TEXT_MAX * 4 + 256];

	snprintf(msg, sizeof(msg), "A temporary password for \"%s\" was issued for %s; it works once, "
	    "for %ld s.\n", esc, o->account, o->ttl);
	lv_notify(c, "temppass-issued", o->account, msg);
}

static int
issue(struct lv_ctx *c, struct opts *o)
{
	char pw[LV_TEMP_PRINTLEN + 1] = "", esc[LV_TEXT_MAX * 4 + 1], why[sizeof(esc)] = "";
	char detail[2 * sizeof(esc) + 64];
	struct lv_acct a;
	int rc, replaced = 0, tries = 0;

	if (o->ttl_s == NULL)
		o->ttl = c->conf.temppass_ttl;
	lv_escape(o->label, esc, sizeof(esc));
	if (o->reason != NULL)
		lv_escape(o->reason, why, sizeof(why));
	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
			rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
		if (rc == 0 && (rc = lv_temp_issue(&a, o->label, o->ttl, pw, &replaced)) == 0 &&
		    (rc = lv_store_commit(&a)) == 0) {
			snprintf(detail, sizeof(detail), "label=\"%s\" ttl=%ld%s%s%s%s", esc, o->ttl,
			    replaced ? " replaced" : "", o->reason ? " reason=\"" : "", why, o->reason ? "\"" : "");
			lv_audit(&a, "temppass", "temp", "ok", detail);
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	if (rc == 0) {
		notify(c, o, esc);
		printf("%s\n", pw);
	}
	sodium_memzero(pw, sizeof(pw));
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
	if ((rc = validate(&o)) != 0)
		return rc;
	lv_ctx_args(&c, o.cli.dir, o.cli.conf);
	c.due = lv_due; /* it makes accounts due sooner: the store keeps the hints */
	if ((rc = lv_ctx_open(&c, 0)) == 0)
		rc = issue(&c, &o);
	lv_ctx_close(&c);
	return rc ? rc : lv_fshut();
}
