/* Who runs the program, for the audit log and the disabled line: the
 * caller, also when the program runs set-user-ID. */
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "lv.h"

void
lv_user_name(uid_t uid, char out[64])
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL && lv_valid_text(pw->pw_name) == 0)
		snprintf(out, 64, "%s", pw->pw_name);
	else
		snprintf(out, 64, "uid %ld", (long)uid);
}

void
lv_who(char out[64])
{
	lv_user_name(lv_priv_caller(), out);
}
