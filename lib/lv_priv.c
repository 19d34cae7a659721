/* The set-user-ID deployment. Run by another user than the service user
 * that owns the state directory, a program ignores -d, -c and the whole
 * environment; only root and the admin group may do everything; anyone
 * else may use only the self-service programs (lv-verify, lv-sendcode
 * through the configured gateway, lv-requests new), only for their own
 * login name. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lv.h"

int
lv_priv_restricted(void)
{
	return getuid() != 0 && (getuid() != geteuid() || getgid() != getegid());
}

/* Before anything reads the environment: nothing of the caller's is kept. */
void
lv_priv_init(void)
{
	if (!lv_priv_restricted())
		return;
	clearenv();
	setenv("PATH", "/usr/bin:/bin", 1);
}

static int
in_group(const char *name)
{
	gid_t groups[256];
	struct group *gr;
	int i, n;

	if (name[0] == '\0' || (gr = getgrnam(name)) == NULL)
		return 0;
	if (getgid() == gr->gr_gid)
		return 1;
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gr->gr_gid)
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
	if (!c->self_service)
		return lv_err(EX_NOPERM, "only root or the admin group may run %s", lv_prog);
	if ((pw = getpwuid(getuid())) == NULL || lv_valid_account(pw->pw_name) != 0)
		return lv_err(EX_NOPERM, "your login name cannot be an lv account");
	snprintf(c->caller, sizeof(c->caller), "%s", pw->pw_name);
	c->self_only = 1;
	return 0;
}

int
lv_priv_account(const struct lv_ctx *c, const char *name)
{
	if (c->self_only && strcmp(name, c->caller) != 0)
		return lv_err(EX_NOPERM, "you may act only on your own account (%s)", c->caller);
	return 0;
}
