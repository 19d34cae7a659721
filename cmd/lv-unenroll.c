/* lv-unenroll: turn login verification off, or remove one method (turning
 * it off when that was the last), for the reason support gives; or, on
 * the enrolling device's signed statement (--signed-out), for the user. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lv.h"

static const char synopsis[] =
    "lv-unenroll [-d DIR] [-c FILE] ACCOUNT --reason TEXT [--phone | --device ID | --totp | --key ID] | "
    "lv-unenroll ACCOUNT --signed-out [--reason TEXT] | "
    "lv-unenroll ACCOUNT {--forget-devices | --forget-device ID} {--reason TEXT | --self}";

enum what { ALL, PHONE, DEVICE, TOTP, KEY, SIGNOUT, FORGET };

struct opts {
	struct lv_cli cli;
	const char *account, *reason, *device, *key, *forget; /* forget: one remembered device's id */
	enum what what;
	int nwhat, self;
	size_t forgot; /* remembered devices forgotten */
	char line[1024];
	char oldphone[24]; /* masked, for the audit log */
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "reason", required_argument, NULL, 'R' },
		{ "phone", no_argument, NULL, 'p' }, { "device", required_argument, NULL, 'D' },
		{ "totp", no_argument, NULL, 't' }, { "signed-out", no_argument, NULL, 's' },
		{ "forget-devices", no_argument, NULL, 'f' }, { "forget-device", required_argument, NULL, 'F' },
		{ "self", no_argument, NULL, 'S' }, { "key", required_argument, NULL, 'K' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		switch (ch) {
		case 'R': o->reason = optarg; continue;
		case 'S': o->self = 1; continue;
		case 'f': o->what = FORGET; break;
		case 'F': o->what = FORGET; o->forget = optarg; break;
		case 'p': o->what = PHONE; break;
		case 'D': o->what = DEVICE; o->device = optarg; break;
		case 't': o->what = TOTP; break;
		case 'K': o->what = KEY; o->key = optarg; break;
		case 's': o->what = SIGNOUT; break;
		}
		o->nwhat++;
	}
	if (rc != 0)
		return rc;
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	if (o->nwhat > 1)
		return lv_usage(synopsis, "remove one method at a time");
	if (o->self && o->what != FORGET)
		return lv_usage(synopsis, "--self goes with --forget-devices or --forget-device");
	/* Support's act must say why; a sign-out is the user's own, signed, and
	 * so is a "forget my devices" the site passes on (--self). */
	if (o->reason == NULL && o->what != SIGNOUT && !o->self)
		return lv_usage(synopsis, "--reason TEXT is required (why, for the audit log: a ticket, "
		    "what the user said)");
	return 0;
}

