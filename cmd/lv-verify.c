/* lv-verify: read one answer on standard input and accept (0) or reject (1)
 * it; or check a login request's token (--request); or say which methods
 * the account can answer with (--methods), for a login prompt. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>
#include <sodium.h>

#include "lv.h"

static const char synopsis[] =
    "lv-verify [-d DIR] [-c FILE] ACCOUNT [--method auto|sms|totp|backup|temp|key|remembered] "
    "[--client first-party|third-party] [--remember LABEL] [--ip IP] [--agent TEXT] [--grace SECONDS] | "
    "lv-verify ACCOUNT --method grace --grace SECONDS --ip IP | "
    "lv-verify ACCOUNT --request ID [--wait SECONDS] [--remember LABEL] [--ip IP] [--agent TEXT] | "
    "lv-verify ACCOUNT --methods [--client first-party|third-party] | lv-verify ACCOUNT --key-options";

enum method { M_AUTO, M_SMS, M_TOTP, M_BACKUP, M_TEMP, M_KEY, M_REMEMBERED, M_GRACE };

struct opts {
	struct lv_cli cli;
	const char *account, *method_s, *client_s, *request, *wait_s, *grace_s;
	struct lv_remember rem; /* --remember, --ip, --agent, --grace */
	enum method method;
	int third, methods, keyopts;
	long wait;
};

/* The outcome of one verification, for the audit log and the exit code. */
struct verdict {
	int rc;            /* exit code */
	const char *method; /* what matched or was tried */
	const char *why;    /* the stderr line on a refusal */
	char detail[LV_TEXT_SHOWN + 32]; /* audit detail: label, sequence number */
	int locked_now;    /* this failure started a lock-out */
	int backup_used;
	int cloned;        /* a security key's sign count went back */
};

/* A 6-digit guess counted on disk before its check (count_first): kept
 * across a change decided again, so the guess is counted once. */
struct guess {
	int counted;
	int locked_now;
	char id[17]; /* its mark in the records until it is checked */
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG,
		{ "method", required_argument, NULL, 'm' }, { "client", required_argument, NULL, 'C' },
		{ "request", required_argument, NULL, 'r' }, { "wait", required_argument, NULL, 'w' },
		{ "methods", no_argument, NULL, 'M' }, { "remember", required_argument, NULL, 'k' },
		{ "ip", required_argument, NULL, 'i' }, { "agent", required_argument, NULL, 'a' },
		{ "grace", required_argument, NULL, 'g' }, { "key-options", no_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		switch (ch) {
		case 'm': o->method_s = optarg; break;
		case 'C': o->client_s = optarg; break;
		case 'r': o->request = optarg; break;
		case 'w': o->wait_s = optarg; break;
		case 'M': o->methods = 1; break;
		case 'k': o->rem.label = optarg; break;
		case 'i': o->rem.ip = optarg; break;
		case 'a': o->rem.agent = optarg; break;
		case 'g': o->grace_s = optarg; break;
		case 'O': o->keyopts = 1; break;
		}
	}
	if (rc != 0)
		return rc;
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	return 0;
}

/* --remember, --ip, --agent and --grace: what a login may ask lv to
 * remember after its answer is accepted, and the methods that use it. */
