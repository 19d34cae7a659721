/* pam_lv: the second login step as a PAM module. It asks lv-verify which
 * methods the account has (--methods) and prompts for those only: a code
 * goes to lv-verify on stdin; an empty answer sends a push request
 * (lv-requests new), asks again (Enter once approved, or a code) and waits
 * for it (lv-verify --request); "sms" has lv-sendcode send a code first.
 * A refusal shows lv's reason to the user, and its exit code and reason go
 * to syslog. It never keeps the code as PAM_AUTHTOK. Options: nullok,
 * bindir=DIR (default the BINDIR it was built with), dir=STATEDIR,
 * conf=FILE, wait=SECONDS, remember=SECONDS (a grace after a code was
 * accepted from the same remote address: lv-verify --grace; off by
 * default); any other fails the stack (PAM_SERVICE_ERR), so that a typo
 * never weakens a login unseen. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "pam_lv_bindir.h"

#define PROMPT_PUSH "Press Enter once approved, or type a code instead: "
#define SMS_HINT " (type sms to get a code by text message)"
#define ANSWER_MAX 256

struct opts {
	int nullok;
	long wait;
	char remember[16]; /* the grace in seconds, as lv-verify takes it; "": off */
	const char *bindir, *dir, *conf;
};

/* What lv-verify --methods said the account can answer with. */
struct methods {
	int totp, sms, sms_send, push, backup;
};

struct run {
	const char *prog;  /* the program's name, for syslog */
	const char *input; /* written to the child's stdin */
	char out[512];     /* the child's stdout */
	char err[512];     /* its one-line diagnostic, shown to the user */
};

/* The name for syslog: printable bytes only, so it cannot forge a line. */
static void
printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
}

/* NAME=VALUE with a value: the value, or NULL. */
static const char *
value_of(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && arg[n] == '=' && arg[n + 1] != '\0' ? arg + n + 1 : NULL;
}

/* One module option; -1 for an option pam_lv does not know, or a bad value. */
static int
parse_opt(const char *arg, struct opts *o)
{
	const char *v;
	char *end;

	if (strcmp(arg, "nullok") == 0)
		o->nullok = 1;
	else if ((v = value_of(arg, "bindir")) != NULL)
		o->bindir = v;
	else if ((v = value_of(arg, "dir")) != NULL)
		o->dir = v;
	else if ((v = value_of(arg, "conf")) != NULL)
		o->conf = v;
	else if ((v = value_of(arg, "wait")) != NULL) {
		o->wait = strtol(v, &end, 10);
		return *end == '\0' && o->wait > 0 && o->wait <= 600 ? 0 : -1;
	} else if ((v = value_of(arg, "remember")) != NULL) {
		long grace = strtol(v, &end, 10);

		snprintf(o->remember, sizeof(o->remember), "%ld", grace);
		return *end == '\0' && grace > 0 && grace <= 86400 ? 0 : -1;
	} else
		return -1;
	return 0;
}

static int
parse_opts(pam_handle_t *pamh, int argc, const char **argv, struct opts *o)
{
	char shown[80];
	int i;

	o->nullok = 0;
	o->wait = 60;
	o->remember[0] = '\0';
	o->bindir = LV_BINDIR;
	o->dir = o->conf = NULL;
	for (i = 0; i < argc; i++)
		if (parse_opt(argv[i], o) != 0) {
			printable(argv[i], shown, sizeof(shown));
			pam_syslog(pamh, LOG_ERR, "unknown option or bad value: %s (pam_lv(8) lists them)", shown);
			return -1;
		}
	return 0;
}

/* The same rule as lv's: 1-64 of A-Za-z0-9._@-, not starting with . - @. */
static int
valid_account(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-' || s[0] == '@')
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") == n;
}

/* The PAM user must be an account as the account database spells it:
 * another spelling (SXU1 where NSS folds case to sxu1, a trailing dot)
 * would reach lv as an account that is not enrolled and pass nullok. */
