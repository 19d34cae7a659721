/* lv-device: the phone app's side of push, for scripts, tests and demos.
 * Makes a device key, signs answers to login requests and sign-out
 * statements, and seals the key under a passphrase for a backup. The key
 * file holds the 32-byte Ed25519 seed as one base64 line, mode 0600. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

static const char synopsis[] =
    "lv-device keygen --key FILE | sign --key FILE approve|deny NUMBER | signout --key FILE ACCOUNT | "
    "export --key FILE [--kdf interactive|moderate|sensitive] | import --key FILE";

#define PASS_MIN 8

enum verb { KEYGEN, SIGN, SIGNOUT, EXPORT, IMPORT };

struct opts {
	struct lv_cli cli;
	enum verb verb;
	const char *key, *kdf_s, *decision, *number, *account;
	enum lv_kdf kdf;
};

struct keypair {
	unsigned char seed[32], pk[32], sk[64];
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "key", required_argument, NULL, 'k' },
		{ "kdf", required_argument, NULL, 'K' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		if (ch == 'k')
			o->key = optarg;
		else
			o->kdf_s = optarg;
	}
	if (rc != 0)
		return rc;
	return 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const char *verbs[] = { "keygen", "sign", "signout", "export", "import" };
	static const int operands[] = { 0, 2, 1, 0, 0 };
	int rc, i;

	if ((rc = parse_opts(argc, argv, o)) != 0)
		return rc;
	if (optind >= argc)
		return lv_usage(synopsis, "missing operand");
	for (i = 0; i < 5 && strcmp(argv[optind], verbs[i]) != 0; i++)
		;
	if (i == 5)
		return lv_usage(synopsis, "the verb is keygen, sign, signout, export or import");
	o->verb = (enum verb)i;
	optind++;
	if ((rc = lv_cli_operands(argc, argv, operands[i], synopsis)) != 0)
		return rc;
	o->decision = o->verb == SIGN ? argv[optind] : NULL;
	o->number = o->verb == SIGN ? argv[optind + 1] : NULL;
	o->account = o->verb == SIGNOUT ? argv[optind] : NULL;
	if (o->key == NULL)
		return lv_usage(synopsis, "--key FILE is needed");
	if (o->kdf_s != NULL && o->verb != EXPORT)
		return lv_usage(synopsis, "--kdf goes with export");
	return 0;
}

static int
validate(struct opts *o)
{
	static const char *kdfs[] = { "interactive", "moderate", "sensitive" };
	int i;

	o->kdf = LV_KDF_MODERATE;
	for (i = 0; o->kdf_s != NULL && i < 3 && strcmp(o->kdf_s, kdfs[i]) != 0; i++)
		;
	if (i == 3)
		return lv_usage(synopsis, "--kdf is interactive, moderate or sensitive");
	if (o->kdf_s != NULL)
		o->kdf = (enum lv_kdf)i;
	if (o->decision != NULL && strcmp(o->decision, "approve") != 0 && strcmp(o->decision, "deny") != 0)
		return lv_usage(synopsis, "the decision is approve or deny");
	if (o->number != NULL && (strlen(o->number) != 2 || strspn(o->number, "0123456789") != 2))
		return lv_err(EX_DATAERR, "bad number: the two digits shown on the login screen expected");
	if (o->account != NULL && lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	return 0;
}

/* A key file is made once and never overwritten. */
static int
key_create(const char *path, const unsigned char seed[32])
{
	char line[LV_B64_LEN(32) + 2];
	size_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno == EEXIST)
		return lv_err(EX_CANTCREAT, "key file %s exists: not overwritten", path);
	if (fd < 0)
		return lv_err(errno == EACCES || errno == EPERM ? EX_NOPERM : EX_IOERR,
		    "cannot create key file %s:", path);
	lv_b64_encode(seed, 32, line);
	n = strlen(line);
	line[n++] = '\n';
	if (write(fd, line, n) != (ssize_t)n || fsync(fd) != 0)
		rc = lv_err(EX_IOERR, "cannot write key file %s:", path);
	if (close(fd) != 0 && rc == 0)
		rc = lv_err(EX_IOERR, "cannot write key file %s:", path);
	if (rc != 0)
		unlink(path);
	sodium_memzero(line, sizeof(line));
	return rc;
}

