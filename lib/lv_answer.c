/* One answer on standard input: at most 256 bytes, one line, printable;
 * spaces and dashes inside are ignored and letters are case-insensitive. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

/* Printable bytes and tabs, lines ending in "\n" (or "\r\n"); with utf8,
 * also the characters free text may hold (lv_utf8.c). */
static int
is_text(const char *buf, size_t n, int utf8)
{
	size_t i, len;
	uint32_t c;

	for (i = 0; i < n; i += len) {
		unsigned char ch = (unsigned char)buf[i];

		len = 1;
		if (ch == '\n' || ch == '\t' || (ch == '\r' && i + 1 < n && buf[i + 1] == '\n') ||
		    (ch >= 0x20 && ch <= 0x7e))
			continue;
		if (!utf8 || (len = lv_utf8_char(buf + i, n - i, &c)) == 0 || !lv_utf8_shown(c))
			return 0;
	}
	return 1;
}

/* Reads standard input whole (on a terminal: one line), at most max bytes,
 * and checks it is text: printable bytes and tabs, lines ending in "\n". */
static int
read_text(int fd, char *buf, size_t max, size_t *len, int utf8)
{
	int tty = isatty(fd);
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, buf + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
		if (tty && memchr(buf, '\n', n) != NULL)
			break;
		if (n == max) {
			char extra;

			if (read(fd, &extra, 1) != 0)
				return -1;
			break;
		}
	}
	if (!is_text(buf, n, utf8))
		return -1;
	*len = n;
	return 0;
}

int
lv_input_read(int fd, char *buf, size_t max, size_t *len)
{
	return read_text(fd, buf, max, len, 0);
}

/* The next line of buf (starting at *pos), NUL-terminated in place. */
char *
lv_input_line(char *buf, size_t len, size_t *pos)
{
	size_t start = *pos, end = start;

	if (start >= len)
		return NULL;
	while (end < len && buf[end] != '\n')
		end++;
	*pos = end + 1;
	buf[end] = '\0';
	if (end > start && buf[end - 1] == '\r')
		buf[end - 1] = '\0';
	return buf + start;
}

/* Exactly one line, at most linemax bytes, nothing after it. */
static int
read_line(int fd, char *buf, size_t bufsz, size_t *len, int utf8)
{
	size_t n, pos = 0;
	char *line;

	if (read_text(fd, buf, bufsz - 1, &n, utf8) != 0)
		return -1;
	buf[n] = '\0';
	line = lv_input_line(buf, n, &pos);
	if (line == NULL) {
		*len = 0;
		return 0;
	}
	if (pos < n)
		return -1;
	*len = strlen(line);
	return 0;
}

int
lv_line_read(int fd, char *buf, size_t bufsz, size_t *len)
{
	return read_line(fd, buf, bufsz, len, 0);
}

/* A line that carries free text: lv-requests show's, for lv-device sign. */
int
lv_line_read_utf8(int fd, char *buf, size_t bufsz, size_t *len)
{
	return read_line(fd, buf, bufsz, len, 1);
}

static int
crockford_char(int ch)
{
	return isdigit(ch) || (isupper(ch) && ch != 'U');
}

enum lv_shape
lv_answer_shape(const char *s, size_t len)
{
	size_t i, digits = 0, letters = 0, b32 = 0;

	for (i = 0; i < len; i++) {
		digits += isdigit((unsigned char)s[i]) != 0;
		letters += isupper((unsigned char)s[i]) != 0;
		b32 += crockford_char((unsigned char)s[i]);
	}
	if (len == 6 && digits == 6)
		return LV_SHAPE_DIGITS6;
	if (len == 16 && b32 == 16)
		return LV_SHAPE_BACKUP;
	if (len == 20 && letters == 20)
		return LV_SHAPE_TEMP;
	return LV_SHAPE_NONE;
}

int
lv_answer_read(int fd, struct lv_answer *a)
{
	char raw[LV_ANSWER_MAX + 3];
	size_t i, n = 0;

	memset(a, 0, sizeof(*a));
	if (lv_line_read(fd, raw, sizeof(raw), &n) != 0 || n > LV_ANSWER_MAX) {
		sodium_memzero(raw, sizeof(raw));
		return lv_err(EX_DATAERR, "malformed answer: one line of at most %d printable bytes expected", LV_ANSWER_MAX);
	}
	for (i = 0; i < n; i++) {
		if (raw[i] == ' ' || raw[i] == '-')
			continue;
		if (raw[i] == '\t') {
			sodium_memzero(raw, sizeof(raw));
			return lv_err(EX_DATAERR, "malformed answer: a tab is not part of any code");
		}
		a->text[a->len++] = (char)toupper((unsigned char)raw[i]);
	}
	sodium_memzero(raw, sizeof(raw));
	if (a->len == 0)
		return lv_err(EX_DATAERR, "malformed answer: empty");
	a->shape = lv_answer_shape(a->text, a->len);
	return 0;
}

void
lv_answer_wipe(struct lv_answer *a)
{
	sodium_memzero(a, sizeof(*a));
}