static int
known_user(pam_handle_t *pamh, const char *user)
{
	struct passwd pw, *found = NULL;
	char buf[16384], shown[80], canonical[80];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &found) == 0 && found != NULL &&
	    strcmp(found->pw_name, user) == 0)
		return 1;
	printable(user, shown, sizeof(shown));
	if (found == NULL) {
		pam_syslog(pamh, LOG_NOTICE, "refused %s: not in the account database", shown);
		return 0;
	}
	printable(found->pw_name, canonical, sizeof(canonical));
	pam_syslog(pamh, LOG_NOTICE, "refused %s: the account database spells it %s", shown, canonical);
	return 0;
}

/* Nothing of the application's survives exec but the three pipes: no other
 * descriptor (an fd on /etc/shadow) from first on, no ignored signal, no
 * blocked one. */
static void
clean_process(unsigned first)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} k, old;
	struct sigaction sa;
	struct rlimit rl;
	sigset_t none;
	unsigned fd;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	memset(&k, 0, sizeof(k)); /* SIG_DFL */
	/* The C library's own signals (32, 33) refuse its sigaction; an
	 * application (GNU make does) can leave them ignored: the kernel's. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &sa, NULL) != 0 &&
		    syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(k.mask)) == 0 && old.handler == SIG_IGN)
			syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (close_range(first, ~0U, 0) != 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		for (fd = first; fd < rl.rlim_cur && fd < 1048576; fd++) /* kernels before 5.9 */
			close((int)fd);
}

/* Between fork and exec: only async-signal-safe calls. The pipe ends are
 * moved above 3 first, so that none is overwritten by another's dup2 when
 * the application had closed its own 0-2. Descriptor 3 closes on exec, or
 * carries exec's errno to the parent. */
static void
child(const char *path, char *const argv[], int in, int out, int err, int report)
{
	static char *const env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", NULL };
	int e;

	if ((in = fcntl(in, F_DUPFD, 4)) < 0 || (out = fcntl(out, F_DUPFD, 4)) < 0 ||
	    (err = fcntl(err, F_DUPFD, 4)) < 0 || (report = fcntl(report, F_DUPFD, 4)) < 0)
		_exit(70);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || dup3(report, 3, O_CLOEXEC) < 0)
		_exit(70);
	clean_process(4);
	execve(path, argv, env);
	e = errno;
	(void)!write(3, &e, sizeof(e));
	_exit(70);
}

