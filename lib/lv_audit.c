/* The account's audit log: one line per change, appended, kept after
 * unenrolment; never a secret, phone numbers only masked. Also to syslog
 * (authpriv) when the configuration says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "lv.h"

static void
to_syslog(struct lv_acct *a, const char *line)
{
	openlog(lv_prog, LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_INFO, "account=%s %s", a->name, line);
	closelog();
}

void
lv_audit(struct lv_acct *a, const char *event, const char *method, const char *result,
    const char *detail)
{
	char when[32], who[64], line[1024], body[900];
	int fd, n;

	lv_isotime(lv_now(), when);
	lv_who(who);
	snprintf(body, sizeof(body), "event=%s method=%s result=%s by=%s%s%s", event,
	    method ? method : "-", result ? result : "-", who, detail && *detail ? " " : "",
	    detail ? detail : "");
	n = snprintf(line, sizeof(line), "%s %s\n", when, body);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)strlen(line);
	if (a->ctx->conf.syslog)
		to_syslog(a, body);
	fd = openat(a->dirfd, "audit", O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n || lv_store_sync(fd) != 0)
		lv_warn("cannot append to the audit log of %s:", a->name);
	if (fd >= 0)
		close(fd);
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
