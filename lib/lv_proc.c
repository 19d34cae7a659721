/* The process a program runs in (SPEC, Privilege). Every program starts
 * with descriptors 0-2 open and umask 077, so that no caller's umask can
 * make the state files unusable. Run set-user-ID by another user, the
 * program first makes the process its own, before anything else: the
 * caller is hostile, and nothing it set (ids, signals, mask, descriptors,
 * working directory, limits, scheduling) may stall a shared lock, skip a
 * count, suppress an audit line or tell a right guess from a wrong one. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lv.h"

/* The least of each limit whose low value could change an outcome: a
 * record or audit line cut short (file size), a process killed between
 * its count and its answer (CPU), a failed allocation, open or hook. */
static const struct need {
	int res;
	const char *what;
	rlim_t least; /* RLIM_INFINITY: only unlimited will do */
} needs[] = {
	{ RLIMIT_FSIZE, "file size (ulimit -f)", RLIM_INFINITY },
	{ RLIMIT_CPU, "CPU time (ulimit -t)", RLIM_INFINITY },
	{ RLIMIT_NOFILE, "open files (ulimit -n)", 256 },
	{ RLIMIT_AS, "address space (ulimit -v)", (rlim_t)256 << 20 },
	{ RLIMIT_DATA, "data size (ulimit -d)", (rlim_t)256 << 20 },
	{ RLIMIT_STACK, "stack size (ulimit -s)", (rlim_t)1 << 20 },
	{ RLIMIT_NPROC, "processes (ulimit -u)", 256 },
};

/* A closed 0, 1 or 2 would be taken by the next file opened, and a
 * message meant for stderr would land in it. */
static void
std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			_exit(EX_NOPERM);
}

/* Real, effective and saved ids all the service user's: from here on the
 * caller may not signal or trace the process. Supplementary groups need
 * CAP_SETGID, which a program set-user-ID to an ordinary user lacks: they
 * are set where they can be, and grant nothing in lv otherwise (files are
 * checked by owner and mode, admin_group by the recorded caller). */
static int
own_ids(void)
{
	uid_t u = geteuid();
	gid_t g = getegid();
	struct passwd *pw = getpwuid(u);

	if (pw != NULL && initgroups(pw->pw_name, g) != 0 && errno != EPERM)
		return lv_err(EX_NOPERM, "cannot take the service user's groups:");
	if (setresgid(g, g, g) != 0 || setresuid(u, u, u) != 0)
		return lv_err(EX_NOPERM, "cannot take the service user's ids:");
	return 0;
}

/* The kernel's form of sigaction, for the C library's own signals (32 and
 * 33), which its sigaction will not touch: a caller (GNU make does) can
 * leave them ignored, and an ignored signal survives exec. */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

/* Every signal at its default and none blocked: for this process when it
 * runs set-user-ID, and for every hook's child. */
void
lv_proc_default_signals(void)
{
	struct ksigaction k, old;
	struct sigaction sa;
	sigset_t none;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	memset(&k, 0, sizeof(k)); /* SIG_DFL */
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && sigaction(s, &sa, NULL) != 0 &&
		    syscall(SYS_rt_sigaction, s, NULL, &old, sizeof(k.mask)) == 0 && old.handler == SIG_IGN)
			syscall(SYS_rt_sigaction, s, &k, NULL, sizeof(k.mask));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int
own_limits(void)
{
	struct rlimit rl;
	size_t i;

	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		if (getrlimit(needs[i].res, &rl) != 0)
			return lv_err(EX_NOPERM, "cannot read the limit of %s:", needs[i].what);
		if (rl.rlim_max != RLIM_INFINITY && (needs[i].least == RLIM_INFINITY || rl.rlim_max < needs[i].least))
			return lv_err(EX_NOPERM, "refused: the caller's limit of %s is %llu; lv needs %s",
			    needs[i].what, (unsigned long long)rl.rlim_max,
			    needs[i].least == RLIM_INFINITY ? "it unlimited" : "more");
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(needs[i].res, &rl) != 0)
			return lv_err(EX_NOPERM, "cannot raise the limit of %s:", needs[i].what);
	}
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl); /* no core file holds a secret */
	return 0;
}

/* A process the caller made slow (idle scheduling or I/O class, a long
 * timer slack) would hold shared locks longer. */
static int
own_schedule(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
	if ((sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) != SCHED_OTHER &&
	    sched_setscheduler(0, SCHED_OTHER, &sp) != 0)
		return lv_err(EX_NOPERM, "refused: cannot leave the caller's scheduling policy:");
	setpriority(PRIO_PROCESS, 0, 0); /* a nice value only weighs: lowered where the limits allow */
	syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 0 /* the default class */);
	prctl(PR_SET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
	prctl(PR_SET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
	return 0;
}

static int
own_process(void)
{
	int rc;

	if ((rc = own_ids()) != 0)
		return rc;
	lv_proc_default_signals();
	if (close_range(3, ~0U, 0) != 0)
		return lv_err(EX_NOPERM, "cannot close the caller's descriptors:");
	if (chdir("/") != 0)
		return lv_err(EX_NOPERM, "cannot change to /:");
	if ((rc = own_limits()) != 0 || (rc = own_schedule()) != 0)
		return rc;
	clearenv();
	setenv("PATH", "/usr/bin:/bin", 1);
	return 0;
}

/* Every program starts here; a refusal ends the program with 77. */
void
lv_proc_init(void)
{
	std_fds();
	umask(077);
	lv_priv_record();
	if (lv_priv_restricted() && own_process() != 0)
		exit(EX_NOPERM);
}