static int
validate_remember(struct opts *o)
{
	int rem = o->rem.label != NULL || o->grace_s != NULL, use = o->method == M_REMEMBERED;
	int rc;

	if ((rem || use || o->method == M_GRACE) && (o->third || o->methods))
		return lv_usage(synopsis, "remembered devices are for the site's own logins: no --client "
		    "third-party or --methods");
	if (o->request != NULL && o->grace_s != NULL)
		return lv_usage(synopsis, "--request takes --remember, not --grace");
	if ((o->rem.ip != NULL || o->rem.agent != NULL) && !rem && !use && o->method != M_GRACE)
		return lv_usage(synopsis, "--ip and --agent go with --remember, --grace or --method remembered");
	if (o->method == M_GRACE ? o->grace_s == NULL || o->rem.ip == NULL || o->rem.label != NULL :
	    o->grace_s != NULL && o->rem.ip == NULL)
		return lv_usage(synopsis, "--grace SECONDS goes with --ip IP (and --method grace checks it)");
	if (use && rem)
		return lv_usage(synopsis, "--method remembered prints the device's next token itself; no --remember");
	if (o->grace_s != NULL && (lv_parse_uint(o->grace_s, 86400, &o->rem.grace) != 0 || o->rem.grace == 0))
		return lv_usage(synopsis, "--grace takes seconds, 1 to 86400");
	if ((o->rem.label != NULL && (rc = lv_text_check_said("label", o->rem.label)) != 0) ||
	    (o->rem.agent != NULL && (rc = lv_text_check_said("agent", o->rem.agent)) != 0))
		return rc;
	if (o->rem.ip != NULL && lv_valid_ip(o->rem.ip) != 0)
		return lv_err(EX_DATAERR, "bad --ip: not an IPv4 or IPv6 address");
	return 0;
}

static int
validate(struct opts *o)
{
	static const char *names[] = { "auto", "sms", "totp", "backup", "temp", "key", "remembered", "grace" };
	size_t i;
	int rc;

	if (o->method_s != NULL) {
		for (i = 0; i < 8 && strcmp(o->method_s, names[i]) != 0; i++)
			;
		if (i == 8)
			return lv_usage(synopsis, "--method is one of auto, sms, totp, backup, temp, key, remembered, grace");
		o->method = (enum method)i;
	}
	if (o->client_s != NULL && strcmp(o->client_s, "third-party") != 0 &&
	    strcmp(o->client_s, "first-party") != 0)
		return lv_usage(synopsis, "--client is first-party or third-party");
	o->third = o->client_s != NULL && strcmp(o->client_s, "third-party") == 0;
	if (o->wait_s != NULL && o->request == NULL)
		return lv_usage(synopsis, "--wait goes with --request");
	if (o->wait_s != NULL && lv_parse_uint(o->wait_s, 3600, &o->wait) != 0)
		return lv_usage(synopsis, "--wait takes seconds, 0 to 3600");
	if (o->request != NULL && (o->method_s != NULL || o->client_s != NULL))
		return lv_usage(synopsis, "--request checks a login request; it takes no --method or --client");
	if (o->methods && (o->request != NULL || o->method_s != NULL || o->wait_s != NULL))
		return lv_usage(synopsis, "--methods lists the methods; it takes no --method, --request or --wait");
	if (o->keyopts && (o->methods || o->request != NULL || o->method_s != NULL || o->client_s != NULL ||
	    o->rem.label != NULL || o->rem.ip != NULL || o->rem.agent != NULL || o->grace_s != NULL))
		return lv_usage(synopsis, "--key-options prints a security key's login options; it takes no other option");
	if ((rc = validate_remember(o)) != 0)
		return rc;
	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	return 0;
}

/* Which method an answer's shape and --method pick; 65 when they disagree. */
static int
pick(const struct opts *o, const struct lv_answer *ans, enum method *m)
{
	static const enum method by_shape[] = { M_AUTO, M_SMS, M_BACKUP, M_TEMP };

	if (ans->shape == LV_SHAPE_NONE)
		return lv_err(EX_DATAERR, "malformed answer: not a 6-digit code, a backup code or a temporary password");
	*m = by_shape[ans->shape];
	if (o->method == M_AUTO || o->method == *m)
		return 0;
	if (ans->shape == LV_SHAPE_DIGITS6 && (o->method == M_SMS || o->method == M_TOTP)) {
		*m = o->method;
		return 0;
	}
	return lv_err(EX_DATAERR, "malformed answer: not a %s code", o->method_s);
}

/* A 6-digit guess is counted as a failure on disk before it is checked:
 * whatever stops the check (a full disk, a limit, a signal), a wrong guess
 * and a right one look alike to the caller, and none goes uncounted. The
 * check then clears the count when the guess was right, in its own commit;
 * if that commit is lost to another writer, the check is made again from
 * the new state, without counting again. */