static int
validate(struct opts *o)
{
	size_t n;
	int rc;

	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	if (o->reason != NULL && (rc = lv_text_check_said("reason", o->reason)) != 0)
		return rc;
	if (o->device != NULL && (lv_valid_text(o->device) != 0 || strlen(o->device) > 31))
		return lv_err(EX_DATAERR, "bad device id");
	if (o->forget != NULL && (strlen(o->forget) != LV_REMEMBER_IDLEN ||
	    strspn(o->forget, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != LV_REMEMBER_IDLEN))
		return lv_err(EX_DATAERR, "bad remembered device id (lv-status lists them)");
	if (o->key != NULL && lv_seckey_valid_id(o->key) != 0)
		return lv_err(EX_DATAERR, "bad security key id: 8 hex digits (lv-status lists them)");
	if (o->what == SIGNOUT && lv_line_read(0, o->line, sizeof(o->line), &n) != 0)
		return lv_err(EX_DATAERR, "malformed sign-out statement: one lv1-signout line expected");
	return 0;
}

/* Removes what was asked; sets *method to the name for the audit log. */
static int
remove_method(struct lv_acct *a, struct opts *o, const char **method, char by[64])
{
	char id[32];
	int rc = 0;

	switch (o->what) {
	case ALL:
		*method = "all";
		return 0;
	case PHONE:
		*method = "sms";
		if (lv_rec_get(&a->rec, "phone") == NULL)
			return lv_err(EX_UNAVAILABLE, "%s has no phone", a->name);
		lv_mask_phone(lv_rec_get(&a->rec, "phone"), o->oldphone);
		lv_sms_withdraw(a);
		lv_rec_del(&a->rec, "phone");
		a->purge = 1;
		return 0;
	case DEVICE:
		*method = "push";
		return lv_device_remove(a, o->device);
	case TOTP:
		*method = "totp";
		if (lv_rec_get(&a->rec, "totp.secret") == NULL)
			return lv_err(EX_UNAVAILABLE, "%s has no TOTP", a->name);
		lv_totp_remove(a);
		return 0;
	case KEY:
		*method = "key";
		return lv_seckey_remove(a, o->key);
	case SIGNOUT:
		*method = "signed-out";
		if ((rc = lv_signout_check(a, o->line, lv_now(), id)) == 0)
			snprintf(by, 64, "device %s", id);
		return rc;
	case FORGET:
		*method = "remembered";
		return 0;
	}
	return EX_SOFTWARE;
}

/* Remembered devices go with any method (they stood in for it), with the
 * account, or on their own when asked; *why for the audit line. 0, or 69
 * for a --forget-device id the account does not have. */
static int
forget_devices(struct lv_acct *a, struct opts *o, const char **why)
{
	*why = o->what == FORGET ? (o->self ? "self" : "support") : o->what == ALL ? "unenrolled" :
	    o->what == SIGNOUT ? "signed-out" : "method-removed";
	o->forgot = lv_remember_forget(a, o->forget);
	if (o->forget != NULL && o->forgot == 0)
		return lv_err(EX_UNAVAILABLE, "%s has no remembered device %s (lv-status lists them)", a->name,
		    o->forget);
	return 0;
}

static void
notify(struct lv_ctx *c, const struct opts *o, const char *method, int off)
{
	char msg[512];

	if (o->what == FORGET) {
		if (o->forgot == 0)
			return;
		snprintf(msg, sizeof(msg), "%zu remembered device(s) of %s were forgotten: each will be asked "
		    "for a code again.\n", o->forgot, o->account);
		lv_notify(c, "devices-forgotten", o->account, msg);
		return;
	}
	if (off)
		snprintf(msg, sizeof(msg), "Login verification was turned off for %s.\n", o->account);
	else
		snprintf(msg, sizeof(msg), "A login verification method (%s) was removed from %s.\n",
		    method, o->account);
	lv_notify(c, off ? "unenrolled" : "method-removed", o->account, msg);
}

/* What the audit line adds: the removed phone (masked) and the reason. */
static void
audit_detail(const struct opts *o, char *out, size_t outsz)
{
	char esc[LV_TEXT_MAX * 4 + 1];

	out[0] = '\0';
	if (o->oldphone[0] != '\0')
		snprintf(out, outsz, "phone=%s", o->oldphone);
	if (o->key != NULL)
		snprintf(out, outsz, "key=%s", o->key);
	if (o->reason == NULL)
		return;
	lv_escape(o->reason, esc, sizeof(esc));
	snprintf(out + strlen(out), outsz - strlen(out), "%sreason=\"%s\"", out[0] ? " " : "", esc);
}

/* Why the disabled line says verification is off. */
static void
disabled_reason(const struct opts *o, char *out, size_t outsz)
{
	if (o->what == SIGNOUT && o->reason == NULL)
		snprintf(out, outsz, "signed out of the enrolling device");
	else if (o->what != ALL && o->what != SIGNOUT)
		snprintf(out, outsz, "last method removed: %s", o->reason);
	else
		snprintf(out, outsz, "%s", o->reason);
}

static int
unenroll(struct lv_ctx *c, struct opts *o)
{
	char by[64], detail[LV_TEXT_MAX * 4 + 64], why[LV_TEXT_MAX + 64];
	const char *method = "all", *forgot_why = "";
	struct lv_acct a;
	int rc, off, tries = 0;

	lv_who(by);
	do {
		off = 0;
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && !lv_store_enrolled(&a))
			rc = lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
		if (rc == 0 && (rc = forget_devices(&a, o, &forgot_why)) == 0)
			rc = remove_method(&a, o, &method, by);
		if (rc == 0 && o->what == FORGET) {
			if (o->forgot > 0 && (rc = lv_store_commit(&a)) == 0)
				lv_remember_forgotten(&a, o->forgot, forgot_why, o->reason);
			lv_store_close(&a);
			continue; /* nothing else changes: not a method, never turns verification off */
		}
		if (rc == 0 && (o->what == ALL || o->what == SIGNOUT || lv_store_methods(&a) == 0)) {
			off = 1;
			disabled_reason(o, why, sizeof(why));
			lv_disable(&a, by, why);
		}
		if (rc == 0 && (rc = lv_store_commit(&a)) == 0) {
			audit_detail(o, detail, sizeof(detail));
			lv_audit(&a, off ? "unenrol" : "remove-method", method, "ok", detail);
			lv_remember_forgotten(&a, o->forgot, forgot_why, NULL);
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	if (rc == 0)
		notify(c, o, method, off);
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
	if ((rc = lv_ctx_open(&c, 0)) == 0)
		rc = unenroll(&c, &o);
	lv_ctx_close(&c);
	return rc;
}
