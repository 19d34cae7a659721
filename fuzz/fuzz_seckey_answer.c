/* Fuzzes what lv-enroll --key and lv-verify --method key read first: the
 * answer's JSON (a PublicKeyCredential, for create and for get), and the
 * clientDataJSON inside it, each input also taken as client data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lv.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init("fuzz_seckey_answer");
}

/* A parsed answer holds its members decoded, none empty, the id bounded;
 * what a member decodes to encodes to the same spelling again. */
static void
check_answer(const struct lv_seckey_answer *a, int create)
{
	struct lv_bytes again = { NULL, 0 };
	char *s;

	if (a->rawid.n == 0 || a->rawid.n > LV_SECKEY_CREDID_MAX || a->clientdata.n == 0)
		abort();
	if (create ? a->attobj.n == 0 : a->authdata.n == 0 || a->sig.n == 0)
		abort();
	if ((s = lv_b64url_encode(a->rawid.p, a->rawid.n)) == NULL || lv_b64url_decode(s, &again) != 0 ||
	    again.n != a->rawid.n || memcmp(again.p, a->rawid.p, again.n) != 0)
		abort();
	free(s);
	lv_bytes_free(&again);
}

static void
check_clientdata(const struct lv_bytes *raw)
{
	struct lv_clientdata cd;
	const char *why;

	if (lv_clientdata_parse(raw, &cd, &why) != 0)
		return;
	if (cd.challenge.n == 0 || strlen(cd.type) >= sizeof(cd.type) || strlen(cd.origin) >= sizeof(cd.origin))
		abort();
	lv_bytes_free(&cd.challenge);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_seckey_answer a;
	struct lv_bytes raw = { (unsigned char *)data, size };
	const char *why;
	int create;

	for (create = 0; create < 2; create++) {
		if (lv_seckey_answer_parse((const char *)data, size, create, &a, &why) != 0) {
			if (why == NULL || a.rawid.p != NULL || a.clientdata.p != NULL)
				abort();
			continue;
		}
		check_answer(&a, create);
		check_clientdata(&a.clientdata);
		lv_seckey_answer_free(&a);
	}
	check_clientdata(&raw);
	return 0;
}
