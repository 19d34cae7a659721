/* Hooks (notify, --exec, the gateway): run without a shell, with a clean
 * environment, the message on stdin, stdout sent to our stderr, and a
 * timeout after which the whole process group is killed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lv.h"

static char *const clean_env[] = {
	"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", "LC_ALL=C", NULL
};

static void
child(char *const argv[], int in)
{
	static const char *dirs[] = { "/usr/local/bin/", "/usr/bin/", "/bin/" };
	char path[4096];
	size_t i;

	setsid();
	if (dup2(in, 0) < 0 || dup2(2, 1) < 0)
		_exit(127);
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

/* 0 when the command exited 0 in time; -1 otherwise. */
static int
reap(pid_t pid, long timeout)
{
	struct timespec ts = { timeout, 0 };
	sigset_t set;
	int status;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		if (r < 0)
			return -1;
		if (sigtimedwait(&set, NULL, &ts) < 0 && errno == EAGAIN) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			lv_warn("hook %ld timed out after %ld s and was killed", (long)pid, timeout);
			return -1;
		}
	}
}

int
lv_hook_run(char *const argv[], const char *input, long timeout)
{
	sigset_t set, old;
	void (*oldpipe)(int);
	int p[2], rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGPIPE, SIG_DFL);
		close(p[1]);
		child(argv, p[0]);
	}
	close(p[0]);
	oldpipe = signal(SIGPIPE, SIG_IGN); /* a hook that does not read its stdin */
	feed(p[1], input);
	signal(SIGPIPE, oldpipe);
	rc = reap(pid, timeout > 0 ? timeout : 10);
	sigprocmask(SIG_SETMASK, &old, NULL);
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
	if (lv_hook_run(argv, msg, c->conf.hook_timeout) != 0)
		notify_failed(c, event, account);
	free(buf);
	free(argv);
}
