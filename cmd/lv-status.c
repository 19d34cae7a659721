/* lv-status: what support may see of an account, never a secret; or every
 * enrolled account (--list). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lv.h"

static const char synopsis[] = "lv-status [-d DIR] [-c FILE] ACCOUNT [--json] [--log] | lv-status --list";

struct opts {
	struct lv_cli cli;
	const char *account;
	int json, log, list;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "json", no_argument, NULL, 'j' }, { "log", no_argument, NULL, 'l' },
		{ "list", no_argument, NULL, 'L' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, &o->cli, synopsis, &rc)) != -1) {
		o->json |= ch == 'j';
		o->log |= ch == 'l';
		o->list |= ch == 'L';
	}
	if (rc != 0)
		return rc;
	if (o->list)
		return (o->json || o->log) ? lv_usage(synopsis, "--list takes no other option") :
		    lv_cli_operands(argc, argv, 0, synopsis);
	if ((rc = lv_cli_operands(argc, argv, 1, synopsis)) != 0)
		return rc;
	o->account = argv[optind];
	if (lv_valid_account(o->account) != 0)
		return lv_err(EX_DATAERR, "bad account name");
	return 0;
}

/* "disabled<TAB>TIME<TAB>BY<TAB>REASON"; a record that does not parse is
 * shown in JSON only, as null. */
static void
disabled_fact(const struct lv_acct *a, struct lv_facts *f)
{
	char buf[LV_TEXT_MAX + 128], *by = NULL, *why = NULL;
	const char *d = lv_rec_get(&a->rec, "disabled");

	if (d != NULL && snprintf(buf, sizeof(buf), "%s", d) > 0 && (by = strchr(buf, '\t')) != NULL)
		why = strchr(by + 1, '\t');
	if (why == NULL) {
		lv_fact(f, LV_FACT_JSON, "disabled", 1, lv_text(NULL, NULL));
		return;
	}
	*by++ = *why++ = '\0';
	lv_fact(f, 0, "disabled", 3, lv_time("time", strtol(buf, NULL, 10), NULL), lv_text("by", by),
	    lv_text("reason", why));
}

static void
account_facts(const struct lv_acct *a, struct lv_facts *f)
{
	long until = lv_rec_getnum(&a->rec, "fail.until", 0);

	lv_fact(f, 0, "enrolled", 1, lv_bool(NULL, lv_store_enrolled(a)));
	if (!lv_store_enrolled(a)) {
		disabled_fact(a, f);
		return;
	}
	lv_sms_status(a, f);
	lv_device_status(a, f);
	lv_totp_status(a, f);
	lv_seckey_status(a, f);
	lv_fact(f, 0, "backup-codes", 1, lv_num(NULL, (long)lv_backup_active(a)));
	lv_temp_status(a, f);
	lv_request_status(a, f);
	lv_remember_status(a, f);
	lv_fact(f, 0, "failures", 1, lv_num(NULL, lv_rec_getnum(&a->rec, "fail.count", 0)));
	lv_fact(f, 0, "third-party-failures", 1, lv_num(NULL, lv_rec_getnum(&a->rec, "fail3.count", 0)));
	lv_fact(f, 0, "locked-until", 1, lv_time(NULL, until > lv_now() ? until : 0, "no"));
}

static int
show(struct lv_ctx *c, const struct opts *o)
{
	struct lv_facts f = { NULL, 0, 0, 0 };
	struct lv_acct a;
	int rc;

	if ((rc = lv_store_open(c, o->account, 0, &a)) == 0) {
		account_facts(&a, &f);
		if (o->log && o->json)
			rc = lv_audit_facts(&a, &f);
		if (rc == 0)
			rc = lv_facts_print(&f, o->json);
		if (rc == 0 && o->log && !o->json)
			rc = lv_audit_print(&a, 1);
		if (rc == 0 && !lv_store_enrolled(&a))
			rc = EX_NOINPUT;
	}
	lv_facts_free(&f);
	lv_store_close(&a);
	return rc;
}

struct names { char **v; size_t n, cap; struct lv_ctx *c; int rc; };

static int
add_name(struct names *ns, const char *name)
{
	char **p;

	if (ns->n == ns->cap) {
		if ((p = realloc(ns->v, (ns->cap ? 2 * ns->cap : 64) * sizeof(char *))) == NULL)
			return lv_err(EX_SOFTWARE, "out of memory");
		ns->v = p;
		ns->cap = ns->cap ? 2 * ns->cap : 64;
	}
	if ((ns->v[ns->n] = strdup(name)) == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	ns->n++;
	return 0;
}

/* An account that cannot be read is reported and remembered; the walk goes
 * on so one damaged account does not hide the others. */
static int
collect(const char *name, void *arg)
{
	struct names *ns = arg;
	struct lv_acct a;
	int rc;

	if ((rc = lv_store_open(ns->c, name, 0, &a)) == 0 && lv_store_enrolled(&a))
		rc = add_name(ns, name);
	lv_store_close(&a);
	if (rc == EX_SOFTWARE)
		return rc;
	if (rc != 0 && rc != EX_NOINPUT && ns->rc == 0)
		ns->rc = rc;
	return 0;
}

static int
cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
list(struct lv_ctx *c)
{
	struct names ns = { NULL, 0, 0, c, 0 };
	size_t i;
	int rc = lv_walk(c, collect, &ns);

	if (ns.n > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(ns.v, ns.n, sizeof(char *), cmp);
	for (i = 0; i < ns.n; i++) {
		printf("%s\n", ns.v[i]);
		free(ns.v[i]);
	}
	free(ns.v);
	return rc ? rc : ns.rc;
}

/* Support hears of a key kept inside the state directory (an installation
 * older than lv-state(5)'s layout): a copy of that directory alone opens it. */
static void
warn_key_inside(const struct lv_ctx *c)
{
	char beside[LV_KEYPATH_MAX], dest[LV_KEYPATH_MAX + 16] = "a directory of its own";

	if (!lv_key_inside(c))
		return;
	if (lv_key_default_dir(c, beside, sizeof(beside)) == 0)
		snprintf(dest, sizeof(dest), "%s/site.key", beside);
	lv_warn("warning: the site key %s is inside the state directory, so a copy of the state directory "
	    "alone lets a reader log in: move it to %s (in a directory of mode 0700) or set site_key in "
	    "lv.conf to a path outside the state directory", c->keypath, dest);
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
	c.show_older = 1; /* support may see what a damaged newest generation hides */
	if ((rc = lv_ctx_open(&c, 0)) == 0) {
		warn_key_inside(&c);
		rc = o.list ? list(&c) : show(&c, &o);
	}
	lv_ctx_close(&c);
	if (lv_fshut() != 0)
		return EX_IOERR;
	return rc;
}
