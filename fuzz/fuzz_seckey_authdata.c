/* Fuzzes the authenticator data of a login: the fixed head
 * (lv_authdata_parse) and libfido2's reading and verifying of an assertion
 * (lv_seckey_assert) against two registered keys, ES256 and EdDSA. The
 * input is the authenticator data; its first 64 bytes also serve as the
 * signature. Nothing may verify: the fuzzer holds no private key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lv.h"

static const char clientdata[] = "{\"type\":\"webauthn.get\",\"challenge\":\"AAAA\","
    "\"origin\":\"https://example.org\"}";

/* Two keys t/seckey.py made, in libfido2's raw form: an ES256 point (x, y)
 * and an Ed25519 key; they signed the seeds' authenticator data. */
static struct lv_seckey_cred es256 = { .alg = -7, .pklen = 64, .pk = {
	0xee, 0xbd, 0x36, 0xa4, 0xa6, 0x14, 0xaf, 0x4f, 0xd2, 0x0b, 0x91, 0xb6, 0x3f, 0x01, 0xb1, 0x36,
	0xd3, 0xe5, 0x1f, 0xdb, 0xfe, 0x3c, 0x95, 0x23, 0x55, 0x64, 0xe8, 0xc8, 0x00, 0x6e, 0x4e, 0xd9,
	0x0d, 0x45, 0xf0, 0x76, 0x6e, 0x20, 0xc8, 0x72, 0x27, 0xbc, 0xb2, 0xab, 0xea, 0xa1, 0x42, 0xc0,
	0xf7, 0xfd, 0x90, 0x34, 0xcc, 0xd2, 0x84, 0x6e, 0xf7, 0x9f, 0x5e, 0x03, 0xbf, 0xa7, 0x16, 0x3a } };
static struct lv_seckey_cred eddsa = { .alg = -8, .pklen = 32, .pk = {
	0xa5, 0x3f, 0x03, 0xa2, 0xd6, 0x25, 0x2c, 0x94, 0x01, 0x17, 0x7a, 0xdd, 0xbc, 0xd6, 0xef, 0x17,
	0x8e, 0x76, 0x4e, 0x34, 0x02, 0x4c, 0x71, 0xa5, 0x5c, 0xb0, 0xfb, 0x21, 0x9f, 0x1a, 0x6b, 0x8d } };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fuzz_init("fuzz_seckey_authdata");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_bytes cd = { (unsigned char *)clientdata, sizeof(clientdata) - 1 };
	struct lv_bytes ad = { (unsigned char *)data, size };
	struct lv_bytes sig = { (unsigned char *)data, size < 64 ? size : 64 };
	struct lv_authdata head;
	const char *why;
	int uv;

	if (lv_authdata_parse(data, size, &head) == 0 && (size < 37 || head.flags > 255 ||
	    head.count > 0xffffffffUL || memcmp(head.rpidhash, data, 32) != 0))
		abort();
	if (size == 0)
		return 0;
	for (uv = 0; uv < 2; uv++) /* 0 would be a forgery; an exit code, libfido2 not loaded */
		if (lv_seckey_assert("example.org", uv, &es256, &cd, &ad, &sig, &why) != 1 ||
		    lv_seckey_assert("example.org", uv, &eddsa, &cd, &ad, &sig, &why) != 1)
			abort();
	return 0;
}
