/* An LD_PRELOAD library for the tests: getpwnam_r folds the name to lower
 * case before the lookup, as case-insensitive NSS sources (LDAP, sssd, AD)
 * do, so a test can show pam_lv refuses SXU1 when the database says sxu1. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>

typedef int lookup(const char *, struct passwd *, char *, size_t, struct passwd **);

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **found)
{
	lookup *real = (lookup *)dlsym(RTLD_NEXT, "getpwnam_r");
	char folded[256];
	size_t i;

	*found = NULL;
	if (real == NULL || strlen(name) >= sizeof(folded))
		return ENOENT;
	for (i = 0; name[i] != '\0'; i++)
		folded[i] = (char)tolower((unsigned char)name[i]);
	folded[i] = '\0';
	return real(folded, pw, buf, size, found);
}