static int
count_first(struct lv_acct *a, time_t now, struct guess *g)
{
	unsigned char rnd[8];
	int locked, rc;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(g->id, sizeof(g->id), rnd, sizeof(rnd));
	if ((locked = lv_fail_pre(a, now, g->id)) < 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	if ((rc = lv_store_commit(a)) == 0) {
		g->counted = 1;
		g->locked_now = locked;
	}
	return rc;
}

static void
check_six(struct lv_acct *a, const struct opts *o, const char *code, time_t now, struct verdict *v,
    struct guess *g)
{
	int has_sms = lv_rec_get(&a->rec, "phone") != NULL;
	int has_totp = lv_rec_get(&a->rec, "totp.secret") != NULL;
	int want_sms = o->method != M_TOTP && has_sms, want_totp = o->method != M_SMS && has_totp;
	const char *why_sms = NULL, *why_totp = NULL;
	char masked[24];
	int rs = 1, rt = 1;
	long wait;

	/* Only what the answer could have been: a TOTP-only account's guess is a TOTP guess. */
	v->method = want_sms && want_totp ? "sms+totp" : want_sms ? "sms" : want_totp ? "totp" :
	    o->method == M_SMS ? "sms" : o->method == M_TOTP ? "totp" : "sms+totp";
	if (!want_sms && !want_totp) {
		v->rc = lv_err(EX_UNAVAILABLE, "%s has no %s", a->name,
		    o->method == M_SMS ? "phone" : o->method == M_TOTP ? "TOTP" : "phone or TOTP");
		return;
	}
	if (!g->counted && (wait = lv_fail_locked(a, now)) > 0) {
		v->rc = lv_err(EX_TEMPFAIL, "%s is locked after too many failures: try again in %ld s, "
		    "or use a backup code", a->name, wait);
		return;
	}
	if (!g->counted && (v->rc = count_first(a, now, g)) != 0)
		return;
	/* Both checked, one try counted once. */
	if (want_sms && (rs = lv_sms_check(a, code, now, &why_sms)) == 0)
		v->method = "sms";
	else if (rs > 1)
		v->rc = rs;
	else if (want_totp && (rt = lv_totp_check(a, code, now, &why_totp)) == 0)
		v->method = "totp";
	else if (rt > 1)
		v->rc = rt;
	else {
		v->rc = 1;
		/* A specific TOTP reason (a replayed step) says more than a wrong SMS code. */
		v->why = why_totp && (why_sms == NULL || strcmp(why_totp, "wrong code") != 0) ? why_totp : why_sms;
	}
	if (strcmp(v->method, "totp") != 0 && has_sms) {
		lv_mask_phone(lv_rec_get(&a->rec, "phone"), masked);
		snprintf(v->detail, sizeof(v->detail), "to=%s", masked);
	}
}

static void
check_backup(struct lv_acct *a, const char *code, struct verdict *v)
{
	long seq = 0;
	int r = lv_backup_check(a, code, &seq);

	v->method = "backup";
	v->rc = r == 0 ? 0 : r == 1 || r == 2 ? 1 : r;
	if (r == 0) {
		v->backup_used = 1;
		snprintf(v->detail, sizeof(v->detail), "seq=%ld", seq);
	} else if (r == 2)
		v->why = "this backup code is inactive: it was used, or a later code was used "
		    "(codes must be used in order); generate a new one with lv-backup new";
	else
		v->why = "wrong backup code";
}

static void
check_temp(struct lv_acct *a, const struct opts *o, const char *pw, time_t now, struct verdict *v)
{
	char label[LV_TEXT_MAX + 1], esc[LV_TEXT_SHOWN];

	v->method = "temp";
	if (!o->third) {
		v->rc = 1;
		v->why = "a temporary password is for password-only (third-party) clients: "
		    "use it there, or give a code here";
		return;
	}
	v->rc = lv_temp_check(a, pw, now, label, &v->why) == 0 ? 0 : 1;
	if (v->rc == 0) {
		lv_escape(label, esc, sizeof(esc));
		snprintf(v->detail, sizeof(v->detail), "label=\"%s\"", esc);
	}
}

/* Failures change the records too: counted where they belong (a 6-digit
 * guess was counted before its check). */
static void
count(struct lv_acct *a, const struct opts *o, time_t now, struct verdict *v, const struct guess *g)
{
	if (v->rc == 0) {
		if (!o->third)
			lv_fail_reset(a);
		return;
	}
	if (v->rc != 1)
		return;
	if (o->third) {
		if (lv_rec_setnum(&a->rec, "fail3.count", lv_rec_getnum(&a->rec, "fail3.count", 0) + 1) != 0)
			v->rc = lv_err(EX_SOFTWARE, "out of memory");
		return;
	}
	if (g->counted && (v->locked_now = lv_fail_post(a, now, g->id)) >= 0)
		v->locked_now |= g->locked_now;
	else if (g->counted)
		v->rc = lv_err(EX_SOFTWARE, "out of memory");
	else if (strcmp(v->method, "temp") != 0 && (v->locked_now = lv_fail_count(a, now, v->method)) < 0)
		v->rc = lv_err(EX_SOFTWARE, "out of memory"); /* an uncounted failure is never committed */
}

static void
decide(struct lv_acct *a, const struct opts *o, const struct lv_answer *ans, struct verdict *v,
    struct guess *g)
{
	time_t now = lv_now();
	enum method m = M_AUTO;

	if ((v->rc = pick(o, ans, &m)) != 0)
		return;
	if (o->third && m != M_TEMP) {
		v->method = "third-party";
		v->rc = 1;
		v->why = "third-party clients accept only a temporary password (lv-temppass); "
		    "codes are for the site's own login";
	} else if (m == M_BACKUP)
		check_backup(a, ans->text, v);
	else if (m == M_TEMP)
		check_temp(a, o, ans->text, now, v);
	else
		check_six(a, o, ans->text, now, v, g);
	count(a, o, now, v, g);
}

/* A security key's assertion: high entropy, so checked while locked (as
 * backup codes are); a refusal counts as a failure. */
static void
check_key(struct lv_acct *a, const struct opts *o, const struct lv_seckey_answer *ans, struct verdict *v)
{
	char id[LV_SECKEY_ID_LEN + 1] = "";

	v->method = "key";
	if (o->third) {
		v->rc = 1;
		v->why = "third-party clients accept only a temporary password (lv-temppass); "
		    "security keys are for the site's own login";
	} else
		v->rc = lv_seckey_login(a, ans, id, &v->cloned, &v->why);
	if (id[0] != '\0')
		snprintf(v->detail, sizeof(v->detail), "key=%s%s", id, v->cloned ? " sign-count-decreased" : "");
	if (o->third)
		v->method = "third-party";
	count(a, o, lv_now(), v, &(struct guess){ 0, 0, "" });
}

static void
notify(struct lv_ctx *c, const char *account, const struct verdict *v)
{
	char msg[sizeof(v->detail) + 256];

	if (v->backup_used) {
		snprintf(msg, sizeof(msg), "A backup code of %s was used to log in (%s).\n", account, v->detail);
		lv_notify(c, "backup-used", account, msg);
	}
	if (v->locked_now > 0) {
		snprintf(msg, sizeof(msg), "Logins of %s are locked for a while after too many wrong codes.\n",
		    account);
		lv_notify(c, "locked", account, msg);
	}
	if (v->cloned) {
		snprintf(msg, sizeof(msg), "A security key of %s gave a sign count that did not increase: it may have "
		    "been cloned (%s). The login was refused.\n", account, v->detail);
		lv_notify(c, "key-cloned", account, msg);
	}
}

/* An accepted answer, and the login asked lv to remember the device
 * (--remember) or the remote host (--grace): in the same commit. */
static int
remember(struct lv_acct *a, struct opts *o)
{
	time_t now = lv_now();
	int rc = 0;

	if (o->rem.label != NULL)
		rc = lv_remember_issue(a, &o->rem, now);
	if (rc == 0 && o->grace_s != NULL)
		rc = lv_remember_host_set(a, o->rem.ip, o->rem.grace, now);
	return rc;
}

static int
verify_once(struct lv_ctx *c, struct opts *o, const struct lv_answer *ans, const struct lv_seckey_answer *key,
    struct guess *g)
{
	struct verdict v;
	struct lv_acct a;
	int rc;

	memset(&v, 0, sizeof(v));
	if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) != 0)
		goto out;
	if (!lv_store_enrolled(&a)) {
		rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
		goto out;
	}
	if (key != NULL)
		check_key(&a, o, key, &v);
	else
		decide(&a, o, ans, &v, g);
	if (v.rc == 0 && (v.rc = remember(&a, o)) != 0)
		rc = v.rc;
	if (v.rc == 0 || v.rc == 1) {
		/* Nothing counts until it is on disk, the audit line too: fail
		 * closed, alike for a right and a wrong answer. */
		if ((rc = lv_store_commit(&a)) != 0 ||
		    (rc = lv_audit(&a, "verify", v.method, v.rc == 0 ? "accept" : "reject", v.detail)) != 0 ||
		    (v.rc == 0 && o->rem.label != NULL && (rc = lv_remember_issued(&a, &o->rem)) != 0))
			goto out;
	}
	rc = v.rc;
	if (rc == 1)
		lv_warn("rejected: %s", v.why ? v.why : "wrong code");
