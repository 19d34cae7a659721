/* drive: time whole runs of commands, each run with a fresh ACCOUNT<TAB>CODE
 * line from the command's codes file: "{}" in an argument becomes the
 * account, the code goes to standard input through a pipe.
 *
 *   drive [-n RUNS] [-w WARMUP] [-e ERRLOG] LABEL CODES CMD ARG... [::: LABEL CODES CMD ARG...]
 *	runs the commands interleaved (round r starts at command r mod count,
 *	then the others in turn), so they share the machine's conditions, and
 *	prints per command: label, median, p90, min, max (microseconds), runs,
 *	failures, peak RSS (KiB) and the median of the per-round ratios to the
 *	first command, the median CPU time (user + system, microseconds) and
 *	the mean number of 512-byte blocks read from disk per run.
 *   drive -p PROCS [-n RUNS] [-w WARMUP] [-e ERRLOG] LABEL CODES CMD ARG...
 *	keeps PROCS runs in flight until RUNS are done and prints label, procs,
 *	runs, failures, seconds and runs per second. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD 8

struct cmd {
	const char *label;
	char **argv;      /* template */
	int argc;
	char (*acct)[72]; /* per run */
	char (*code)[72];
	double *us, *cpu; /* wall and CPU (user + system) time per run */
	long fails, maxrss, inblock;
};

static int errfd;
extern char **environ;

