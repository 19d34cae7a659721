/* lv-requests: login requests for the push flow. The login session makes
 * one (new) and keeps its token; the device lists them, shows one to sign,
 * and sends its signed answer back (answer). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

static const char synopsis[] =
    "lv-requests [-d DIR] [-c FILE] new ACCOUNT [--ip IP] [--client TEXT] [--location TEXT] [--exec CMD] | "
    "list ACCOUNT [--all] [--json] | show ACCOUNT ID | answer ACCOUNT";

#define RECENT 86400 /* list without --all: pending, and anything of the last day */
#define ROW 6         /* values of a request in list --json */

enum verb { NEW, LIST, SHOW, ANSWER };

struct opts {
	struct lv_cli cli;
	enum verb verb;
	const char *account, *id, *ip, *client, *location, *exec;
	int all, json;
	char line[1024];
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG,
		{ "ip", required_argument, NULL, 'i' }, { "client", required_argument, NULL, 'C' },
		{ "location", required_argument, NULL, 'L' }, { "exec", required_argument, NULL, 'e' },
		{ "all", no_argument, NULL, 'a' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		switch (ch) {
		case 'i': o->ip = optarg; break;
		case 'C': o->client = optarg; break;
		case 'L': o->location = optarg; break;
		case 'e': o->exec = optarg; break;
		case 'a': o->all = 1; break;
		case 'j': o->json = 1; break;
		}
	}
	if (rc != 0)
		return rc;
	return 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const char *verbs[] = { "new", "list", "show", "answer" };
	int rc, i;

