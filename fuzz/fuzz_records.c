/* Fuzzes lv_rec_load on arbitrary bytes, as a records file read from disk
 * (through a memfd, so cdb's mmap sees a real file). Whatever loads must
 * save and load again to the same records. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "lv.h"

static int in = -1, out = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_records") != 0)
		return -1;
	in = memfd_create("records", MFD_CLOEXEC);
	out = memfd_create("records.new", MFD_CLOEXEC);
	return in < 0 || out < 0 ? -1 : 0;
}

static void
round_trip(const struct lv_rec *r)
{
	struct lv_rec again;

	memset(&again, 0, sizeof(again));
	if (ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0 || lv_rec_save(r, out) != 0)
		abort();
	lseek(out, 0, SEEK_SET);
	if (lv_rec_load(&again, out) != 0 || !fuzz_rec_same(r, &again))
		abort();
	lv_rec_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_rec r;

	memset(&r, 0, sizeof(r));
	if (ftruncate(in, 0) != 0 || pwrite(in, data, size, 0) != (ssize_t)size)
		return 0;
	lseek(in, 0, SEEK_SET);
	if (lv_rec_load(&r, in) == 0) {
		lv_rec_getnum(&r, "fail.count", 0);
		lv_rec_countprefix(&r, "backup.");
		round_trip(&r);
	} else if (r.n != 0 || r.kv != NULL)
		abort(); /* a failed load leaves nothing behind */
	lv_rec_free(&r);
	return 0;
}
