/* Diagnostics: one line on stderr, "prog: message", with strerror when the
 * format ends in ':'. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lv.h"

const char *lv_prog = "lv";

void
lv_setprog(const char *argv0)
{
	const char *p = strrchr(argv0, '/');

	lv_prog = p ? p + 1 : argv0;
	lv_priv_init(); /* every program starts here: drop a set-user-ID caller's environment */
}

static void
vwarn(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", lv_prog);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
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