out:
	lv_store_close(&a);
	if (rc == 0 || rc == 1)
		notify(c, o->account, &v);
	return rc;
}

/* What a first-party login prompt can offer, one method a line: totp,
 * sms (with "<TAB>gateway" when lv-sendcode sends through the configured
 * gateway itself, so the prompt may offer to send a code), push, backup. */
static int
first_party_methods(const struct lv_ctx *c, const struct lv_acct *a)
{
	const char *phone = lv_rec_get(&a->rec, "phone");
	int sms = phone != NULL, rc;

	/* A phone that SMS codes are not sent to (sms_countries) cannot answer. */
	if (sms && (rc = lv_sms_country_ok(&c->conf, phone)) != 0) {
		if (rc != EX_UNAVAILABLE)
			return rc;
		sms = 0;
	}
	if (lv_rec_get(&a->rec, "totp.secret") != NULL)
		printf("totp\n");
	if (sms)
		printf("sms%s\n", c->conf.sms_gateway[0] != '\0' ? "\tgateway" : "");
	if (lv_rec_countprefix(&a->rec, "device.") > 0)
		printf("push\n");
	if (lv_seckey_count(a) > 0 && c->conf.webauthn_rp_id[0] != '\0')
		printf("key\n");
	if (lv_backup_active(a) > 0)
		printf("backup\n");
	return 0;
}

