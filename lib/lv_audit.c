/* The account's audit log: one line per change, appended, kept after
 * unenrolment; never a secret, phone numbers only masked. Also to syslog
 * (authpriv) when the configuration says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lv.h"

#define AUDIT_TRIES 8 /* a log replaced under a writer this often: give up */

static void
to_syslog(struct lv_acct *a, const char *line)
{
	char buf[LV_AUDIT_LINE + 128];

	snprintf(buf, sizeof(buf), "account=%s %s", a->name, line);
	lv_syslog(&a->ctx->conf, buf);
}

int
lv_audit_open(struct lv_acct *a)
{
	struct stat st;
	int rc;

	a->auditfd = openat(a->dirfd, "audit", O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, 0600);
	if (a->auditfd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe audit log of %s: a symbolic link", a->name);
	if (a->auditfd < 0)
		return lv_err(EX_IOERR, "cannot open the audit log of %s:", a->name);
	if (fstat(a->auditfd, &st) != 0 || !S_ISREG(st.st_mode))
		return lv_err(EX_NOPERM, "unsafe audit log of %s: not a regular file", a->name);
	if ((rc = lv_safe_stat(a->ctx, a->auditfd, "audit log", 0)) != 0)
		return rc;
	return 0;
}

/* The file the line went to is still the one named audit. lv-expire
 * replaces the log to trim it (lv_audit_trim.c); a writer whose lock was
 * lost may have opened the old one, and writes the line again. An open
 * file's device and inode number are no other file's while it is open. */
static int
still_the_log(const struct lv_acct *a)
{
	struct stat open_st, named_st;

	return fstat(a->auditfd, &open_st) == 0 &&
	    fstatat(a->dirfd, "audit", &named_st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    open_st.st_dev == named_st.st_dev && open_st.st_ino == named_st.st_ino;
}

static int
append(struct lv_acct *a, const char *line, size_t n)
{
	int rc, tries;

	for (tries = 0; tries < AUDIT_TRIES; tries++) {
		if (a->auditfd < 0 || write(a->auditfd, line, n) != (ssize_t)n || lv_store_sync(a->auditfd) != 0)
			return lv_err(EX_IOERR, "cannot append to the audit log of %s:", a->name);
		if (still_the_log(a))
			return 0;
		close(a->auditfd);
		a->auditfd = -1;
		if ((rc = lv_audit_open(a)) != 0)
			return rc;
	}
	return lv_err(EX_TEMPFAIL, "the audit log of %s keeps being replaced; try again", a->name);
}

/* After the commit, under the lock: the change is made, so a failure here
 * does not undo it; it returns 74, and an acceptance whose line is not on
 * disk is refused by its caller. */
int
lv_audit(struct lv_acct *a, const char *event, const char *method, const char *result,
    const char *detail)
{
	char when[32], who[64], line[LV_AUDIT_LINE + 64], body[LV_AUDIT_LINE];
	int n;

	lv_isotime(lv_now(), when);
	lv_who(who);
	snprintf(body, sizeof(body), "event=%s method=%s result=%s by=%s%s%s", event,
	    method ? method : "-", result ? result : "-", who, detail && *detail ? " " : "",
	    detail ? detail : "");
	n = snprintf(line, sizeof(line), "%s %s\n", when, body);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (a->ctx->conf.syslog)
		to_syslog(a, body);
	return append(a, line, (size_t)n);
}

int
lv_audit_print(struct lv_acct *a, int out)
{
	char buf[4096];
	ssize_t r;
	int fd = openat(a->dirfd, "audit", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return lv_err(errno == ELOOP ? EX_NOPERM : EX_IOERR, "cannot read the audit log of %s:", a->name);
	fflush(stdout);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)r) != r) {
			close(fd);
			return lv_err(EX_IOERR, "cannot write standard output:");
		}
	close(fd);
	return r < 0 ? lv_err(EX_IOERR, "cannot read the audit log of %s:", a->name) : 0;
}

/* The log as "log" facts, one a line, for lv-status --json --log. */
int
lv_audit_facts(struct lv_acct *a, struct lv_facts *f)
{
	int fd = openat(a->dirfd, "audit", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || (in = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return lv_err(errno == ELOOP ? EX_NOPERM : EX_IOERR, "cannot read the audit log of %s:", a->name);
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		lv_fact(f, LV_FACT_LIST, "log", 1, lv_text(NULL, line));
	}
	free(line);
	n = ferror(in);
	fclose(in);
	return n ? lv_err(EX_IOERR, "cannot read the audit log of %s:", a->name) : 0;
}
