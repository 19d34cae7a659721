/* Audit events to syslog, facility authpriv, in one line a log search can
 * parse: "lv-verify[PID]: account=alice event=verify method=backup ...".
 * Sent to the configured socket (syslog_socket, /dev/log by default), so a
 * container's or a test's logger can be named; losing a line never stops
 * a login. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lv.h"

/* 0 when the line was sent; -1 with errno otherwise. */
static int
send_line(const struct lv_conf *c, const char *line, int flags)
{
	struct sockaddr_un un;
	char msg[LV_AUDIT_LINE + 256], stamp[32];
	time_t now = lv_now();
	struct tm tm;
	int fd, n, rc = -1;

	if (strlen(c->syslog_socket) >= sizeof(un.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(msg, sizeof(msg), "<%d>%s %s[%ld]: %s", LOG_AUTHPRIV | LOG_INFO, stamp, lv_prog,
	    (long)getpid(), line);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	memcpy(un.sun_path, c->syslog_socket, strlen(c->syslog_socket));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0 &&
	    send(fd, msg, (size_t)n, MSG_NOSIGNAL | flags) == n)
		rc = 0;
	close(fd);
	return rc;
}

void
lv_syslog(const struct lv_conf *c, const char *line)
{
	if (send_line(c, line, 0) != 0)
		lv_warn("cannot send to syslog at %s:", c->syslog_socket);
}

/* For what a hook printed: never waits for a full log, never says anything
 * on the caller's stderr; a line that cannot be sent is lost. */
void
lv_syslog_quiet(const struct lv_conf *c, const char *line)
{
	int saved = errno;

	(void)send_line(c, line, MSG_DONTWAIT);
	errno = saved;
}