/* Read only: nothing counted, nothing audited, no secret shown. A
 * third-party client can answer only with a temporary password. */
static int
list_methods(struct lv_ctx *c, const struct opts *o)
{
	struct lv_acct a;
	int rc;

	if ((rc = lv_store_open(c, o->account, 0, &a)) == 0 && !lv_store_enrolled(&a))
		rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
	if (rc == 0 && o->third && lv_temp_live(&a, lv_now()) > 0)
		printf("temp\n");
	else if (rc == 0 && !o->third)
		rc = first_party_methods(c, &a);
	lv_store_close(&a);
	return rc ? rc : lv_fshut();
}

/* A change lost to another writer's commit (a lock not honoured) is
 * decided again from the new state: a code spent there is refused here. */
static int
verify(struct lv_ctx *c, struct opts *o, const struct lv_answer *ans, const struct lv_seckey_answer *key)
{
	struct guess g = { 0, 0, "" };
	int rc, tries = 0;

	do
		rc = verify_once(c, o, ans, key, &g);
	while (lv_store_lost(&rc, &tries));
	if (rc == 0 && o->rem.label != NULL) {
		lv_remember_notify_issued(c, o->account, &o->rem);
		printf("%s\n", o->rem.token);
		rc = lv_fshut();
	}
	sodium_memzero(o->rem.token, sizeof(o->rem.token));
	return rc;
}

/* A remembered-device token given where a code was asked for: refused
 * with what it is for, as a temporary password is, and nothing counted. */
