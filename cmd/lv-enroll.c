/* lv-enroll: turn login verification on for an account with at least one
 * method, and release its first backup code; or change an enrolled
 * account's methods (--update); or make a fresh state directory (--init). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>
#include <sodium.h>

#include "lv.h"

static const char synopsis[] =
    "lv-enroll [-d DIR] [-c FILE] [--update] ACCOUNT [--phone E164] [--device-key -] "
    "[--totp [--qr]] [--import-ga FILE] [--key - [--label TEXT]] | lv-enroll [--update] ACCOUNT --key-options | "
    "lv-enroll --update ACCOUNT --key-label ID --label TEXT | lv-enroll --init";

struct opts {
	struct lv_cli cli;
	const char *account, *phone, *devkey, *gafile, *key, *label, *keylabel;
	int init, update, totp, qr, keyopts;
	struct lv_seckey_answer ans;
	char keyid[LV_SECKEY_ID_LEN + 1];
	unsigned char devpk[32];
	unsigned char secret[64];
	size_t secretlen;
	char oldphone[24], devid[32];
	size_t forgot; /* remembered devices forgotten: the phone changed */
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG,
		{ "init", no_argument, NULL, 'I' }, { "update", no_argument, NULL, 'u' },
		{ "phone", required_argument, NULL, 'p' }, { "device-key", required_argument, NULL, 'k' },
		{ "totp", no_argument, NULL, 't' }, { "qr", no_argument, NULL, 'q' },
		{ "import-ga", required_argument, NULL, 'g' }, { "key", required_argument, NULL, 'K' },
		{ "key-options", no_argument, NULL, 'O' }, { "label", required_argument, NULL, 'l' },
		{ "key-label", required_argument, NULL, 'L' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		switch (ch) {
		case 'I': o->init = 1; break;
		case 'u': o->update = 1; break;
		case 'p': o->phone = optarg; break;
		case 'k': o->devkey = optarg; break;
		case 't': o->totp = 1; break;
		case 'q': o->qr = 1; break;
		case 'g': o->gafile = optarg; break;
		case 'K': o->key = optarg; break;
		case 'O': o->keyopts = 1; break;
		case 'l': o->label = optarg; break;
		case 'L': o->keylabel = optarg; break;
		}
	}
	if (rc != 0)
		return rc;
	if (o->init && (o->update || o->phone || o->devkey || o->totp || o->gafile || o->key || o->keyopts ||
	    o->keylabel))
		return lv_usage(synopsis, "--init enrols no one; it takes no other option");
	if (o->init)
		return lv_cli_operands(argc, argv, 0, synopsis);
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	return 0;
}

/* The security key options: --key-options and --key-label stand alone. */
static int
validate_key(const struct opts *o)
{
	int others = o->phone != NULL || o->devkey != NULL || o->totp || o->gafile != NULL || o->key != NULL;

	if ((o->keyopts || o->keylabel != NULL) && (others || (o->keyopts && o->keylabel != NULL)))
		return lv_usage(synopsis, "--key-options and --key-label take no method option");
	if (o->keyopts && o->label != NULL)
		return lv_usage(synopsis, "--label goes with --key - or --key-label");
	if (o->keylabel != NULL && (!o->update || o->label == NULL))
		return lv_usage(synopsis, "--key-label ID goes with --update and --label TEXT");
	if (o->label != NULL && o->key == NULL && o->keylabel == NULL)
		return lv_usage(synopsis, "--label goes with --key - or --key-label");
	if (o->key != NULL && strcmp(o->key, "-") != 0)
		return lv_usage(synopsis, "--key takes - (the browser's answer is read from standard input)");
	if (o->key != NULL && o->devkey != NULL)
		return lv_usage(synopsis, "--key and --device-key both read standard input: one at a time");
	if (o->keylabel != NULL && lv_seckey_valid_id(o->keylabel) != 0)
		return lv_err(EX_DATAERR, "bad security key id: 8 hex digits (lv-status lists them)");
	return o->label != NULL ? lv_text_check_said("label", o->label) : 0;
}

/* Everything the user gave is checked before any file is touched. */
static int
validate(struct opts *o)
{
	int rc;

	if (o->init)
		return 0;
	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name (1-64 of A-Za-z0-9._@-, not starting with . - @)");
	if ((rc = validate_key(o)) != 0 || o->keyopts || o->keylabel != NULL)
		return rc;
	if (o->phone == NULL && o->devkey == NULL && !o->totp && o->gafile == NULL && o->key == NULL)
		return lv_usage(synopsis, "name at least one method: --phone, --device-key, --totp or --key");
	if (o->qr && !o->totp)
		return lv_usage(synopsis, "--qr goes with --totp");
	if (o->totp && o->gafile != NULL)
		return lv_usage(synopsis, "--totp makes a new secret; --import-ga takes an old one: choose one");
	if (o->devkey != NULL && strcmp(o->devkey, "-") != 0)
		return lv_usage(synopsis, "--device-key takes - (the public key is read from standard input)");
	if (o->phone != NULL && lv_valid_phone(o->phone) != 0)
		return lv_err(EX_DATAERR, "bad phone number: E.164 expected, like +15551234567");
	if (o->gafile != NULL && !lv_priv_restricted())
		return lv_totp_import_ga(o->gafile, o->secret, sizeof(o->secret), &o->secretlen);
	if (o->totp) {
		randombytes_buf(o->secret, 20);
		o->secretlen = 20;
	}
	return 0;
}

