/* Hooks (notify, --exec, the gateway): run without a shell, in a process
 * state of lv's own whatever the caller's (clean environment, default
 * signals and an empty mask, umask 077, working directory /, descriptors
 * 0-2 only, a session of its own), the message on stdin, and a timeout
 * after which the whole process group is killed. What a hook prints, on
 * stdout or stderr, never reaches the caller: it is read from a pipe and
 * sent to syslog, bounded, escaped, with the secret it was given redacted. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "lv.h"

#define HOOK_LINES 8         /* lines of a hook's output logged */
#define HOOK_LINE_MAX 200    /* bytes of each line logged; the rest cut */
#define HOOK_READ_MAX 65536  /* bytes read at most; then the pipe is closed */

/* A hook's output on its way to syslog, one line at a time. */
struct hook_out {
	const struct lv_conf *conf;
	const char *name, *secret;
	char line[HOOK_LINE_MAX + 1];
	size_t len, total;
	int cut;            /* the line was longer than HOOK_LINE_MAX */
	long lines, dropped;
};

static char *const clean_env[] = {
	"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", "LC_ALL=C", NULL
};

/* Nothing of the caller's process crosses the exec. Pending signals are
 * not inherited by fork, so unblocking cannot deliver the caller's. */
static void
child_state(int in, int out)
{
	int fd;

	lv_proc_default_signals();
	setsid();
	umask(077);
	/* Above 2 first: a caller that closed 0-2 makes the pipes land there. */
	if ((in = fcntl(in, F_DUPFD, 3)) < 0 || (out = fcntl(out, F_DUPFD, 3)) < 0 ||
	    dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || chdir("/") != 0)
		_exit(127);
	if (close_range(3, ~0U, 0) != 0)
		for (fd = 3; fd < 65536; fd++) /* a kernel before 5.9 */
			close(fd);
}

static void
child(char *const argv[], int in, int out)
{
	static const char *dirs[] = { "/usr/local/bin/", "/usr/bin/", "/bin/" };
	char path[4096];
	size_t i;

	child_state(in, out);
	/* Set-user-ID: the hook runs wholly as the service user, not half as the caller. */
	if (lv_priv_restricted() && (setresgid(getegid(), getegid(), getegid()) != 0 ||
	    setresuid(geteuid(), geteuid(), geteuid()) != 0))
		_exit(127);
	if (strchr(argv[0], '/') != NULL)
		execve(argv[0], argv, clean_env);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], argv[0]);
		execve(path, argv, clean_env);
	}
	_exit(127);
}

static void
feed(int fd, const char *input)
{
	size_t n = input ? strlen(input) : 0, off = 0;
	ssize_t w;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (off < n && (w = write(fd, input + off, n - off)) > 0)
		off += (size_t)w;
	close(fd);
}

/* The secret, and on a cut line a start of it at the very end, become stars. */
static void
redact(char *s, const char *secret, int cut)
{
	size_t n = secret ? strlen(secret) : 0, len = strlen(s), k;
	char *p;

	if (n == 0)
		return;
	for (p = strstr(s, secret); p != NULL; p = strstr(p + n, secret))
		memset(p, '*', n);
	for (k = n - 1; cut && k > 0; k--)
		if (len >= k && memcmp(s + len - k, secret, k) == 0) {
			memset(s + len - k, '*', k);
			break;
		}
}

/* One line of output: logged while under HOOK_LINES, counted after. */
static void
emit(struct hook_out *o)
{
	char esc[HOOK_LINE_MAX * 4 + 8], msg[sizeof(esc) + 64];

	o->line[o->len] = '\0';
	if (o->len > 0 && ++o->lines > HOOK_LINES)
		o->dropped++;
	else if (o->len > 0) {
		lv_escape(o->line, esc, sizeof(esc));
		redact(esc, o->secret, o->cut);
		snprintf(msg, sizeof(msg), "hook %s said: %s%s", o->name, esc, o->cut ? "..." : "");
		lv_syslog_quiet(o->conf, msg);
		sodium_memzero(esc, sizeof(esc));
		sodium_memzero(msg, sizeof(msg));
	}
	o->len = 0;
	o->cut = 0;
}

/* NUL bytes are dropped: a log line is text. */
static void
take(struct hook_out *o, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n')
			emit(o);
		else if (buf[i] != '\0' && o->len < HOOK_LINE_MAX)
			o->line[o->len++] = buf[i];
		else if (buf[i] != '\0')
			o->cut = 1;
	}
	o->total += n;
}

/* Reads what is there now; -1 once the pipe is closed (at its end, or
 * after HOOK_READ_MAX bytes, so a chatty hook cannot hold the program). */
