/* A PAM module for the tests: fails when anything before it left a
 * PAM_AUTHTOK, so a test can show pam_lv never stores the code there. */
#include <stddef.h>

#define PAM_SM_AUTH
#include <security/pam_modules.h>

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const void *tok = NULL;

	(void)flags;
	(void)argc;
	(void)argv;
	if (pam_get_item(pamh, PAM_AUTHTOK, &tok) != PAM_SUCCESS || tok != NULL)
		return PAM_AUTH_ERR;
	return PAM_SUCCESS;
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