static void
die(const char *msg)
{
	fprintf(stderr, "drive: %s\n", msg);
	exit(2);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
load_codes(struct cmd *c, const char *path, long need)
{
	FILE *f = fopen(path, "r");
	char line[160], *tab;
	long i;

	if (f == NULL)
		die("cannot open a codes file");
	c->acct = calloc((size_t)need, sizeof(*c->acct));
	c->code = calloc((size_t)need, sizeof(*c->code));
	if (c->acct == NULL || c->code == NULL)
		die("out of memory");
	for (i = 0; i < need && fgets(line, sizeof(line), f) != NULL; i++) {
		line[strcspn(line, "\n")] = '\0';
		if ((tab = strchr(line, '\t')) == NULL || tab - line >= 72 || strlen(tab + 1) >= 72)
			die("codes file lines are ACCOUNT<TAB>CODE");
		*tab = '\0';
		memcpy(c->acct[i], line, (size_t)(tab - line) + 1);
		memcpy(c->code[i], tab + 1, strlen(tab + 1) + 1);
	}
	fclose(f);
	if (i < need) {
		fprintf(stderr, "drive: %s has %ld codes, %ld needed\n", path, i, need);
		exit(2);
	}
}

/* Starts run i of c with its code on stdin; returns the pid. */
static pid_t
start(struct cmd *c, long i)
{
	char *argv[64], line[80];
	posix_spawn_file_actions_t fa;
	int p[2], k;
	pid_t pid;

	for (k = 0; k < c->argc && k < 63; k++)
		argv[k] = strcmp(c->argv[k], "{}") == 0 ? c->acct[i] : c->argv[k];
	argv[k] = NULL;
	snprintf(line, sizeof(line), "%s\n", c->code[i]);
	if (pipe2(p, O_CLOEXEC) != 0 || write(p[1], line, strlen(line)) != (ssize_t)strlen(line))
		die("cannot make a pipe");
	close(p[1]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	if ((errno = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) != 0)
		die("cannot run a command");
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	return pid;
}

static long inblock; /* blocks read from disk by the last reaped run */

static int
reap(pid_t *pid, long *maxrss, double *cpu)
{
	struct rusage ru;
	int status;

	if ((*pid = wait4(*pid, &status, 0, &ru)) < 0)
		die("wait failed");
	if (ru.ru_maxrss > *maxrss)
		*maxrss = ru.ru_maxrss;
	inblock = ru.ru_inblock;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Run i of c; its times go to slot r unless it is a warm-up run (r < 0). */
static void
run_one(struct cmd *c, long i, long r)
{
	double t0 = now_us(), cpu;
	pid_t pid = start(c, i);
	int bad = reap(&pid, &c->maxrss, &cpu);
	double t = now_us() - t0;

	c->fails += bad != 0;
	if (r >= 0) {
		c->us[r] = t;
		c->cpu[r] = cpu;
		c->inblock += inblock;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted copy. */
static double
pct(const double *v, long n, double p)
{
	double *s = malloc((size_t)n * sizeof(*s)), r;
	long k;

	if (s == NULL)
		die("out of memory");
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	k = (long)(p * (double)n + 0.999999) - 1;
	r = s[k < 0 ? 0 : k >= n ? n - 1 : k];
	free(s);
	return r;
}

static void
serial(struct cmd *c, int nc, long runs, long warm)
{
	double *ratio = malloc((size_t)runs * sizeof(double));
	long r;
	int j, k;

	for (r = 0; r < warm + runs; r++)
		for (k = 0; k < nc; k++) {
			j = (int)((r + k) % nc);
			run_one(&c[j], r, r - warm);
		}
	for (k = 0; k < nc; k++) {
		for (r = 0; r < runs; r++)
			ratio[r] = c[k].us[r] / c[0].us[r];
		printf("%s\t%.0f\t%.0f\t%.0f\t%.0f\t%ld\t%ld\t%ld\t%.3f\t%.0f\t%.1f\n", c[k].label,
		    pct(c[k].us, runs, 0.5), pct(c[k].us, runs, 0.9), pct(c[k].us, runs, 0.0),
		    pct(c[k].us, runs, 1.0), runs, c[k].fails, c[k].maxrss, pct(ratio, runs, 0.5),
		    pct(c[k].cpu, runs, 0.5), (double)c[k].inblock / (double)runs);
	}
	free(ratio);
}

static void
parallel(struct cmd *c, int procs, long runs, long warm)
{
	pid_t *pid = calloc((size_t)procs, sizeof(pid_t)), got;
	long next = 0, done = 0, fails = 0, rss = 0;
	double t0 = 0, cpu;
	int k;

	if (pid == NULL)
		die("out of memory");
	for (next = 0; next < warm; next++)
		run_one(c, next, -1);
	t0 = now_us();
	for (k = 0; k < procs && next < warm + runs; k++)
		pid[k] = start(c, next++);
	while (done < runs) {
		got = -1;
		fails += reap(&got, &rss, &cpu) != 0;
		done++;
		for (k = 0; k < procs && pid[k] != got; k++)
			;
		if (k < procs)
			pid[k] = next < warm + runs ? start(c, next++) : 0;
	}
	t0 = (now_us() - t0) / 1e6;
	printf("%s\t%d\t%ld\t%ld\t%.3f\t%.1f\n", c->label, procs, runs, fails, t0, (double)runs / t0);
	free(pid);
}

/* LABEL CODES CMD ARG... up to the next ":::" */
static int
parse_cmds(int argc, char **argv, struct cmd *c, long need)
{
	int nc = 0, i = 0, j;

	while (i < argc) {
		if (nc == MAXCMD)
			die("too many commands");
		for (j = i; j < argc && strcmp(argv[j], ":::") != 0; j++)
			;
		if (j - i < 3)
			die("each command is LABEL CODES CMD [ARG...]");
		c[nc].label = argv[i];
		c[nc].argv = argv + i + 2;
		c[nc].argc = j - i - 2;
		load_codes(&c[nc], argv[i + 1], need);
		c[nc].us = calloc((size_t)need, sizeof(double));
		if ((c[nc].cpu = calloc((size_t)need, sizeof(double))) == NULL || c[nc].us == NULL)
			die("out of memory");
		nc++;
		i = j + 1;
	}
	return nc;
}

int
main(int argc, char **argv)
{
	static struct cmd c[MAXCMD];
	long runs = 300, warm = 10;
	int ch, procs = 0, nc;
	const char *errlog = "/dev/null";

	while ((ch = getopt(argc, argv, "+n:w:p:e:")) != -1) {
		switch (ch) {
		case 'n': runs = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case 'e': errlog = optarg; break;
		default: die("usage: drive [-n RUNS] [-w WARMUP] [-p PROCS] [-e ERRLOG] LABEL CODES CMD ARG... [::: ...]");
		}
	}
	if (runs < 1 || warm < 0 || procs < 0)
		die("bad -n, -w or -p");
	if ((errfd = open(errlog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		die("cannot open the error log");
	nc = parse_cmds(argc - optind, argv + optind, c, runs + warm);
	if (nc == 0 || (procs > 0 && nc != 1))
		die("-p takes exactly one command");
	if (procs > 0)
		parallel(c, procs, runs, warm);
	else
		serial(c, nc, runs, warm);
	return fflush(stdout) == 0 ? 0 : 2;
}