/* Set-user-ID, the file is opened as the service user, so only once the
 * caller is known to be allowed (the admin group): before, it would tell
 * an ordinary user what exists and what the service user's files hold. */
static int
import_ga_allowed(struct opts *o)
{
	if (o->gafile == NULL || !lv_priv_restricted())
		return 0;
	return lv_totp_import_ga(o->gafile, o->secret, sizeof(o->secret), &o->secretlen);
}

/* The device's public key: one base64 line on standard input. */
static int
read_devkey(struct opts *o)
{
	char line[256];
	size_t n;

	if (o->devkey == NULL)
		return 0;
	if (lv_line_read(0, line, sizeof(line), &n) != 0 || lv_device_parse_pub(line, o->devpk) != 0)
		return lv_err(EX_DATAERR, "malformed device key: one line of base64 (lv-device keygen) expected");
	return 0;
}

/* The browser's answer to --key-options: JSON on standard input. */
static int
read_key(struct opts *o)
{
	return o->key == NULL ? 0 : lv_seckey_answer_read(1, &o->ans);
}

static int
apply_key(struct lv_acct *a, struct opts *o)
{
	const char *why = NULL;
	int rc = lv_seckey_register(a, &o->ans, o->label ? o->label : "security key", o->keyid, &why);

	if (rc == 1)
		lv_warn("rejected: %s", why);
	return rc;
}

static int
apply(struct lv_acct *a, struct opts *o, char *uri, size_t urisz)
{
	const char *old = lv_rec_get(&a->rec, "phone");
	int rc = 0;

	if (o->key != NULL)
		rc = apply_key(a, o);
	if (rc != 0)
		return rc;
	/* A new number is a new second factor: no device remembered under the old one stays. */
	o->forgot = old != NULL && o->phone != NULL && strcmp(old, o->phone) != 0 ? lv_remember_forget(a, NULL) : 0;
	if (o->phone != NULL)
		rc = lv_phone_set(a, o->phone, o->oldphone);
	if (rc == 0 && o->devkey != NULL)
		rc = lv_device_add(a, o->devpk, o->devid);
	if (rc == 0 && o->secretlen > 0)
		rc = lv_totp_set(a, o->secret, o->secretlen, o->totp ? uri : NULL, urisz);
	return rc;
}

static const char *
methods(const struct opts *o)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s%s", o->phone ? "sms," : "", o->devkey ? "push," : "",
	    o->secretlen ? "totp," : "", o->key ? "key," : "");
	buf[strlen(buf) - 1] = '\0';
	return buf;
}

/* After the commit, outside the lock. */
static void
notify(struct lv_ctx *c, const struct opts *o, int fresh)
{
	char msg[512], mask[24];

	if (fresh) {
		snprintf(msg, sizeof(msg), "Login verification was turned on for %s (%s).\n", o->account,
		    methods(o));
		lv_notify(c, "enrol", o->account, msg);
		return;
	}
	if (o->phone != NULL) {
		lv_mask_phone(o->phone, mask);
		snprintf(msg, sizeof(msg), "The login verification phone of %s changed from %s to %s.\n",
		    o->account, o->oldphone[0] ? o->oldphone : "none", mask);
		lv_notify(c, "phone-changed", o->account, msg);
	}
	if (o->devkey != NULL) {
		snprintf(msg, sizeof(msg), "A new device (%s) can now approve logins of %s.\n", o->devid,
		    o->account);
		lv_notify(c, "device-added", o->account, msg);
	}
	if (o->secretlen > 0) {
		snprintf(msg, sizeof(msg), "The authenticator app (TOTP) secret of %s was replaced.\n", o->account);
		lv_notify(c, "totp-changed", o->account, msg);
	}
	if (o->key != NULL) {
		snprintf(msg, sizeof(msg), "A new security key (%s) can now log in as %s.\n", o->keyid, o->account);
		lv_notify(c, "key-added", o->account, msg);
	}
}

/* Under the lock: turns verification on (*fresh) or updates methods. */
static int
change(struct lv_acct *a, struct opts *o, char *uri, size_t urisz, char *code, int *fresh)
{
	int rc;

	*fresh = !lv_store_enrolled(a);
	if (!*fresh && !o->update)
		return lv_err(EX_CANTCREAT, "%s is enrolled already (use --update to change a method)", o->account);
	if (*fresh && o->update)
		return lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
	if ((rc = apply(a, o, uri, urisz)) != 0 || !*fresh)
		return rc;
	lv_rec_del(&a->rec, "disabled");
	if (lv_rec_setnum(&a->rec, "enrolled", (long)lv_now()) != 0)
		return lv_err(EX_SOFTWARE, "out of memory");
	return lv_backup_release(a, 0, code);
}

