/* Free text (reasons, labels, locations, client names) is UTF-8 (RFC 3629)
 * without the characters that change how a line reads rather than what it
 * says: controls (C0, DEL, C1), Unicode's format characters (category Cf:
 * bidirectional overrides and isolates, zero-width and invisible ones) and
 * the line and paragraph separators. So a reason shows as what it is, on
 * one line, in a terminal, the audit log and syslog alike. */
#include <stdio.h>
#include <string.h>

#include "lv.h"

/* Category Cf as of Unicode 15.1, first and last of each run. */
static const uint32_t format[][2] = {
	{ 0x00ad, 0x00ad }, { 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
	{ 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x180e, 0x180e },
	{ 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f },
	{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 },
	{ 0xe0020, 0xe007f },
};

/* The character at s, of at most n bytes: its length, 0 when the bytes
 * there are not UTF-8 (a stray or missing continuation byte, an overlong
 * form, a surrogate, beyond U+10FFFF). */
size_t
lv_utf8_char(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	if (len == 0 || p[0] >= 0xf8 || len > n)
		return 0;
	c = p[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < least[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* What kind of character free text may not hold, or NULL when it may. */
static const char *
refused(uint32_t c)
{
	size_t i;

	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return "control character";
	if (c == 0x2028 || c == 0x2029)
		return "line or paragraph separator";
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
	    c == 0x061c)
		return "bidirectional control";
	for (i = 0; i < sizeof(format) / sizeof(format[0]); i++)
		if (c >= format[i][0] && c <= format[i][1])
			return "invisible formatting character";
	return NULL;
}

int
lv_utf8_shown(uint32_t c)
{
	return refused(c) == NULL;
}

/* NULL when t is free text (at most LV_TEXT_CHARS characters and
 * LV_TEXT_MAX bytes); else why not, in why, for a one-line message. */
const char *
lv_text_problem(const char *t, char *why, size_t whysz)
{
	size_t n = strlen(t), i = 0, len, chars = 0;
	const char *kind;
	uint32_t c;

	for (; i < n; i += len, chars++) {
		if ((len = lv_utf8_char(t + i, n - i, &c)) == 0) {
			snprintf(why, whysz, "not valid UTF-8 (byte %zu)", i + 1);
			return why;
		}
		if ((kind = refused(c)) != NULL) {
			snprintf(why, whysz, "%s U+%04lX (character %zu) is not allowed", kind,
			    (unsigned long)c, chars + 1);
			return why;
		}
	}
	if (chars > LV_TEXT_CHARS || n > LV_TEXT_MAX) {
		snprintf(why, whysz, "longer than %d characters or %d bytes", LV_TEXT_CHARS, LV_TEXT_MAX);
		return why;
	}
	return NULL;
}

/* 0, or 65 with "bad WHAT: why" said. */
int
lv_text_check(const char *what, const char *t)
{
	char why[96];

	if (lv_text_problem(t, why, sizeof(why)) == NULL)
		return 0;
	return lv_err(EX_DATAERR, "bad %s: %s", what, why);
}

/* Free text that must say something: 0, or 65 with "bad WHAT: ..." said. */
int
lv_text_check_said(const char *what, const char *t)
{
	if (t[0] == '\0')
		return lv_err(EX_DATAERR, "bad %s: empty; say %s", what,
		    strcmp(what, "reason") == 0 ? "why, for the audit log" : "what it is");
	return lv_text_check(what, t);
}
