/* Fuzzes the configuration parser through a real file (lv_conf_load opens
 * it by path and checks its owner and mode). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "lv.h"

static int fd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_init("fuzz_conf") != 0)
		return -1;
	fd = fuzz_tmpfile("conf");
	return fd < 0 ? -1 : 0;
}

/* Every string of a loaded configuration ends inside its field. */
static void
check_conf(const struct lv_conf *c)
{
	if (memchr(c->site_key, '\0', sizeof(c->site_key)) == NULL ||
	    memchr(c->notify, '\0', sizeof(c->notify)) == NULL ||
	    memchr(c->site_name, '\0', sizeof(c->site_name)) == NULL ||
	    memchr(c->sms_template, '\0', sizeof(c->sms_template)) == NULL ||
	    memchr(c->sms_gateway, '\0', sizeof(c->sms_gateway)) == NULL ||
	    memchr(c->admin_group, '\0', sizeof(c->admin_group)) == NULL)
		abort();
	if (c->lock_wait_ms < 0 || c->lock_after < 0 || c->hook_timeout < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_conf c;
	char **argv, *buf;

	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	if (lv_conf_load(&c, fuzz_tmppath, getuid()) == 0) {
		check_conf(&c);
		if (c.notify[0] != '\0' && lv_argv_split(c.notify, &argv, &buf) > 0) {
			free(buf);
			free(argv);
		}
	}
	return 0;
}