/* exec's errno from the child, or 0 once the program runs. */
static int
exec_errno(int fd)
{
	ssize_t n;
	int e = 0;

	while ((n = read(fd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(fd);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

/* The child writes far less than a pipe holds, so reading one pipe to its
 * end before the other cannot deadlock. */
static void
drain(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t k;
	char sink[256];

	while (n + 1 < size && (k = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = '\0';
	while (read(fd, sink, sizeof(sink)) > 0)
		;
	close(fd);
}

/* The answer fits in the pipe, so it is written before the fork: a child
 * that exits without reading cannot raise SIGPIPE in the application. */
static int
input_pipe(const char *input, int in[2])
{
	size_t n = input != NULL ? strlen(input) : 0;

	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (n > 0 && write(in[1], input, n) != (ssize_t)n) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	close(in[1]);
	return 0;
}

/* The pipes to the child (in, out, err) and its exec report. */
static int
open_pipes(const struct run *r, int in[2], int out[2], int err[2], int report[2])
{
	if (input_pipe(r->input, in) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) == 0) {
		if (pipe2(err, O_CLOEXEC) == 0) {
			if (pipe2(report, O_CLOEXEC) == 0)
				return 0;
			close(err[0]);
			close(err[1]);
		}
		close(out[0]);
		close(out[1]);
	}
	close(in[0]);
	return -1;
}

/* Runs an lv program without a shell; returns its exit status, or -1
 * once syslog says why it did not run or finish: the path tried and the
 * reason, so that a wrong BINDIR is found from the log. SIGCHLD is at its
 * default while the child lives: were it ignored (as daemons do), the
 * child would be reaped unseen and waitpid would fail. */
static int
run_lv(pam_handle_t *pamh, const struct opts *o, char *const argv[], struct run *r)
{
	int in[2], out[2], err[2], report[2], status = 0, reaped = 0, e;
	struct sigaction sa, old;
	char path[4096];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", o->bindir, argv[0]);
	r->prog = argv[0];
	if (open_pipes(r, in, out, err, report) != 0) {
		pam_syslog(pamh, LOG_ERR, "cannot run %s: pipe: %m", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, &old);
	if ((pid = fork()) == 0)
		child(path, argv, in[0], out[1], err[1], report[1]);
	e = pid < 0 ? errno : 0;
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(report[1]);
	if (pid > 0)
		e = exec_errno(report[0]);
	else
		close(report[0]);
	drain(out[0], r->out, sizeof(r->out));
	drain(err[0], r->err, sizeof(r->err));
	r->err[strcspn(r->err, "\n")] = '\0';
	while (pid > 0 && (reaped = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	sigaction(SIGCHLD, &old, NULL);
	if (e != 0) {
		pam_syslog(pamh, LOG_ERR, "cannot run %s: %s", path, strerror(e));
		return -1;
	}
	if (pid <= 0 || reaped != pid || !WIFEXITED(status)) {
		pam_syslog(pamh, LOG_ERR, "%s ended without an exit status (wait status %d)", path, status);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* argv: PROG [VERB] ACCOUNT [-d DIR] [-c CONF] EXTRA... */
static void
build_argv(const struct opts *o, const char *prog, const char *verb, const char *user,
    char *const extra[], char *argv[16])
{
	int n = 0, i;

	argv[n++] = (char *)prog;
	if (verb != NULL)
		argv[n++] = (char *)verb;
	argv[n++] = (char *)user;
	if (o->dir != NULL) {
		argv[n++] = "-d";
		argv[n++] = (char *)o->dir;
	}
	if (o->conf != NULL) {
		argv[n++] = "-c";
		argv[n++] = (char *)o->conf;
	}
	for (i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
}

/* lv's diagnostic without the program's name, for the person logging in. */
static void
tell(pam_handle_t *pamh, const struct run *r)
{
	static const char backup_hint[] = "; generate a new one with lv-backup new";
	const char *in = strstr(r->err, ": "), *close;
	char shown[sizeof(r->err)];
	size_t n = 0, k = sizeof(backup_hint) - 1;

	/* lv's reason without the program's name, nor the commands it names
	 * for the administrator ("(lv-enroll --update ...)", "generate a new
	 * one with lv-backup new"), which the user cannot run; syslog has the
	 * whole line. share/lv/lv-login shows the same. */
	for (in = in ? in + 2 : r->err; *in != '\0';) {
		if (strncmp(in, " (lv-", 5) == 0 && islower((unsigned char)in[5]) && (close = strchr(in, ')')) != NULL)
			in = close + 1;
		else
			shown[n++] = *in++;
	}
	shown[n] = '\0';
	if (n >= k && strcmp(shown + n - k, backup_hint) == 0)
		shown[n - k] = '\0';
	if (shown[0] != '\0')
		pam_error(pamh, "%s", shown);
}

/* The exit code and the program's line to syslog, kept on one line;
 * faults (not the user's doing) at a higher priority. */
static void
log_status(pam_handle_t *pamh, const char *user, int st, const struct run *r, int fault)
{
	char line[sizeof(r->err)];
	size_t i;

	for (i = 0; r->err[i] != '\0'; i++)
		line[i] = (unsigned char)r->err[i] < 0x20 || r->err[i] == 0x7f ? '?' : r->err[i];
	line[i] = '\0';
	pam_syslog(pamh, fault ? LOG_ERR : LOG_NOTICE, "%s for %s exited %d: %s", r->prog, user, st, line);
}

/* A refusal (a wrong or malformed code, a method the account lacks, a
 * lock-out, no enrolment) shows lv's reason; a fault (storage,
 * configuration, safety, a program that did not run) only where to look. */
static int
map_status(pam_handle_t *pamh, const struct opts *o, const char *user, int st, const struct run *r)
{
	if (st == 0)
		return PAM_SUCCESS;
	if (st >= 0) /* else run_lv has said why */
		log_status(pamh, user, st, r, st != 1 && st != 65 && st != 66 && st != 69 && st != 75);
	switch (st) {
	case 1:
	case 65:
	case 69:
		tell(pamh, r);
		return PAM_AUTH_ERR;
	case 66:
		if (o->nullok)
			return PAM_IGNORE;
		tell(pamh, r);
		return PAM_USER_UNKNOWN;
	case 75:
		tell(pamh, r);
		return PAM_MAXTRIES;
	default:
		pam_error(pamh, "Login verification is not available now; the system log says why.");
		return PAM_SYSTEM_ERR;
	}
}

static int
ask(pam_handle_t *pamh, const char *prompt, char **answer)
{
	int rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, answer, "%s", prompt);

	if (rc != PAM_SUCCESS)
		return rc;
	if (*answer == NULL)
		return PAM_CONV_ERR;
	return PAM_SUCCESS;
}

static void
forget(char *answer)
{
	if (answer == NULL)
		return;
	memset(answer, 0, strlen(answer));
	free(answer);
}

/* PAM_RHOST when it is an address (a name could be anyone's); NULL else. */
static const char *
remote_ip(pam_handle_t *pamh)
{
	const void *rhost = NULL;

	pam_get_item(pamh, PAM_RHOST, &rhost);
	if (rhost == NULL || *(const char *)rhost == '\0' || strlen(rhost) > 45 ||
	    strspn(rhost, "0123456789abcdefABCDEF.:") != strlen(rhost))
		return NULL;
	return rhost;
}

/* With remember=SECONDS: "--grace SECONDS --ip IP" for lv-verify, so that
 * an accepted code starts the grace for this address; none without one. */
static void
grace_args(pam_handle_t *pamh, const struct opts *o, char *extra[5])
{
	const char *ip = remote_ip(pamh);

	extra[0] = NULL;
	if (o->remember[0] == '\0' || ip == NULL)
		return;
	extra[0] = "--grace";
	extra[1] = (char *)o->remember;
	extra[2] = "--ip";
	extra[3] = (char *)ip;
	extra[4] = NULL;
}

/* A code was accepted from this address within the grace: no prompt. Any
 * other answer (none recorded, locked, an error) leaves the second step to
 * ask as it would have. */
static int
in_grace(pam_handle_t *pamh, const struct opts *o, const char *user)
{
	char *extra[7], *argv[16];
	struct run r;

	grace_args(pamh, o, extra + 2);
	if (extra[2] == NULL)
		return 0;
	extra[0] = "--method";
	extra[1] = "grace";
	memset(&r, 0, sizeof(r));
	build_argv(o, "lv-verify", NULL, user, extra, argv);
	if (run_lv(pamh, o, argv, &r) != 0)
		return 0;
	pam_syslog(pamh, LOG_NOTICE, "%s: no code asked, within the grace of a verified login from %s", user,
	    extra[5]);
	return 1;
}

static int
verify_code(pam_handle_t *pamh, const struct opts *o, const char *user, const char *code)
{
	char line[ANSWER_MAX + 2], *argv[16], *extra[5];
	struct run r;
	int st;

	if (code[0] == '\0') {
		pam_error(pamh, "No code was typed.");
		return PAM_AUTH_ERR;
	}
	if (strlen(code) > ANSWER_MAX)
		return PAM_AUTH_ERR;
	snprintf(line, sizeof(line), "%s\n", code);
	memset(&r, 0, sizeof(r));
	r.input = line;
	grace_args(pamh, o, extra);
	build_argv(o, "lv-verify", NULL, user, extra, argv);
	st = run_lv(pamh, o, argv, &r);
	memset(line, 0, sizeof(line));
	return map_status(pamh, o, user, st, &r);
}

/* lv-verify --methods: one name a line, sms with "<TAB>gateway" when
 * lv-sendcode can send a code itself; names pam_lv does not know are
 * skipped. */
static void
parse_methods(char *out, struct methods *m)
{
	char *line, *save = NULL;

	memset(m, 0, sizeof(*m));
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		m->totp |= strcmp(line, "totp") == 0;
		m->sms_send |= strcmp(line, "sms\tgateway") == 0;
		m->sms |= strcmp(line, "sms") == 0 || strcmp(line, "sms\tgateway") == 0;
		m->push |= strcmp(line, "push") == 0;
		m->backup |= strcmp(line, "backup") == 0;
	}
}

/* Before any prompt: an account that is not enrolled gets none. */
static int
ask_methods(pam_handle_t *pamh, const struct opts *o, const char *user, struct methods *m)
{
	char *extra[] = { "--methods", NULL }, *argv[16];
	struct run r;
	int st;

	memset(&r, 0, sizeof(r));
	build_argv(o, "lv-verify", NULL, user, extra, argv);
	if ((st = run_lv(pamh, o, argv, &r)) != 0)
		return map_status(pamh, o, user, st, &r);
	parse_methods(r.out, m);
	return PAM_SUCCESS;
}

/* "authenticator app code, SMS code or backup code": the codes the
 * account can type; "" when none. */
static void
code_kinds(const struct methods *m, char *buf, size_t size)
{
	const char *kind[3];
	size_t n = 0, i, len;

	if (m->totp)
		kind[n++] = "authenticator app code";
	if (m->sms)
		kind[n++] = "SMS code";
	if (m->backup)
		kind[n++] = "backup code";
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", kind[i]);
	}
}

/* The prompt names what will work: the codes the account has, with the
 * way to get an SMS code when one can be sent (hint), and Enter for a
 * push only with a device (push). 0 when nothing would work. */
static int
code_prompt(const struct methods *m, int push, int hint, char *buf, size_t size)
{
	const char *tail = hint && m->sms_send ? SMS_HINT : "";
	char kinds[128];

	code_kinds(m, kinds, sizeof(kinds));
	if (push && kinds[0] != '\0')
		snprintf(buf, size, "Press Enter for a push, or type %s %s%s: ", m->totp || m->sms ? "an" : "a",
		    kinds, tail);
	else if (push)
		snprintf(buf, size, "Press Enter for a push: ");
	else if (kinds[0] != '\0')
		snprintf(buf, size, "%c%s%s: ", toupper((unsigned char)kinds[0]), kinds + 1, tail);
	else
		return 0;
	return 1;
}

/* ID<TAB>NUMBER<TAB>TOKEN from lv-requests new */
static int
split_request(char *out, char **id, char **number, char **token)
{
	*id = out;
	if ((*number = strchr(*id, '\t')) == NULL)
		return -1;
	*(*number)++ = '\0';
	if ((*token = strchr(*number, '\t')) == NULL)
		return -1;
	*(*token)++ = '\0';
	(*token)[strcspn(*token, "\n")] = '\0';
	return 0;
}

static int
new_request(pam_handle_t *pamh, const struct opts *o, const char *user, struct run *r)
{
	const void *rhost = NULL, *service = NULL;
	char *extra[8], *argv[16];
	int n = 0, st;

	pam_get_item(pamh, PAM_RHOST, &rhost);
	pam_get_item(pamh, PAM_SERVICE, &service);
	if (rhost != NULL && *(const char *)rhost != '\0' && strspn(rhost, "0123456789abcdefABCDEF.:") == strlen(rhost)) {
		extra[n++] = "--ip";
		extra[n++] = (char *)rhost;
	}
	if (service != NULL && strspn(service, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(service)) {
		extra[n++] = "--client";
		extra[n++] = (char *)service;
	}
	extra[n] = NULL;
	memset(r, 0, sizeof(*r));
	build_argv(o, "lv-requests", "new", user, extra, argv);
	st = run_lv(pamh, o, argv, r);
	return st == 0 ? PAM_SUCCESS : map_status(pamh, o, user, st, r);
}

static int
await_request(pam_handle_t *pamh, const struct opts *o, const char *user, char *id, const char *token)
{
	char wait[16], line[256], *extra[5], *argv[16];
	struct run r;
	int st;

	snprintf(wait, sizeof(wait), "%ld", o->wait);
	snprintf(line, sizeof(line), "%s\n", token);
	extra[0] = "--request";
	extra[1] = id;
	extra[2] = "--wait";
	extra[3] = wait;
	extra[4] = NULL;
	build_argv(o, "lv-verify", NULL, user, extra, argv);
	memset(&r, 0, sizeof(r));
	r.input = line;
	st = run_lv(pamh, o, argv, &r);
	memset(line, 0, sizeof(line));
	return map_status(pamh, o, user, st, &r);
}

/* The number goes out before a prompt, never alone before the wait: sshd
 * holds messages back until the next prompt, so over ssh the user would
 * wait without seeing which number to pick. */
static int
push(pam_handle_t *pamh, const struct opts *o, const char *user)
{
	char *id, *number, *token, *answer = NULL;
	struct run r;
	int rc;

	if ((rc = new_request(pamh, o, user, &r)) != PAM_SUCCESS)
		return rc;
	if (split_request(r.out, &id, &number, &token) != 0)
		rc = PAM_SYSTEM_ERR;
	else {
		pam_info(pamh, "A login request was sent to your phone. Approve it there and pick %s.", number);
		if ((rc = ask(pamh, PROMPT_PUSH, &answer)) == PAM_SUCCESS)
			rc = answer[0] == '\0' ? await_request(pamh, o, user, id, token) :
			    verify_code(pamh, o, user, answer);
	}
	forget(answer);
	memset(r.out, 0, sizeof(r.out));
	return rc;
}

/* "sms" typed: lv-sendcode sends a code through the configured gateway,
 * then the codes are asked for again. A send refused (sent too recently,
 * a cap) says why; an earlier code may still work. */
static int
sms(pam_handle_t *pamh, const struct opts *o, const char *user, const struct methods *m)
{
	char prompt[256], *answer = NULL, *argv[16];
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	build_argv(o, "lv-sendcode", NULL, user, NULL, argv);
	if ((rc = run_lv(pamh, o, argv, &r)) == 0)
		pam_info(pamh, "A code was sent to your phone by text message.");
	else
		map_status(pamh, o, user, rc, &r);
	memset(r.out, 0, sizeof(r.out)); /* empty through a gateway; never kept */
	code_prompt(m, 0, 0, prompt, sizeof(prompt));
	if ((rc = ask(pamh, prompt, &answer)) == PAM_SUCCESS)
		rc = verify_code(pamh, o, user, answer);
	forget(answer);
	return rc;
}

static int
second_step(pam_handle_t *pamh, const struct opts *o, const char *user, const struct methods *m)
{
	char prompt[256], *answer = NULL;
	int rc;

	if (!code_prompt(m, m->push, 1, prompt, sizeof(prompt))) {
		pam_syslog(pamh, LOG_NOTICE, "%s has no method a login here can use", user);
		pam_error(pamh, "None of your login verification methods works here.");
		return PAM_AUTH_ERR;
	}
	if ((rc = ask(pamh, prompt, &answer)) != PAM_SUCCESS)
		return rc;
	if (answer[0] == '\0' && m->push)
		rc = push(pamh, o, user);
	else if (m->sms_send && strcasecmp(answer, "sms") == 0)
		rc = sms(pamh, o, user, m);
	else
		rc = verify_code(pamh, o, user, answer);
	forget(answer);
	return rc;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *user = NULL;
	struct methods m;
	struct opts o;
	int rc;

	(void)flags;
	if (parse_opts(pamh, argc, argv, &o) != 0)
		return PAM_SERVICE_ERR;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return PAM_USER_UNKNOWN;
	if (!known_user(pamh, user))
		return PAM_USER_UNKNOWN;
	if (!valid_account(user))
		return o.nullok ? PAM_IGNORE : PAM_USER_UNKNOWN;
	if ((rc = ask_methods(pamh, &o, user, &m)) != PAM_SUCCESS)
		return rc;
	if (in_grace(pamh, &o, user))
		return PAM_SUCCESS;
	return second_step(pamh, &o, user, &m);
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
