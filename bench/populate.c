/* populate: create N enrolled accounts (u0000001 ...) directly through the
 * library, for the benchmarks; optionally write ACCOUNT<TAB>CODE for K of
 * them, spread over the whole range, so each timed run has a fresh code.
 * --audit-days D --audit-lines L: each audit log holds L lines, the first
 * D days old and the others spread evenly up to now (bench/audit-bench).
 * Nothing is synced per account; the filesystem is synced once at the end.
 * -j J splits the range over J processes (default: one per CPU), since the
 * time goes into the kernel creating files. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

static const char synopsis[] =
    "populate -d DIR [-c FILE] [-j J] N [--codes FILE --keep K] [--audit-days D --audit-lines L]";

/* The weak switch in lib/lv_store.c: only this program defines it. */
int lv_bench_nosync = 1;

struct opts {
	const char *dir, *conf, *codes;
	long n, keep, jobs;
	long audit_days, audit_lines;
};

static int
usage(void)
{
	fprintf(stderr, "usage: %s\n", synopsis);
	return EX_USAGE;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "codes", required_argument, NULL, 'C' }, { "keep", required_argument, NULL, 'k' },
		{ "audit-days", required_argument, NULL, 'D' }, { "audit-lines", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->jobs = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
	while ((ch = getopt_long(argc, argv, "d:c:j:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': o->dir = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'j': if (lv_parse_uint(optarg, 256, &o->jobs) != 0 || o->jobs == 0) return usage(); break;
		case 'C': o->codes = optarg; break;
		case 'k': if (lv_parse_uint(optarg, 9999999, &o->keep) != 0) return usage(); break;
		case 'D': if (lv_parse_uint(optarg, 36500, &o->audit_days) != 0) return usage(); break;
		case 'L': if (lv_parse_uint(optarg, 10000, &o->audit_lines) != 0) return usage(); break;
		default: return usage();
		}
	}
	if (o->dir == NULL || optind + 1 != argc || lv_parse_uint(argv[optind], 9999999, &o->n) != 0 ||
	    o->n == 0 || (o->codes == NULL) != (o->keep == 0) || o->keep > o->n ||
	    (o->audit_days > 0) != (o->audit_lines > 0))
		return usage();
	return 0;
}

/* An audit log as a year of logins leaves it: the enrolment D days ago,
 * then lines spread evenly up to now, in lv_audit's form. */
static int
aged_log(struct lv_acct *a, const struct opts *o)
{
	char when[32], line[160];
	time_t now = lv_now(), span = (time_t)o->audit_days * 86400;
	long k;
	int n;

	for (k = 0; k < o->audit_lines; k++) {
		lv_isotime(now - span + (o->audit_lines > 1 ? span * k / (o->audit_lines - 1) : 0), when);
		n = snprintf(line, sizeof(line), k == 0 ? "%s event=enrol method=sms result=ok by=bench\n" :
		    "%s event=verify method=backup result=accept by=bench seq=%ld\n", when, k);
		if (write(a->auditfd, line, (size_t)n) != n)
			return lv_err(EX_IOERR, "cannot write the audit log of %s:", a->name);
	}
	return 0;
}

/* One account: the work of lv-enroll ACCOUNT --phone, without the process. */
static int
enrol(struct lv_ctx *c, const struct opts *o, long i, char code[LV_BACKUP_CODELEN + 1])
{
	char name[24];
	struct lv_acct a;
	int rc;

	snprintf(name, sizeof(name), "u%07ld", i);
	if ((rc = lv_store_open(c, name, LV_OPEN_CREATE | LV_OPEN_LOCK, &a)) != 0)
		goto out;
	if (lv_store_enrolled(&a)) {
		rc = lv_err(EX_CANTCREAT, "%s is enrolled already: populate a fresh directory", name);
		goto out;
	}
	if (lv_rec_setnum(&a.rec, "enrolled", (long)lv_now()) != 0 ||
	    lv_rec_setf(&a.rec, "phone", "+1555%07ld", i) != 0)
		rc = lv_err(EX_OSERR, "out of memory");
	if (rc == 0)
		rc = lv_backup_release(&a, 0, code);
	if (rc == 0)
		rc = lv_store_commit(&a);
	if (rc == 0 && o->audit_days > 0)
		rc = aged_log(&a, o);
	else if (rc == 0)
		lv_audit(&a, "enrol", "sms", "ok", NULL);
out:
	lv_store_close(&a);
	return rc;
}

/* The K kept accounts are every (N/K)th, so they span all of the range. */
static int
kept(const struct opts *o, long i)
{
	return o->keep > 0 && (i == 1 || (i - 1) * o->keep / o->n != (i - 2) * o->keep / o->n);
}

/* Worker w of J takes accounts w+1, w+1+J, ...; worker 0 shows progress. */
static int
fill(struct lv_ctx *c, const struct opts *o, FILE *codes, long w)
{
	char code[LV_BACKUP_CODELEN + 1];
	time_t start = time(NULL);
	long i;
	int rc;

	for (i = w + 1; i <= o->n; i += o->jobs) {
		if ((rc = enrol(c, o, i, code)) != 0)
			return rc;
		if (codes != NULL && kept(o, i) && (fprintf(codes, "u%07ld\t%s\n", i, code) < 0 ||
		    fflush(codes) != 0))
			return lv_err(EX_IOERR, "cannot write %s:", o->codes);
		if (w == 0 && ((i - 1) % 50000 < o->jobs || i + o->jobs > o->n))
			fprintf(stderr, "populate: %ld/%ld accounts, %lds\n", i, o->n, (long)(time(NULL) - start));
	}
	sodium_memzero(code, sizeof(code));
	return 0;
}

/* The workers append whole lines to one codes file (O_APPEND). */
static int
fill_all(struct lv_ctx *c, const struct opts *o, FILE *codes)
{
	long w;
	int status, rc = 0;
	pid_t pid;

	fflush(stderr);
	for (w = 0; w < o->jobs; w++) {
		if ((pid = fork()) < 0)
			return lv_err(EX_OSERR, "cannot fork:");
		if (pid == 0)
			_exit(fill(c, o, codes, w));
	}
	while ((pid = wait(&status)) > 0)
		if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE;
	return rc;
}

static FILE *
open_codes(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL)
		lv_warn("cannot write %s:", path);
	return f;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct lv_ctx c;
	FILE *codes = NULL;
	int rc;

	lv_setprog(argv[0]);
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc;
	if (o.codes != NULL && (codes = open_codes(o.codes)) == NULL)
		return EX_CANTCREAT;
	lv_ctx_args(&c, o.dir, o.conf);
	if ((rc = lv_ctx_open(&c, LV_CTX_CREATE)) == 0)
		rc = fill_all(&c, &o, codes);
	if (rc == 0 && syncfs(c.dirfd) != 0)
		rc = lv_err(EX_IOERR, "cannot sync %s:", o.dir);
	if (codes != NULL && fclose(codes) != 0 && rc == 0)
		rc = lv_err(EX_IOERR, "cannot write %s:", o.codes);
	lv_ctx_close(&c);
	return rc;
}
