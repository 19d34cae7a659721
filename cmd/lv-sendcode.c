/* lv-sendcode: issue a 6-digit code for the phone on file and hand it to a
 * gateway: printed as "+E164<TAB>message" for a pipe, or given to a command
 * (--exec, or the configured sms_gateway) on its standard input. A send
 * that fails is withdrawn: the code stops and no wait or cap counts it. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

static const char synopsis[] = "lv-sendcode [-d DIR] [-c FILE] ACCOUNT [--exec CMD]";

struct opts {
	struct lv_cli cli;
	const char *account, *exec;
};

/* One send: what the gateway gets, and what to undo when it fails. */
struct send {
	char phone[24], mask[24];
	char code[LV_SMS_DIGITS + 1];
	char msg[1024];
	long seq, minute;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "exec", required_argument, NULL, 'e' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		o->exec = optarg;
	}
	if (rc != 0)
		return rc;
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	if (o->exec != NULL && o->exec[strspn(o->exec, " \t")] == '\0')
		return lv_usage(synopsis, "--exec needs a command");
	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	return 0;
}

/* The configured template with {code}, {minutes} and {site} filled in. */
static int
message(const struct lv_conf *c, struct send *s)
{
	char minutes[24];
	const struct lv_field f[] = { { "code", s->code }, { "minutes", minutes }, { "site", c->site_name } };
	const unsigned char *p;
	int rc;

	for (p = (const unsigned char *)c->sms_template; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return lv_err(EX_CONFIG, "sms_template: control characters (a tab) are not allowed");
	snprintf(minutes, sizeof(minutes), "%ld", c->sms_ttl >= 60 ? c->sms_ttl / 60 : 1);
	if ((rc = lv_template("sms_template", c->sms_template, f, 3, s->msg, sizeof(s->msg))) != 0)
		return rc;
	if (strstr(c->sms_template, "{code}") == NULL)
		return lv_err(EX_CONFIG, "sms_template: it has no {code}");
	return 0;
}

static void
audit(struct lv_acct *a, const char *event, const char *result, const struct send *s, const char *tag)
{
	char detail[128];
	int n = snprintf(detail, sizeof(detail), "to=%s", s->mask);

	if (s->seq > 0)
		n += snprintf(detail + n, sizeof(detail) - (size_t)n, " seq=%ld", s->seq);
	if (tag != NULL)
		snprintf(detail + n, sizeof(detail) - (size_t)n, " reason=%s", tag);
	lv_audit(a, event, "sms", result, detail);
}

/* Under the account's lock: the checks, the new code, the commit. */
static int
issue_once(struct lv_ctx *c, const struct opts *o, struct send *s)
{
	const char *phone, *tag = NULL;
	time_t now = lv_now();
	struct lv_acct a;
	int rc;

	if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
		rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
	if (rc != 0)
		goto out;
	phone = lv_rec_get(&a.rec, "phone");
	snprintf(s->phone, sizeof(s->phone), "%s", phone ? phone : "");
	lv_mask_phone(s->phone, s->mask);
	if ((rc = lv_sms_may_send(&a, now, &tag)) == 0 && (rc = lv_sms_issue(&a, now, s->code, &s->seq)) == 0 &&
	    (rc = message(&c->conf, s)) == 0 && (rc = lv_store_commit(&a)) == 0)
		audit(&a, "sms-send", "ok", s, NULL);
	else if (tag != NULL && (rc == EX_UNAVAILABLE || rc == EX_TEMPFAIL))
		audit(&a, "sms-send", "refused", s, tag);
out:
	lv_store_close(&a);
	return rc;
}

static int
issue(struct lv_ctx *c, const struct opts *o, struct send *s)
{
	int rc, tries = 0;

	do
		rc = issue_once(c, o, s);
	while (lv_store_lost(&rc, &tries));
	return rc;
}

/* Outside every lock: the pipe, or the gateway command. */
static int
deliver(struct lv_ctx *c, const struct opts *o, struct send *s)
{
	const char *cmd = o->exec != NULL ? o->exec : c->conf.sms_gateway;
	char **argv, *buf, input[sizeof(s->msg) + 1];
	int n, rc;

	if (cmd[0] == '\0') {
		printf("%s\t%s\n", s->phone, s->msg);
		return fflush(stdout) == 0 ? 0 : lv_err(EX_IOERR, "cannot write standard output:");
	}
	if ((n = lv_argv_split(cmd, &argv, &buf)) < 0)
		return lv_err(EX_SOFTWARE, "cannot run the SMS gateway: out of memory");
	argv[n] = s->phone;
	argv[n + 1] = NULL;
	snprintf(input, sizeof(input), "%s\n", s->msg);
	rc = lv_hook_run(&c->conf, "sms-gateway", argv, input, s->code);
	sodium_memzero(input, sizeof(input));
	free(buf);
	free(argv);
	if (rc != 0)
		return lv_err(EX_TEMPFAIL, "the SMS gateway failed to send to %s; the code is withdrawn "
		    "and no wait applies: try again", s->mask);
	return 0;
}

/* The send did not happen: the code stops, and no wait or cap counts it. */
static void
recall(struct lv_ctx *c, const struct opts *o, struct send *s, const char *tag)
{
	struct lv_acct a;
	int rc, tries = 0;

	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0) {
			lv_sms_recall(&a, s->seq);
			if ((rc = lv_store_commit(&a)) == 0)
				audit(&a, "sms-withdraw", "ok", s, tag);
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	lv_sms_site_give(c, s->minute);
}

/* The site's cap is taken after the account's lock is released: the two
 * locks are never held together. */
static int
send_code(struct lv_ctx *c, const struct opts *o, struct send *s)
{
	int rc;

	if (c->self_only && (o->exec != NULL || c->conf.sms_gateway[0] == '\0'))
		return lv_priv_refuse(c, c->conf.sms_gateway[0] ? "you may send a code only through the configured "
		    "SMS gateway" : "you may send a code only through the configured SMS gateway, and none is "
		    "configured", "use --exec");
	if ((rc = issue(c, o, s)) != 0)
		return rc;
	if ((rc = lv_sms_site_take(c, lv_now(), &s->minute)) != 0) {
		recall(c, o, s, "site-cap");
		return rc;
	}
	if ((rc = deliver(c, o, s)) != 0)
		recall(c, o, s, rc == EX_TEMPFAIL ? "gateway-failed" : "not-delivered");
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct send s;
	struct lv_ctx c;
	int rc;

	lv_setprog(argv[0]);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is a failed send, withdrawn */
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	s.minute = -1;
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc == LV_EXIT_OK ? 0 : rc;
	lv_ctx_args(&c, o.cli.dir, o.cli.conf);
	c.self_service = 1;
	c.due = lv_due; /* it makes accounts due sooner: the store keeps the hints */
	if ((rc = lv_ctx_open(&c, 0)) == 0)
		rc = send_code(&c, &o, &s);
	sodium_memzero(&s, sizeof(s));
	lv_ctx_close(&c);
	return rc ? rc : lv_fshut();
}
