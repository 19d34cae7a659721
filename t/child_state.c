/* A stand-in for an lv program in the PAM tests: writes its open
 * descriptors and its blocked and ignored signals (as /proc shows them) to
 * DIR/child-state, DIR given with -d as pam_lv passes it, then exits 0;
 * asked for --methods, it names backup, so that pam_lv prompts.
 * A compiled program, because shells and interpreters reset the signal mask
 * or ignore signals of their own at start. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
signals(FILE *out)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, out);
	if (f != NULL)
		fclose(f);
}

/* Descriptors in ascending order, the listing's own handle included. */
static void
descriptors(char *buf, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int seen[1024] = { 0 }, fd;
	size_t n;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && (fd = atoi(e->d_name)) >= 0 && fd < 1024)
			seen[fd] = 1;
	if (d != NULL)
		closedir(d);
	snprintf(buf, size, "fds:");
	for (fd = 0; fd < 1024; fd++)
		if (seen[fd] && (n = strlen(buf)) < size)
			snprintf(buf + n, size - n, " %d", fd);
}

int
main(int argc, char **argv)
{
	char fds[4096], path[4096];
	FILE *out;
	int i;

	descriptors(fds, sizeof(fds));
	for (i = 1; i + 1 < argc && strcmp(argv[i], "-d") != 0; i++)
		;
	if (i + 1 >= argc)
		return 64;
	snprintf(path, sizeof(path), "%s/child-state", argv[i + 1]);
	if ((out = fopen(path, "w")) == NULL)
		return 74;
	fprintf(out, "%s\n", fds);
	signals(out);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--methods") == 0)
			printf("backup\n");
	return fclose(out) == 0 ? 0 : 74;
}
