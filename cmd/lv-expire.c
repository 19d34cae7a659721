/* lv-expire: for cron, every minute. Walks every bucket of the state
 * directory; in each account with something due it marks expired SMS codes
 * and pending login requests expired, forgets old ones, removes expired
 * temporary passwords, and trims the audit log of lines older than
 * audit_retention days (lib/lv_audit_trim.c). An account is read without its lock and locked only
 * to change it, one at a time, so a login never waits for more than one
 * account's rewrite. The bucket hints (lib/lv_hint.c) let it pass over the
 * buckets where nothing is due without reading their accounts. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lv.h"

#define BAR_WIDTH 40
#define BAR_EVERY_MS 200

static const char synopsis[] = "lv-expire [-d DIR] [-c FILE] [--dry-run]";

struct counts {
	long accounts, codes, requests, passwords, audit;
};

struct run {
	struct lv_ctx *c;
	int dry;
	time_t now;
	struct counts n;
	int rc; /* the worst failure, reported at the end */
	int bar, bar_shown;
	struct timespec bar_last;
	char top[3];          /* the top-level bucket whose hints are loaded */
	int hints_rc;         /* they could not be read: sweep, store nothing */
	struct lv_hints hints;
};

static int
parse(int argc, char **argv, struct lv_cli *cli, int *dry)
{
	static const struct option longopts[] = {
		LV_COMMON_LONG, { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = lv_cli_next(argc, argv, longopts, cli, synopsis, &rc)) != -1)
		*dry = 1;
	if (rc != 0)
		return rc;
	return lv_cli_operands(argc, argv, 0, synopsis);
}

/* The progress bar: stderr, only on a terminal, a few times a second. */
static void
bar_draw(struct run *r, double done, int last)
{
	struct timespec now;
	char bar[BAR_WIDTH + 1];
	int i, full = (int)(done * BAR_WIDTH);

	if (!r->bar)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && r->bar_shown && (now.tv_sec - r->bar_last.tv_sec) * 1000 +
	    (now.tv_nsec - r->bar_last.tv_nsec) / 1000000 < BAR_EVERY_MS)
		return;
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < full ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%s: [%s] %3d%% %ld accounts%s", lv_prog, bar, (int)(done * 100),
	    r->n.accounts, last ? "\n" : "");
	r->bar_shown = !last;
	r->bar_last = now;
}

/* Before anything that may print a diagnostic. */
static void
bar_clear(struct run *r)
{
	if (r->bar_shown)
		fputs("\r\033[K", stderr);
	r->bar_shown = 0;
}

static int
rank(int rc)
{
	return rc == 0 ? 0 : rc == EX_TEMPFAIL ? 1 : rc == EX_IOERR ? 2 : rc == EX_NOPERM ? 3 : 4;
}

static void
failed(struct run *r, int rc)
{
	if (rank(rc) > rank(r->rc))
		r->rc = rc;
}

/* What is due in one account, done to its records in memory. */
static int
apply(struct lv_acct *a, time_t now, struct counts *got)
{
	long expired = 0, removed = 0;
	int rc;

	got->codes = (long)lv_sms_expire(a, now, 1);
	got->passwords = (long)lv_temp_expire(a, now);
	rc = lv_request_expire(a, now, &expired, &removed);
	got->requests = expired + removed;
	return rc;
}

static long
changed(const struct counts *got)
{
	return got->codes + got->requests + got->passwords + got->audit;
}

/* When the account next has something to do: its records' or its log's. */
static time_t
next_due(struct lv_acct *a)
{
	time_t due = lv_due(a), t = lv_audit_due(a);

	return t < due ? t : due;
}

/* Under the lock, after the records: the audit log's lines that are too
 * old, and one line there for all this run changed in the account. A log
 * that cannot be trimmed is reported; the records' change stands. */
static void
trim_and_audit(struct run *r, struct lv_acct *a, struct counts *got)
{
	char detail[128];
	int rc;

	if (lv_audit_due(a) <= r->now && (rc = lv_audit_trim(a, r->now, 1, &got->audit)) != 0)
		failed(r, rc);
	if (changed(got) > 0) {
		snprintf(detail, sizeof(detail), "codes=%ld requests=%ld passwords=%ld audit-lines=%ld",
		    got->codes, got->requests, got->passwords, got->audit);
		lv_audit(a, "expire", NULL, "ok", detail);
	}
}

/* Under the account's lock: read again, apply, commit, trim, audit. */
static int
expire_locked(struct run *r, const char *name, struct counts *got, time_t *due)
{
	struct lv_acct a;
	int rc, tries = 0;

	do {
		memset(got, 0, sizeof(*got));
		if ((rc = lv_store_open(r->c, name, LV_OPEN_LOCK, &a)) == 0 &&
		    (rc = apply(&a, r->now, got)) == 0 && changed(got) > 0)
			rc = lv_store_commit(&a);
		if (rc == 0)
			trim_and_audit(r, &a, got);
		*due = rc == 0 ? next_due(&a) : 0;
		lv_store_close(&a);
	} while (lv_store_lost(&rc, &tries));
	return rc;
}

