/* The set-user-ID deployment. Run by another user than the service user
 * that owns the state directory, a program ignores -d, -c and the whole
 * environment; only root and the admin group may do everything; anyone
 * else may use only the self-service programs (lv-verify, lv-sendcode
 * through the configured gateway, lv-requests new), only for their own
 * login name. Who the caller was is recorded before lv_proc_init makes
 * the process the service user's through and through. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lv.h"

static struct {
	int recorded, restricted;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
} caller;

/* Before anything changes the process: the real ids and groups are the caller's. */
void
lv_priv_record(void)
{
	int n;

	caller.recorded = 1;
	caller.uid = getuid();
	caller.gid = getgid();
	caller.restricted = getuid() != 0 && (getuid() != geteuid() || getgid() != getegid());
	if ((n = getgroups(0, NULL)) > 0 && (caller.groups = calloc((size_t)n, sizeof(gid_t))) != NULL)
		caller.ngroups = getgroups(n, caller.groups) == n ? n : 0;
}

int
lv_priv_restricted(void)
{
	if (!caller.recorded)
		lv_priv_record();
	return caller.restricted;
}

uid_t
lv_priv_caller(void)
{
	if (!caller.recorded)
		lv_priv_record();
	return caller.uid;
}

static int
in_group(const char *name)
{
	struct group *gr;
	int i;

	if (name[0] == '\0' || (gr = getgrnam(name)) == NULL)
		return 0;
	if (caller.gid == gr->gr_gid)
		return 1;
	for (i = 0; i < caller.ngroups; i++)
		if (caller.groups[i] == gr->gr_gid)
			return 1;
	return 0;
}

/* After the configuration is read (it names the admin group). */
int
lv_priv_check(struct lv_ctx *c)
{
	struct passwd *pw;

	c->self_only = 0;
	if (!lv_priv_restricted() || in_group(c->conf.admin_group))
		return 0;
	if (!c->self_service && c->conf.admin_group[0] == '\0')
		return lv_err(EX_NOPERM, "only root may run %s; admin_group in %s can name a group that may too",
		    lv_prog, c->confpath);
	if (!c->self_service)
		return lv_err(EX_NOPERM, "only root or the admin group %s (admin_group in %s) may run %s",
		    c->conf.admin_group, c->confpath, lv_prog);
	if ((pw = getpwuid(caller.uid)) == NULL || lv_valid_account(pw->pw_name) != 0)
		return lv_err(EX_NOPERM, "your login name cannot be an lv account");
	snprintf(c->caller, sizeof(c->caller), "%s", pw->pw_name);
	c->self_only = 1;
	return 0;
}

/* A refusal to an ordinary caller says who may do what they may not, and
 * where the group that may is named: a web front end's user is refused so
 * until it is in admin_group. */
int
lv_priv_refuse(const struct lv_ctx *c, const char *refused, const char *others_may)
{
	if (c->conf.admin_group[0] == '\0')
		return lv_err(EX_NOPERM, "%s: root may %s, and admin_group in %s can name a group that may too",
		    refused, others_may, c->confpath);
	return lv_err(EX_NOPERM, "%s: root and the admin group %s (admin_group in %s) may %s", refused,
	    c->conf.admin_group, c->confpath, others_may);
}

int
lv_priv_account(const struct lv_ctx *c, const char *name)
{
	char refused[sizeof(c->caller) + 48];

	if (!c->self_only || strcmp(name, c->caller) == 0)
		return 0;
	snprintf(refused, sizeof(refused), "you may act only on your own account (%s)", c->caller);
	return lv_priv_refuse(c, refused, "act on any");
}

/* Root acting on a state directory that another user owns (the service
 * user of a set-user-ID installation) acts as that user from here on, so
 * that every file it writes is the owner's and the set-user-ID programs
 * can still read and replace it; a process that is not root is left as it
 * is (the owner checks of lv_safe_stat refuse what is not its own). */
int
lv_priv_become_owner(uid_t owner)
{
	struct passwd *pw;
	gid_t g;

	if (geteuid() != 0 || owner == 0)
		return 0;
	if ((pw = getpwuid(owner)) == NULL)
		return lv_err(EX_NOPERM, "state directory owned by uid %ld, which has no passwd entry", (long)owner);
	g = pw->pw_gid;
	if (initgroups(pw->pw_name, g) != 0 || setresgid(g, g, g) != 0 || setresuid(owner, owner, owner) != 0)
		return lv_err(EX_NOPERM, "cannot act as the state directory's owner %s:", pw->pw_name);
	return 0;
}

/* The state directory refused this program (EACCES) while another user
 * owns it: an installation that lost its set-user-ID bit or owner (make
 * install over make install-setuid, a package reinstalled), or a support
 * program, never set-user-ID, run by someone else than root or the owner.
 * Says what the program can see of it; 0 when that is not the case. */
int
lv_priv_denied(const struct lv_ctx *c)
{
	const char *dir = c->dir;
	char owner[64], setuid_to[64], exe[4096];
	struct stat st, self;
	ssize_t n;

	if (errno != EACCES || geteuid() == 0 || stat(dir, &st) != 0 || st.st_uid == geteuid())
		return 0;
	lv_user_name(st.st_uid, owner);
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		n = snprintf(exe, sizeof(exe), "%s", lv_prog);
	exe[n] = '\0';
	/* Only the self-service programs are installed set-user-ID (lv(7)). */
	if (!c->self_service)
		return lv_err(EX_IOERR, "cannot open state directory %s: %s (it belongs to %s: run %s as root, "
		    "or as %s with runuser -u %s --)", dir, strerror(EACCES), owner, lv_prog, owner, owner);
	if (stat(exe, &self) != 0 || !(self.st_mode & S_ISUID))
		return lv_err(EX_IOERR, "cannot open state directory %s: %s (it belongs to %s, but %s is not "
		    "set-user-ID: reinstall it set-user-ID to %s, see lv(7))", dir, strerror(EACCES), owner, exe,
		    owner);
	lv_user_name(self.st_uid, setuid_to);
	if (self.st_uid != st.st_uid)
		return lv_err(EX_IOERR, "cannot open state directory %s: %s (it belongs to %s, but %s is "
		    "set-user-ID to %s: reinstall it set-user-ID to %s, see lv(7))", dir, strerror(EACCES), owner,
		    exe, setuid_to, owner);
	return lv_err(EX_IOERR, "cannot open state directory %s: %s (it belongs to %s, and %s is set-user-ID "
	    "to %s but did not run so: a nosuid mount, or no_new_privs?)", dir, strerror(EACCES), owner, exe,
	    owner);
}
