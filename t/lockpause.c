/* Test build only (t/t0691): linked into a copy of lv-sendcode, it stops
 * the program while it holds the site-wide SMS count's lock: it makes
 * LOCKPAUSE_MARK, then waits until a byte comes through LOCKPAUSE_FIFO. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void lv_test_lock_held(const char *what);

void
lv_test_lock_held(const char *what)
{
	char byte;
	int fd;

	if (strcmp(what, "the site-wide SMS count") != 0)
		return;
	if ((fd = open(LOCKPAUSE_MARK, O_WRONLY | O_CREAT, 0600)) >= 0)
		close(fd);
	if ((fd = open(LOCKPAUSE_FIFO, O_RDONLY)) >= 0) {
		if (read(fd, &byte, 1) < 0)
			byte = 0;
		close(fd);
	}
}