static int
key_read(int fd, const char *path, struct keypair *k)
{
	char buf[128];
	struct stat st;
	ssize_t r;
	int rc = 0;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return lv_err(EX_NOPERM, "key file %s is not a regular file", path);
	if ((st.st_mode & 077) != 0)
		return lv_err(EX_NOPERM, "unsafe key file %s: mode %04o lets others read it", path,
		    (unsigned)(st.st_mode & 07777));
	r = read(fd, buf, sizeof(buf) - 1);
	if (r != LV_B64_LEN(32) + 1 || buf[r - 1] != '\n')
		rc = lv_err(EX_DATAERR, "malformed key file %s: one base64 line of 32 bytes expected", path);
	if (rc == 0) {
		buf[r - 1] = '\0';
		if (lv_b64_decode(buf, k->seed, 32) != 0)
			rc = lv_err(EX_DATAERR, "malformed key file %s: not strict base64 of 32 bytes", path);
	}
	if (rc == 0)
		crypto_sign_seed_keypair(k->pk, k->sk, k->seed);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

static int
key_load(const char *path, struct keypair *k)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

	if (fd < 0 && errno == ENOENT)
		return lv_err(EX_NOINPUT, "no key file %s (lv-device keygen makes one)", path);
	if (fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe key file %s: a symbolic link", path);
	if (fd < 0)
		return lv_err(EX_NOINPUT, "cannot open key file %s:", path);
	rc = key_read(fd, path, k);
	close(fd);
	return rc;
}

static void
print_pub(const unsigned char pk[32])
{
	char b64[LV_B64_LEN(32) + 1];

	lv_b64_encode(pk, 32, b64);
	printf("%s\n", b64);
}

static int
keygen(const struct opts *o, struct keypair *k)
{
	int rc;

	randombytes_buf(k->seed, sizeof(k->seed));
	if ((rc = key_create(o->key, k->seed)) == 0) {
		crypto_sign_seed_keypair(k->pk, k->sk, k->seed);
		print_pub(k->pk);
	}
	return rc;
}

static void
print_signed(const char *tag, const char *const f[], size_t n, const struct keypair *k)
{
	unsigned char sig[LV_SIGBYTES];
	char b64[LV_B64_LEN(LV_SIGBYTES) + 1];
	size_t i;

	lv_sign(k->sk, tag, f, n, sig);
	lv_b64_encode(sig, sizeof(sig), b64);
	fputs(tag, stdout);
	for (i = 0; i < n; i++)
		printf("\t%s", f[i]);
	printf("\t%s\n", b64);
}

/* Reads the lv1-request line of lv-requests show, signs the decision. */
static int
sign(const struct opts *o, struct keypair *k)
{
	char line[LV_REQLINE_MAX], *f[8];
	size_t n;
	int rc;

	if (lv_line_read_utf8(0, line, sizeof(line), &n) != 0 || lv_sign_request_parse(line, f) != 0)
		return lv_err(EX_DATAERR, "malformed request: one lv1-request line (lv-requests show) expected");
	if ((rc = key_load(o->key, k)) == 0) {
		const char *fields[] = { f[1], f[2], f[3], o->decision, o->number };

		print_signed("lv1-answer", fields, 5, k);
	}
	return rc;
}

static int
signout(const struct opts *o, struct keypair *k)
{
	char when[32];
	int rc;

	lv_isotime(lv_now(), when);
	if ((rc = key_load(o->key, k)) == 0) {
		const char *fields[] = { o->account, when };

		print_signed("lv1-signout", fields, 2, k);
	}
	return rc;
}

static int
export(const struct opts *o, struct keypair *k)
{
	char pass[1024], sealed[LV_SEAL_B64LEN + 1];
	size_t n = 0;
	int rc;

	if (lv_line_read(0, pass, sizeof(pass), &n) != 0 || n < PASS_MIN)
		rc = lv_err(EX_DATAERR, "bad passphrase: one line of at least %d printable characters expected",
		    PASS_MIN);
	else if ((rc = key_load(o->key, k)) == 0 && lv_seal_pass(pass, k->seed, o->kdf, sealed) != 0)
		rc = lv_err(EX_SOFTWARE, "not enough memory for the passphrase hash (try --kdf interactive)");
	if (rc == 0)
		printf("%s\n", sealed);
	sodium_memzero(pass, sizeof(pass));
	return rc;
}

/* Standard input: the passphrase, then the sealed line. Nothing is written
 * unless the passphrase opens it. */
static int
import(const struct opts *o, struct keypair *k)
{
	char buf[2048], *pass, *sealed;
	size_t n = 0, pos = 0;
	struct stat st;
	int rc;

	if (lstat(o->key, &st) == 0)
		return lv_err(EX_CANTCREAT, "key file %s exists: not overwritten", o->key);
	if (lv_input_read(0, buf, sizeof(buf) - 1, &n) != 0 || (pass = lv_input_line(buf, n, &pos)) == NULL ||
	    (sealed = lv_input_line(buf, n, &pos)) == NULL || pos < n || pass[0] == '\0')
		rc = lv_err(EX_DATAERR, "malformed input: the passphrase, then the sealed key (lv-device export)");
	else if ((rc = lv_open_pass(pass, sealed, k->seed)) == 1)
		lv_warn("wrong passphrase (or a changed backup): nothing written");
	else if (rc == EX_DATAERR)
		lv_warn("malformed sealed key: one line of lv-device export expected");
	else if (rc == EX_SOFTWARE)
		lv_warn("not enough memory for the passphrase hash");
	if (rc == 0 && (rc = key_create(o->key, k->seed)) == 0) {
		crypto_sign_seed_keypair(k->pk, k->sk, k->seed);
		print_pub(k->pk);
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

int
main(int argc, char **argv)
{
	static int (*const run[])(const struct opts *, struct keypair *) = {
		keygen, sign, signout, export, import
	};
	struct keypair k;
	struct opts o;
	int rc;

	lv_setprog(argv[0]);
	memset(&o, 0, sizeof(o));
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc == LV_EXIT_OK ? 0 : rc;
	if ((rc = validate(&o)) != 0)
		return rc;
	if (sodium_init() < 0)
		return lv_err(EX_SOFTWARE, "cannot initialise libsodium");
	rc = run[o.verb](&o, &k);
	sodium_memzero(&k, sizeof(k));
	return rc ? rc : lv_fshut();
}
