/* Validation of names, numbers and free text: before any file is touched. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

static int
name_char(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '@' || ch == '-';
}

/* 1-64 bytes of A-Za-z0-9._@-, not starting with '.', '-' or '@'. */
int
lv_valid_account(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > LV_NAME_MAX || name[0] == '.' || name[0] == '-' || name[0] == '@')
		return -1;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)name[i]))
			return -1;
	return 0;
}

/* E.164: '+' then 8-15 digits, the first not 0. */
int
lv_valid_phone(const char *p)
{
	size_t i, n = strlen(p);

	if (n < 9 || n > 16 || p[0] != '+' || p[1] == '0')
		return -1;
	for (i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	return 0;
}

/* Free text as lv_utf8.c has it: UTF-8, no control or formatting
 * characters (so no tabs), at most 128 characters and 512 bytes. */
int
lv_valid_text(const char *t)
{
	char why[96];

	return lv_text_problem(t, why, sizeof(why)) == NULL ? 0 : -1;
}

int
lv_valid_ip(const char *ip)
{
	unsigned char buf[16];

	if (strlen(ip) > 45)
		return -1;
	if (inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1)
		return 0;
	return -1;
}

/* A decimal number 0..max, nothing else. */
int
lv_parse_uint(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* +15551234567 -> +1******4567: the country's first digit and the last four. */
void
lv_mask_phone(const char *phone, char out[24])
{
	size_t i, n = strlen(phone);

	if (lv_valid_phone(phone) != 0) {
		snprintf(out, 24, "none");
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (i < 2 || i + 4 >= n) ? phone[i] : '*';
	out[n] = '\0';
}

/* Escape for display: a backslash or quote behind a backslash; a character
 * free text may not hold, and a byte that is not UTF-8, as \xNN for each
 * byte. Free text shows as typed, and the result is one line of UTF-8. */
void
lv_escape(const char *in, char *out, size_t outsz)
{
	size_t o = 0, i = 0, n = strlen(in), len, k;
	uint32_t c;

	for (; i < n; i += len) {
		len = lv_utf8_char(in + i, n - i, &c);
		if (len > 0 && lv_utf8_shown(c) && c != '\\' && c != '"') {
			if (o + len >= outsz)
				break;
			memcpy(out + o, in + i, len);
			o += len;
			continue;
		}
		if (len == 1 && (c == '\\' || c == '"')) {
			if (o + 2 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = (char)c;
			continue;
		}
		len = len ? len : 1;
		if (o + 4 * len >= outsz)
			break;
		for (k = 0; k < len; k++)
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", (unsigned char)in[i + k]);
	}
	out[o] = '\0';
}
