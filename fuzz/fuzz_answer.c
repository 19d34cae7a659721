/* Fuzzes what lv-verify reads first: one answer on standard input (any
 * bytes), its normalisation and shape, and the backup code decoder. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "lv.h"

static int memfd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_answer") != 0)
		return -1;
	memfd = memfd_create("answer", MFD_CLOEXEC);
	return memfd < 0 ? -1 : 0;
}

/* A parsed answer is normalised: no spaces, dashes or lower case, and its
 * shape agrees with its length. */
static void
check_answer(const struct lv_answer *a)
{
	unsigned char raw[10];
	size_t i;

	if (a->len == 0 || a->len > LV_ANSWER_MAX || a->text[a->len] != '\0')
		abort();
	for (i = 0; i < a->len; i++)
		if (a->text[i] == ' ' || a->text[i] == '-' || (a->text[i] >= 'a' && a->text[i] <= 'z'))
			abort();
	if ((a->shape == LV_SHAPE_DIGITS6 && a->len != 6) || (a->shape == LV_SHAPE_BACKUP && a->len != 16) ||
	    (a->shape == LV_SHAPE_TEMP && a->len != 20))
		abort();
	if (a->shape == LV_SHAPE_BACKUP && lv_b32_decode(a->text, a->len, raw, sizeof(raw)) == 0) {
		char again[17];

		lv_b32_encode(raw, sizeof(raw), again);
		if (lv_b32_decode(again, 16, raw, sizeof(raw)) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_answer a;
	char line[LV_ANSWER_MAX + 3];
	size_t n;

	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		return 0;
	lseek(memfd, 0, SEEK_SET);
	if (lv_answer_read(memfd, &a) == 0)
		check_answer(&a);
	lv_answer_wipe(&a);
	lseek(memfd, 0, SEEK_SET);
	if (lv_line_read(memfd, line, sizeof(line), &n) == 0 && (n >= sizeof(line) || line[n] != '\0'))
		abort();
	lv_answer_shape((const char *)data, size);
	lv_b32_decode((const char *)data, size, (unsigned char *)line, size * 5 / 8 < sizeof(line) ?
	    size * 5 / 8 : sizeof(line));
	return 0;
}
