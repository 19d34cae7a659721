/* Migration from google-authenticator-libpam: its ~/.google_authenticator
 * file holds the base32 secret on line 1, then option lines ('" NAME ...')
 * and 8-digit scratch codes. Only the secret is taken: lv has its own
 * backup codes, rate limits and replay rule. Counter-based (HOTP) files and
 * steps other than 30 s are refused, since their codes would never match. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

#define GA_MAX 4096

static int
all_of(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

/* One line after the secret: 0 fine, else the exit code (the message said). */
static int
option_line(const char *shown, int lineno, const char *line)
{
	char name[32];
	long step;

	if (all_of(line, "0123456789", 8, 8))
		return 0; /* a scratch code */
	if (strncmp(line, "\" ", 2) != 0 || sscanf(line + 2, "%31[A-Z_]", name) != 1)
		return lv_err(EX_DATAERR, "%s:%d: malformed google-authenticator file: "
		    "neither an option nor a scratch code", shown, lineno);
	if (strcmp(name, "HOTP_COUNTER") == 0)
		return lv_err(EX_DATAERR, "%s:%d: a counter-based (HOTP) google-authenticator file: "
		    "lv checks time-based codes only; enrol with --totp and scan the new code", shown, lineno);
	if (strcmp(name, "STEP_SIZE") == 0 &&
	    (sscanf(line + 2, "STEP_SIZE %ld", &step) != 1 || step != LV_TOTP_STEP))
		return lv_err(EX_DATAERR, "%s:%d: codes change every %d s in lv, not as this file says; "
		    "enrol with --totp and scan the new code", shown, lineno, LV_TOTP_STEP);
	return 0;
}

static int
parse(const char *shown, char *buf, size_t n, unsigned char *secret, size_t max, size_t *len)
{
	char *line;
	size_t pos = 0;
	int lineno = 1, rc = 0;

	line = lv_input_line(buf, n, &pos);
	if (line == NULL || !all_of(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz234567", 16, 128) ||
	    lv_oath_b32_decode(line, strlen(line), secret, max, len) != 0)
		return lv_err(EX_DATAERR, "%s:1: malformed google-authenticator file: "
		    "a base32 secret of 16 to %zu characters expected", shown, (8 * max) / 5);
	while (rc == 0 && (line = lv_input_line(buf, n, &pos)) != NULL)
		rc = option_line(shown, ++lineno, line);
	return rc;
}

static int
read_file(const char *path, const char *shown, char *buf, size_t *n)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe %s: a symbolic link", shown);
	if (fd < 0)
		return lv_err(EX_NOINPUT, "cannot open %s:", shown);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = lv_err(EX_DATAERR, "%s is not a regular file", shown);
	else if (lv_input_read(fd, buf, GA_MAX, n) != 0)
		rc = lv_err(EX_DATAERR, "%s: malformed google-authenticator file: "
		    "not text, or longer than %d bytes", shown, GA_MAX);
	close(fd);
	return rc;
}

int
lv_totp_import_ga(const char *path, unsigned char *secret, size_t max, size_t *len)
{
	char buf[GA_MAX + 1], shown[LV_TEXT_MAX * 4 + 1];
	size_t n = 0;
	int rc;

	lv_escape(path, shown, sizeof(shown));
	if ((rc = read_file(path, shown, buf, &n)) == 0)
		rc = parse(shown, buf, n, secret, max, len);
	if (rc != 0) {
		sodium_memzero(secret, max);
		*len = 0;
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}