static int
token_elsewhere(const struct opts *o, const struct lv_answer *ans)
{
	unsigned char secret[LV_REMEMBER_SECRET];
	char id[LV_REMEMBER_IDLEN + 1];
	int token;

	if (o->method == M_REMEMBERED || ans->shape != LV_SHAPE_NONE)
		return 0;
	token = lv_remember_parse(ans->text, ans->len, id, secret) == 0;
	sodium_memzero(secret, sizeof(secret));
	if (!token)
		return 0;
	lv_warn("rejected: a remembered-device token is given with --method remembered, not as a code");
	return 1;
}

/* --remember on a site that turned remembering off: refused before the
 * answer is checked, so that the code is not spent for nothing. */
static int
remember_on(const struct lv_ctx *c, const struct opts *o)
{
	if ((o->rem.label != NULL || o->grace_s != NULL) && c->conf.remember_days == 0)
		return lv_err(EX_UNAVAILABLE, "remembered devices are turned off here (remember_days = 0)");
	return 0;
}

/* --key-options: a login challenge and the options for the page. */
static int
key_options(struct lv_ctx *c, const struct opts *o)
{
	struct json_object *opts = NULL;
	struct lv_acct a;
	int rc, tries = 0;

	if ((rc = lv_seckey_conf_check(&c->conf)) != 0)
		return rc;
	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
			rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
		if (rc == 0 && (rc = lv_seckey_options(&a, LV_SECKEY_GET, &opts)) == 0 &&
		    (rc = lv_store_commit(&a)) == 0)
			rc = lv_audit(&a, "challenge", "key", "ok", "for=get");
		if (rc != 0 && opts != NULL) {
			json_object_put(opts);
			opts = NULL;
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	return rc == 0 ? lv_seckey_print_options(opts) : rc;
}

/* --method key: the assertion's JSON on standard input. */
static int
verify_key(struct lv_ctx *c, struct opts *o)
{
	struct lv_seckey_answer key;
	int rc;

	if ((rc = lv_seckey_answer_read(0, &key)) != 0)
		return rc;
	if ((rc = lv_ctx_open(c, 0)) == 0 && (rc = lv_seckey_conf_check(&c->conf)) == 0 &&
	    (rc = remember_on(c, o)) == 0)
		rc = verify(c, o, NULL, &key);
	lv_seckey_answer_free(&key);
	lv_ctx_close(c);
	return rc;
}

int
main(int argc, char **argv)
{
	struct lv_answer ans;
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
	c.self_service = 1;
	if (o.methods) {
		if ((rc = lv_ctx_open(&c, 0)) == 0)
			rc = list_methods(&c, &o);
		lv_ctx_close(&c);
		return rc;
	}
	if (o.request != NULL) {
		if ((rc = lv_ctx_open(&c, 0)) == 0)
			if ((rc = remember_on(&c, &o)) == 0)
				rc = lv_request_verify(&c, o.account, o.request, o.wait, &o.rem);
		lv_ctx_close(&c);
		return rc;
	}
	if (o.keyopts) {
		if ((rc = lv_ctx_open(&c, 0)) == 0)
			rc = key_options(&c, &o);
		lv_ctx_close(&c);
		return rc;
	}
	if (o.method == M_GRACE) {
		if ((rc = lv_ctx_open(&c, 0)) == 0)
			rc = lv_remember_host_check(&c, o.account, o.rem.ip, o.rem.grace);
		lv_ctx_close(&c);
		return rc;
	}
	if (o.method == M_KEY)
		return verify_key(&c, &o);
	if ((rc = lv_answer_read(0, &ans)) != 0)
		return rc;
	if ((rc = token_elsewhere(&o, &ans)) != 0) {
		lv_answer_wipe(&ans);
		return rc;
	}
	if ((rc = lv_ctx_open(&c, 0)) == 0 && (rc = remember_on(&c, &o)) == 0)
		rc = o.method == M_REMEMBERED ? lv_remember_use(&c, o.account, &ans, &o.rem) :
		    verify(&c, &o, &ans, NULL);
	lv_answer_wipe(&ans);
	lv_ctx_close(&c);
	return rc;
}