static void
dry_report(const char *name, const struct counts *got)
{
	if (changed(got) > 0)
		printf("%s: codes %ld, requests %ld, passwords %ld, audit-lines %ld\n", name, got->codes,
		    got->requests, got->passwords, got->audit);
}

/* --dry-run: what a run would change, read without the lock. */
static int
dry_run(struct run *r, struct lv_acct *a, struct counts *got, time_t *due)
{
	int rc = 0;

	if (lv_due(a) <= r->now)
		rc = apply(a, r->now, got);
	if (rc == 0 && lv_audit_due(a) <= r->now)
		rc = lv_audit_trim(a, r->now, 0, &got->audit);
	if (rc == 0)
		dry_report(a->name, got);
	*due = rc == 0 ? next_due(a) : 0;
	return rc;
}

/* One account, read without its lock; locked only when something is due.
 * Returns when it is next due (0 after a failure: the bucket is swept
 * again next time). */
static time_t
expire_account(struct run *r, const char *name)
{
	struct counts got = { 0, 0, 0, 0, 0 };
	struct lv_acct a;
	time_t due = 0;
	int rc;

	if ((rc = lv_store_open(r->c, name, 0, &a)) == 0 && (due = next_due(&a)) <= r->now && r->dry)
		rc = dry_run(r, &a, &got, &due);
	lv_store_close(&a);
	if (rc == 0 && due <= r->now && !r->dry)
		rc = expire_locked(r, name, &got, &due);
	if (rc == EX_NOINPUT) /* gone since the bucket was read */
		return LV_NEVER;
	if (rc != 0) {
		failed(r, rc);
		return 0;
	}
	r->n.codes += got.codes;
	r->n.requests += got.requests;
	r->n.passwords += got.passwords;
	r->n.audit += got.audit;
	return due;
}

/* The hints of the leaf's top-level bucket: 0 and the leaf's, 1 when it
 * has none, else why they could not be read. */
static int
hint_of(struct run *r, const struct lv_bucket *b, struct lv_hint *h)
{
	if (memcmp(r->top, b->name, 2) != 0) {
		memcpy(r->top, b->name, 2);
		if ((r->hints_rc = lv_hints_load(r->c, b->topfd, r->top, &r->hints)) != 0)
			failed(r, r->hints_rc);
	}
	return r->hints_rc ? r->hints_rc : lv_hints_get(&r->hints, b->name, h);
}

/* Stores when the bucket is next due, unless a writer came in between. */
static int
expire_bucket(const struct lv_bucket *b, void *arg)
{
	struct run *r = arg;
	time_t due = LV_NEVER, t;
	struct lv_hint h;
	size_t i;
	int hint;

	r->n.accounts += (long)b->n;
	if ((hint = hint_of(r, b, &h)) == 0 && h.due > r->now) {
		bar_draw(r, b->done, 0);
		return 0;
	}
	bar_clear(r);
	/* The version to compare with after the sweep is read under the lock,
	 * never while a writer holds the hint for records not yet in place. */
	if (hint <= 1 && !r->dry && (hint = lv_hint_begin(r->c, b->topfd, b->name, &h)) != 0)
		failed(r, hint);
	/* an audit line written from now on is due no sooner than this */
	due = lv_audit_due_at(&r->c->conf, r->now);
	for (i = 0; i < b->n; i++)
		if ((t = expire_account(r, b->acct[i])) < due)
			due = t;
	if (hint == 0 && !r->dry && (hint = lv_hint_store(r->c, b->topfd, b->name, &h, due)) != 0)
		failed(r, hint);
	bar_draw(r, b->done, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	struct lv_cli cli = { NULL, NULL };
	struct lv_ctx c;
	struct run r;
	int rc, out;

	lv_setprog(argv[0]);
	memset(&r, 0, sizeof(r));
	if ((rc = parse(argc, argv, &cli, &r.dry)) != 0)
		return rc == LV_EXIT_OK ? 0 : rc;
	lv_ctx_args(&c, cli.dir, cli.conf);
	if ((rc = lv_ctx_open(&c, 0)) != 0)
		return rc;
	r.c = &c;
	r.now = lv_now();
	r.bar = isatty(STDERR_FILENO);
	if ((rc = lv_walk_buckets(&c, expire_bucket, &r)) != 0)
		failed(&r, rc);
	bar_clear(&r);
	bar_draw(&r, 1.0, 1);
	lv_ctx_close(&c);
	printf("accounts %ld, codes %ld, requests %ld, passwords %ld, audit-lines %ld\n", r.n.accounts,
	    r.n.codes, r.n.requests, r.n.passwords, r.n.audit);
	out = lv_fshut();
	return r.rc ? r.rc : out;
}
