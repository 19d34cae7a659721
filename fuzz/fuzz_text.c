/* Fuzzes free text (lv_utf8.c): lv_text_problem on any bytes, lv_escape
 * of them, and lv_line_read_utf8 (the lv1-request line lv-device sign
 * reads). Beyond memory safety: what lv_escape prints is one line of UTF-8
 * holding no character free text may not hold; accepted text escapes to
 * itself but for a backslash before each backslash and quote; accepted text
 * is at most 128 characters and 512 bytes; a line read holds only printable
 * ASCII, tabs and characters free text may hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "lv.h"

#define IN_MAX 4096

static int memfd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_text") != 0)
		return -1;
	memfd = memfd_create("text", MFD_CLOEXEC);
	return memfd < 0 ? -1 : 0;
}

/* s is UTF-8 of shown characters only (and tabs when tabs is set); returns
 * how many characters. */
static size_t
all_shown(const char *s, size_t n, int tabs)
{
	size_t i, len, chars = 0;
	uint32_t c;

	for (i = 0; i < n; i += len, chars++) {
		if ((len = lv_utf8_char(s + i, n - i, &c)) == 0 || (!lv_utf8_shown(c) && !(tabs && c == '\t')))
			abort();
	}
	return chars;
}

/* Accepted text escapes to itself, \ and " each behind a backslash. */
static void
check_escape(const char *s, int accepted)
{
	char out[4 * IN_MAX + 1];
	size_t i, o = 0, n;

	lv_escape(s, out, sizeof(out));
	n = strlen(out);
	all_shown(out, n, 0);
	if (!accepted)
		return;
	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] == '\\' || s[i] == '"') && out[o++] != '\\')
			abort();
		if (out[o++] != s[i])
			abort();
	}
	if (o != n)
		abort();
}

static void
check_line(const uint8_t *data, size_t size)
{
	char line[IN_MAX + 2];
	size_t n;

	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		return;
	lseek(memfd, 0, SEEK_SET);
	if (lv_line_read_utf8(memfd, line, sizeof(line), &n) == 0)
		all_shown(line, n, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[IN_MAX + 1], why[96];
	int accepted;

	if (size > IN_MAX)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	accepted = lv_text_problem(s, why, sizeof(why)) == NULL;
	if (accepted && (strlen(s) > LV_TEXT_MAX || all_shown(s, strlen(s), 0) > LV_TEXT_CHARS ||
	    lv_valid_text(s) != 0))
		abort();
	if (!accepted && (memchr(why, '\0', sizeof(why)) == NULL || strchr(why, '\n') != NULL))
		abort();
	check_escape(s, accepted);
	check_line(data, size);
	return 0;
}
