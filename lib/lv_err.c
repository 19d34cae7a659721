/* Diagnostics: one line on stderr, "prog: message", with strerror when the
 * format ends in ':'. While a lock is held they are queued and written
 * when the last lock is released: a caller's stderr on a full pipe must
 * never keep a lock held. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lv.h"

const char *lv_prog = "lv";

static struct {
	int held;
	size_t len;
	char buf[4096];
} queue;

static void
put(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && ((w = write(2, s, n)) > 0 || (w < 0 && errno == EINTR)))
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
}

static void
flush(void)
{
	put(queue.buf, queue.len);
	queue.len = 0;
}

/* The program's name as the caller typed it goes into messages and
 * syslog lines: only a plain name is taken, never a forged line. */
void
lv_setprog(const char *argv0)
{
	const char *p = argv0 ? strrchr(argv0, '/') : NULL, *name = p ? p + 1 : argv0;

	if (name != NULL && *name != '\0' && strlen(name) <= 32 &&
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(name))
		lv_prog = name;
	atexit(flush);
	lv_proc_init(); /* every program starts here: the process is made lv's own */
}

void
lv_diag_hold(void)
{
	queue.held++;
}

void
lv_diag_release(void)
{
	if (queue.held > 0 && --queue.held == 0)
		flush();
}

static void
vwarn(const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno, n;
	size_t len = strlen(fmt);

	n = snprintf(line, sizeof(line), "%s: ", lv_prog);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if ((size_t)n < sizeof(line) && len > 0 && fmt[len - 1] == ':')
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", strerror(saved));
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (queue.held == 0) {
		put(line, (size_t)n);
	} else if (queue.len + (size_t)n <= sizeof(queue.buf)) {
		memcpy(queue.buf + queue.len, line, (size_t)n);
		queue.len += (size_t)n;
	}
	errno = saved;
}

void
lv_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

int
lv_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	return code;
}

/* A full disk must not look like success. */
int
lv_fshut(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return lv_err(EX_IOERR, "cannot write standard output:");
	return 0;
}
