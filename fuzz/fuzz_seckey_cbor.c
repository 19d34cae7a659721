/* Fuzzes the attestation object of a registration: libcbor's split into
 * fmt, authData and attStmt (lv_attobj_parse), then libfido2's reading of
 * the attested credential and its checks (lv_seckey_attest), for the rp
 * id example.org and a fixed client data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lv.h"

static const char clientdata[] = "{\"type\":\"webauthn.create\",\"challenge\":\"AAAA\","
    "\"origin\":\"https://example.org\"}";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init("fuzz_seckey_cbor");
}

/* An accepted credential: an algorithm lv takes, an id and a key in bounds,
 * UP set (the rule every registration passes). */
static void
check_cred(const struct lv_seckey_cred *k)
{
	if (lv_seckey_alg_name(k->alg) == NULL || k->idlen == 0 || k->idlen > LV_SECKEY_CREDID_MAX ||
	    k->pklen == 0 || k->pklen > LV_SECKEY_PK_MAX || !(k->flags & LV_SECKEY_FLAG_UP))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_bytes cd = { (unsigned char *)clientdata, sizeof(clientdata) - 1 };
	struct lv_seckey_cred k;
	struct lv_attobj o;
	const char *why;
	int uv, rc;

	if (lv_attobj_parse(data, size, &o, &why) != 0) {
		if (why == NULL || o.authdata.p != NULL || o.attstmt.p != NULL)
			abort();
		return 0;
	}
	if (o.fmt[0] == '\0' || o.authdata.p == NULL || o.attstmt.p == NULL)
		abort();
	for (uv = 0; uv < 2; uv++)
		if ((rc = lv_seckey_attest("example.org", uv, &o, &cd, &k, &why)) == 0)
			check_cred(&k);
		else if (rc != 1 || why == NULL)
			abort(); /* an exit code: libfido2 not loaded, the run would check nothing */
	lv_attobj_free(&o);
	return 0;
}