	if ((rc = parse_opts(argc, argv, o)) != 0)
		return rc;
	if (optind >= argc)
		return lv_usage(synopsis, "missing operand");
	for (i = 0; i < 4 && strcmp(argv[optind], verbs[i]) != 0; i++)
		;
	if (i == 4)
		return lv_usage(synopsis, "the verb is new, list, show or answer");
	o->verb = (enum verb)i;
	optind++;
	if ((rc = lv_cli_operands(argc, argv, o->verb == SHOW ? 2 : 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	o->id = o->verb == SHOW ? argv[optind + 1] : NULL;
	if (o->verb != NEW && (o->ip || o->client || o->location || o->exec))
		return lv_usage(synopsis, "--ip, --client, --location and --exec go with new");
	if (o->verb != LIST && (o->all || o->json))
		return lv_usage(synopsis, "--all and --json go with list");
	return 0;
}

static int
validate(struct opts *o)
{
	size_t n;
	int rc;

	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	if (o->ip != NULL && lv_valid_ip(o->ip) != 0)
		return lv_err(EX_DATAERR, "bad --ip: an IPv4 or IPv6 address expected");
	if (o->client != NULL && (rc = lv_text_check("client", o->client)) != 0)
		return rc;
	if (o->location != NULL && (rc = lv_text_check("location", o->location)) != 0)
		return rc;
	if (o->exec != NULL && strspn(o->exec, " \t") == strlen(o->exec))
		return lv_err(EX_DATAERR, "bad --exec: a command expected");
	if (o->id != NULL && lv_request_valid_id(o->id) != 0)
		return lv_err(EX_DATAERR, "bad request id: %d hex digits expected", LV_REQID_LEN);
	if (o->verb == ANSWER && lv_line_read(0, o->line, sizeof(o->line), &n) != 0)
		return lv_err(EX_DATAERR, "malformed answer: one lv1-answer line expected");
	return 0;
}

static int
open_enrolled(struct lv_ctx *c, const char *account, int flags, struct lv_acct *a)
{
	int rc = lv_store_open(c, account, flags, a);

	if (rc == 0 && !lv_store_enrolled(a))
		rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", account);
	return rc;
}

/* The device is told after the commit, outside the lock. A failed push
 * leaves the request listed: the user can still find it in the app. */
static void
push(struct lv_ctx *c, const struct opts *o, const char *id, const char *line)
{
	char **argv, *buf, input[LV_REQLINE_MAX + 2];
	int n;

	if (o->exec == NULL || (n = lv_argv_split(o->exec, &argv, &buf)) < 0)
		return;
	argv[n] = (char *)o->account;
	argv[n + 1] = (char *)id;
	argv[n + 2] = NULL;
	snprintf(input, sizeof(input), "%s\n", line);
	if (lv_hook_run(&c->conf, "push", argv, input, NULL) != 0)
		lv_warn("could not notify the device of %s; request %s stays listed (lv-requests list)",
		    o->account, id);
	free(buf);
	free(argv);
}

static void
audit_new(struct lv_acct *a, const struct opts *o, const struct lv_req *r)
{
	char detail[LV_AUDIT_LINE], cl[LV_TEXT_SHOWN], lo[LV_TEXT_SHOWN];

	lv_escape(o->client ? o->client : "", cl, sizeof(cl));
	lv_escape(o->location ? o->location : "", lo, sizeof(lo));
	snprintf(detail, sizeof(detail), "request=%s ip=%s client=\"%s\" location=\"%s\"", r->id,
	    o->ip ? o->ip : "-", cl, lo);
	lv_audit(a, "request-new", "push", "ok", detail);
}

static int
new_request(struct lv_ctx *c, const struct opts *o)
{
	char token[LV_TOKEN_LEN + 1] = "", line[LV_REQLINE_MAX];
	struct lv_acct a;
	struct lv_req r;
	int rc, tries = 0;

	do {
		if ((rc = open_enrolled(c, o->account, LV_OPEN_LOCK, &a)) == 0 &&
		    lv_rec_countprefix(&a.rec, "device.") == 0)
			rc = lv_err(EX_UNAVAILABLE, "%s has no device for push requests (lv-enroll --update %s "
			    "--device-key -)", o->account, o->account);
		if (rc == 0 && (rc = lv_request_new(&a, o->ip, o->client, o->location, &r, token)) == 0 &&
		    (rc = lv_store_commit(&a)) == 0)
			audit_new(&a, o, &r);
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	if (rc == 0) {
		lv_request_line(o->account, &r, line, sizeof(line));
		push(c, o, r.id, line);
		printf("%s\t%s\t%s\n", r.id, r.number, token);
	}
	sodium_memzero(token, sizeof(token));
	return rc;
}

static void
print_text(const struct lv_req *r, const char *state)
{
	char when[32], cl[LV_TEXT_MAX * 4 + 1], lo[LV_TEXT_MAX * 4 + 1];

	lv_isotime((time_t)r->created, when);
	lv_escape(r->client, cl, sizeof(cl));
	lv_escape(r->location, lo, sizeof(lo));
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", r->id, when, r->ip[0] ? r->ip : "-", cl[0] ? cl : "-",
	    lo[0] ? lo : "-", state);
}

/* One request as list --json has it; what is unknown is null. */
static void
json_row(const struct lv_req *r, const char *state, struct lv_val v[ROW])
{
	v[0] = lv_text("id", r->id);
	v[1] = lv_time("time", r->created, NULL);
	v[2] = lv_text("ip", r->ip[0] ? r->ip : NULL);
	v[3] = lv_text("client", r->client[0] ? r->client : NULL);
	v[4] = lv_text("location", r->location[0] ? r->location : NULL);
	v[5] = lv_text("status", state);
}

static int
list(struct lv_ctx *c, const struct opts *o)
{
	struct lv_req *r = NULL;
	struct lv_val *rows = NULL;
	struct lv_acct a;
	time_t now = lv_now();
	size_t i, n = 0, shown = 0;
	int rc;

	if ((rc = open_enrolled(c, o->account, 0, &a)) == 0)
		n = lv_request_list(&a, &r);
	if (rc == 0 && o->json && (rows = calloc(n + 1, ROW * sizeof(*rows))) == NULL)
		rc = lv_err(EX_SOFTWARE, "out of memory");
	for (i = 0; rc == 0 && i < n; i++) {
		const char *state = lv_request_state(&a, &r[i], now);

		if (!o->all && strcmp(state, "pending") != 0 && r[i].created < now - RECENT)
			continue;
		if (o->json)
			json_row(&r[i], state, rows + ROW * shown);
		else
			print_text(&r[i], state);
		shown++;
	}
	if (rc == 0 && o->json)
		rc = lv_json_rows(rows, shown, ROW);
	free(rows);
	free(r);
	lv_store_close(&a);
	return rc;
}

static int
show(struct lv_ctx *c, const struct opts *o)
{
	struct lv_acct a;
	struct lv_req r;
	char line[LV_REQLINE_MAX];
	int rc;

	if ((rc = open_enrolled(c, o->account, 0, &a)) == 0 && lv_request_get(&a, o->id, &r) != 0)
		rc = lv_err(1, "no request %s for %s", o->id, o->account);
	if (rc == 0) {
		lv_request_line(o->account, &r, line, sizeof(line));
		printf("%s\n", line);
	}
	lv_store_close(&a);
	return rc;
}

static void
audit_answer(struct lv_acct *a, int rc, const struct lv_decision *d)
{
	const char *id = d->req.id[0] ? d->req.id : "-", *dev = d->req.device[0] ? d->req.device : "-";
	char detail[256];

	if (rc != 0)
		snprintf(detail, sizeof(detail), "request=%s device=%s why=\"%s\"", id, dev, d->why);
	else if (strcmp(d->outcome, "wrong-number") == 0)
		snprintf(detail, sizeof(detail), "request=%s device=%s possible-attack=yes", id, dev);
	else
		snprintf(detail, sizeof(detail), "request=%s device=%s", id, dev);
	lv_audit(a, "request-answer", "push", rc ? "reject" : d->outcome, detail);
}

static void
notify_answer(struct lv_ctx *c, const struct opts *o, const struct lv_decision *d)
{
	char msg[512];

	if (strcmp(d->outcome, "wrong-number") != 0)
		return;
	snprintf(msg, sizeof(msg), "A login of %s was approved on device %s with the wrong number, and was "
	    "denied. Someone else may know the password.\n", o->account, d->req.device);
	lv_notify(c, "wrong-number", o->account, msg);
	if (d->locked_now) {
		snprintf(msg, sizeof(msg), "Logins of %s are locked for a while after too many failures.\n",
		    o->account);
		lv_notify(c, "locked", o->account, msg);
	}
}

static int
answer(struct lv_ctx *c, const struct opts *o)
{
	struct lv_decision d;
	struct lv_acct a;
	int rc, tries = 0;

	do {
		memset(&d, 0, sizeof(d));
		if ((rc = open_enrolled(c, o->account, LV_OPEN_LOCK, &a)) == 0 &&
		    (rc = lv_request_answer(&a, o->line, lv_now(), &d)) == 0)
			rc = lv_store_commit(&a);
		if (rc == 0 || rc == 1)
			audit_answer(&a, rc, &d);
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	if (rc == 1)
		lv_warn("rejected: %s", d.why);
	if (rc == 0 && strcmp(d.outcome, "wrong-number") == 0)
		lv_warn("the number did not match the login screen's: recorded as a denial");
	if (rc == 0)
		notify_answer(c, o, &d);
	return rc;
}

int
main(int argc, char **argv)
{
	static int (*const run[])(struct lv_ctx *, const struct opts *) = { new_request, list, show, answer };
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
	c.self_service = o.verb == NEW && o.exec == NULL; /* --exec would run as the service user */
	if ((rc = lv_ctx_open(&c, 0)) == 0)
		rc = run[o.verb](&c, &o);
	lv_ctx_close(&c);
	return rc ? rc : lv_fshut();
}