/* The audit line names what was bound; a phone only masked. */
static void
audit(struct lv_acct *a, const struct opts *o, int fresh)
{
	char detail[96] = "", mask[24];

	if (o->phone != NULL) {
		lv_mask_phone(o->phone, mask);
		snprintf(detail, sizeof(detail), "phone=%s", mask);
	}
	if (o->devid[0] != '\0')
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "%sdevice=%s",
		    detail[0] ? " " : "", o->devid);
	if (o->keyid[0] != '\0')
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "%skey=%s",
		    detail[0] ? " " : "", o->keyid);
	lv_audit(a, fresh ? "enrol" : "update", methods(o), "ok", detail);
	lv_remember_forgotten(a, o->forgot, "phone-changed", NULL);
}

/* Enrolled (with --update) or not (without), as for enrolling. */
static int
key_state(struct lv_acct *a, const struct opts *o)
{
	if (lv_store_enrolled(a) && !o->update)
		return lv_err(EX_CANTCREAT, "%s is enrolled already (use --update to change a method)", o->account);
	if (!lv_store_enrolled(a) && o->update)
		return lv_err(EX_NOINPUT, "login verification is not enabled for %s", o->account);
	return 0;
}

/* --key-options: a registration challenge, and the options for the page. */
static int
key_options(struct lv_ctx *c, struct opts *o)
{
	struct json_object *opts = NULL;
	struct lv_acct a;
	int rc, tries = 0;

	if ((rc = lv_seckey_conf_check(&c->conf)) != 0)
		return rc;
	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK | (o->update ? 0 : LV_OPEN_CREATE), &a)) == 0 &&
		    (rc = key_state(&a, o)) == 0 && (rc = lv_seckey_options(&a, LV_SECKEY_CREATE, &opts)) == 0 &&
		    (rc = lv_store_commit(&a)) == 0)
			lv_audit(&a, "challenge", "key", "ok", "for=create");
		if (rc != 0 && opts != NULL) {
			json_object_put(opts);
			opts = NULL;
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	return rc == 0 ? lv_seckey_print_options(opts) : rc;
}

/* --key-label: a key's new name. */
static int
key_label(struct lv_ctx *c, struct opts *o)
{
	char detail[LV_TEXT_SHOWN + 32], esc[LV_TEXT_SHOWN];
	struct lv_acct a;
	int rc, tries = 0;

	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK, &a)) == 0 && (rc = key_state(&a, o)) == 0 &&
		    (rc = lv_seckey_label(&a, o->keylabel, o->label)) == 0 && (rc = lv_store_commit(&a)) == 0) {
			lv_escape(o->label, esc, sizeof(esc));
			snprintf(detail, sizeof(detail), "key=%s label=\"%s\"", o->keylabel, esc);
			lv_audit(&a, "key-label", "key", "ok", detail);
		}
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	return rc;
}

static int
enroll(struct lv_ctx *c, struct opts *o)
{
	char code[LV_BACKUP_CODELEN + 1] = "", uri[1024] = "";
	struct lv_acct a;
	int rc, fresh = 0, tries = 0;

	/* --update never makes a directory for an account that is not there. */
	do {
		if ((rc = lv_store_open(c, o->account, LV_OPEN_LOCK | (o->update ? 0 : LV_OPEN_CREATE), &a)) == 0 &&
		    (rc = change(&a, o, uri, sizeof(uri), code, &fresh)) == 0 && (rc = lv_store_commit(&a)) == 0)
			audit(&a, o, fresh);
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	if (rc == 0 && fresh)
		printf("%s\n", code);
	if (rc == 0 && uri[0] != '\0')
		rc = lv_totp_print_uri(uri, o->qr);
	if (rc == 0)
		notify(c, o, fresh);
	sodium_memzero(code, sizeof(code));
	sodium_memzero(uri, sizeof(uri));
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
	if ((rc = validate(&o)) != 0 || (rc = read_devkey(&o)) != 0 || (rc = read_key(&o)) != 0)
		return rc;
	lv_ctx_args(&c, o.cli.dir, o.cli.conf);
	if ((rc = lv_ctx_open(&c, LV_CTX_CREATE)) == 0 && !o.init && o.keyopts)
		rc = key_options(&c, &o);
	else if (rc == 0 && !o.init && o.keylabel != NULL)
		rc = key_label(&c, &o);
	else if (rc == 0 && !o.init && o.key != NULL && (rc = lv_seckey_conf_check(&c.conf)) != 0)
		;
	else if (rc == 0 && !o.init && (rc = import_ga_allowed(&o)) == 0)
		rc = enroll(&c, &o);
	lv_seckey_answer_free(&o.ans);
	sodium_memzero(o.secret, sizeof(o.secret));
	lv_ctx_close(&c);
	return rc ? rc : lv_fshut();
}