static int
drain(int fd, struct hook_out *o)
{
	char buf[4096];
	size_t want;
	ssize_t n;
	int again = 0;

	while (fd >= 0 && o->total < HOOK_READ_MAX) {
		want = HOOK_READ_MAX - o->total < sizeof(buf) ? HOOK_READ_MAX - o->total : sizeof(buf);
		if ((n = read(fd, buf, want)) > 0)
			take(o, buf, (size_t)n);
		else if (n == 0 || errno != EINTR) {
			again = n < 0 && errno == EAGAIN;
			break;
		}
	}
	sodium_memzero(buf, sizeof(buf)); /* the gateway's output may hold the code */
	if (again)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* What could not be logged is said, in one line. */
static void
finish(struct hook_out *o)
{
	char msg[160];

	if (o->len > 0)
		emit(o);
	if (o->dropped == 0 && o->total < HOOK_READ_MAX)
		return;
	snprintf(msg, sizeof(msg), "hook %s: %ld more lines not logged%s", o->name, o->dropped,
	    o->total < HOOK_READ_MAX ? "" : ", and nothing after the first 65536 bytes read");
	lv_syslog_quiet(o->conf, msg);
}

/* One timer for the whole run, armed once: a relative timeout holds even
 * when the clock is frozen (libfaketime in the tests). */
static int
arm_timer(long seconds)
{
	struct itimerspec its = { { 0, 0 }, { seconds > 0 ? seconds : 10, 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* SIGCHLD, blocked, as a descriptor poll can wait on: the hook's exit
 * wakes the wait without a handler. */
static int
exit_fd(sigset_t *old)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, old);
	return signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
exit_fd_clear(int fd)
{
	struct signalfd_siginfo si;

	while (fd >= 0 && read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
}

static int
killed(pid_t pid, long timeout)
{
	int status;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	lv_warn("hook %ld timed out after %ld s and was killed", (long)pid, timeout > 0 ? timeout : 10);
	return -1;
}

/* 0 when the command exited 0 in time; -1 otherwise. Its output is read
 * as it comes; once it has exited, what is left in the pipe is read and
 * no more (a child it left behind may hold the pipe open). Without the
 * SIGCHLD descriptor, waitpid is asked every 10 ms. */
static int
watch(pid_t pid, int out, int timer, int chld, long timeout, struct hook_out *o)
{
	struct pollfd p[3];
	int status, rc = -1;
	pid_t r;

	for (;;) {
		p[0] = (struct pollfd){ .fd = out, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = chld, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = timer, .events = POLLIN };
		if ((poll(p, 3, chld < 0 ? 10 : -1) < 0 && errno != EINTR) || p[2].revents) {
			rc = killed(pid, timeout);
			break;
		}
		if (p[0].revents)
			out = drain(out, o);
		exit_fd_clear(chld);
		if ((r = waitpid(pid, &status, WNOHANG)) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			rc = 0;
		if (r != 0)
			break;
	}
	if ((out = drain(out, o)) >= 0)
		close(out); /* the pipe a child it left behind still holds */
	finish(o);
	return rc;
}

/* Both pipes, or neither. */
static int
pipes(int in[2], int out[2])
{
	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) == 0)
		return 0;
	close(in[0]);
	close(in[1]);
	return -1;
}

int
lv_hook_run(const struct lv_conf *c, const char *name, char *const argv[], const char *input,
    const char *secret)
{
	struct hook_out o = { .conf = c, .name = name, .secret = secret };
	int in[2], out[2], timer, chld, rc = -1;
	void (*oldpipe)(int);
	sigset_t old;
	pid_t pid;

	/* A caller's SIG_IGN would have the hook reaped before its exit is seen. */
	signal(SIGCHLD, SIG_DFL);
	if ((timer = arm_timer(c->hook_timeout)) < 0 || pipes(in, out) != 0) {
		if (timer >= 0)
			close(timer);
		return -1;
	}
	chld = exit_fd(&old);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(in[1]);
		close(out[0]);
		child(argv, in[0], out[1]);
	}
	close(in[0]);
	close(out[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	oldpipe = signal(SIGPIPE, SIG_IGN); /* a hook that does not read its stdin */
	feed(in[1], pid > 0 ? input : NULL);
	signal(SIGPIPE, oldpipe);
	if (pid > 0)
		rc = watch(pid, out[0], timer, chld, c->hook_timeout, &o);
	else
		close(out[0]);
	if (chld >= 0)
		close(chld);
	close(timer);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sodium_memzero(&o, sizeof(o));
	return rc;
}

/* Splits a command on blanks; no quoting, no expansion. */
int
lv_argv_split(const char *cmd, char ***argvp, char **bufp)
{
	char *copy = strdup(cmd), *tok, *save = NULL;
	char **argv = calloc(strlen(cmd) / 2 + 4, sizeof(char *));
	int n = 0;

	if (copy == NULL || argv == NULL) {
		free(copy);
		free(argv);
		return -1;
	}
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	if (n == 0) {
		free(copy);
		free(argv);
		return -1;
	}
	*argvp = argv;
	*bufp = copy;
	return n;
}

/* Logged in the account's audit log (and syslog); the change it follows
 * stands. */
static void
notify_failed(struct lv_ctx *c, const char *event, const char *account)
{
	char detail[96];
	struct lv_acct a;

	lv_warn("notify command failed for %s event %s", account, event);
	snprintf(detail, sizeof(detail), "for=%s", event);
	if (lv_store_open(c, account, LV_OPEN_LOCK, &a) == 0)
		lv_audit(&a, "notify", NULL, "failed", detail);
	lv_store_close(&a);
}

void
lv_notify(struct lv_ctx *c, const char *event, const char *account, const char *msg)
{
	char **argv, *buf;
	int n;

	if (c->conf.notify[0] == '\0' || (n = lv_argv_split(c->conf.notify, &argv, &buf)) < 0)
		return;
	argv[n] = (char *)event;
	argv[n + 1] = (char *)account;
	argv[n + 2] = NULL;
	if (lv_hook_run(&c->conf, "notify", argv, msg, NULL) != 0)
		notify_failed(c, event, account);
	free(buf);
	free(argv);
}
