/* The checks of a security key's answers that libfido2 makes: the
 * attested credential in a registration's authenticator data (its id and
 * COSE key), a packed self-attestation's signature, and an assertion's
 * signature over authenticatorData || SHA-256(clientDataJSON). The rpIdHash
 * and the flags are checked first here, so that a refusal says which;
 * libfido2 checks them again.
 *
 * libfido2 is loaded (dlopen, its soname) the first time a key's answer is
 * checked, not linked: it brings libcrypto, libudev and libz, whose loading
 * and start-up cost every process about 4 ms of CPU on a virtual machine,
 * 1.6 times the run time of an lv-verify accepting a backup code
 * (bench/RESULTS.md, row 3c). Only key registrations and key logins pay
 * it. The library missing or incomplete is 69: the method is not
 * available, and nothing is counted. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <sodium.h>

#include "lv.h"

#define FIDO_SONAME "libfido2.so.1"

#define FIDO_FUNCS(X) \
	X(fido_cred_new) X(fido_cred_free) X(fido_cred_set_type) X(fido_cred_set_authdata_raw) \
	X(fido_cred_set_rp) X(fido_cred_set_clientdata) X(fido_cred_set_fmt) X(fido_cred_set_uv) \
	X(fido_cred_set_attstmt) X(fido_cred_verify) X(fido_cred_verify_self) X(fido_cred_type) \
	X(fido_cred_id_len) X(fido_cred_id_ptr) X(fido_cred_pubkey_len) X(fido_cred_pubkey_ptr) \
	X(fido_assert_new) X(fido_assert_free) X(fido_assert_set_count) X(fido_assert_set_rp) \
	X(fido_assert_set_clientdata) X(fido_assert_set_authdata_raw) X(fido_assert_set_sig) \
	X(fido_assert_set_up) X(fido_assert_set_uv) X(fido_assert_verify) \
	X(es256_pk_new) X(es256_pk_from_ptr) X(es256_pk_free) X(eddsa_pk_new) X(eddsa_pk_from_ptr) \
	X(eddsa_pk_free) X(rs256_pk_new) X(rs256_pk_from_ptr) X(rs256_pk_free)

/* Each function of libfido2 lv calls, by its own name, once loaded. */
static struct {
#define X(f) __typeof__(f) *f;
	FIDO_FUNCS(X)
#undef X
} F;

/* 0 once every function is resolved, else an exit code (69, said once). */
static int
fido_load(void)
{
	static int state; /* 0 not tried, 1 loaded, else the exit code */
	const char *missing = NULL;
	void *h;

	if (state != 0)
		return state == 1 ? 0 : state;
	if ((h = dlopen(FIDO_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char *e = dlerror();
		return state = lv_err(EX_UNAVAILABLE, "security keys need %s (Debian package libfido2-1), "
		    "which cannot be loaded: %s", FIDO_SONAME, e != NULL ? e : "unknown error");
	}
#define X(f) if (missing == NULL && (*(void **)&F.f = dlsym(h, #f)) == NULL) missing = #f;
	FIDO_FUNCS(X)
#undef X
	if (missing != NULL) {
		dlclose(h);
		memset(&F, 0, sizeof(F));
		return state = lv_err(EX_UNAVAILABLE, "security keys need %s from %s, which lacks it", missing,
		    FIDO_SONAME);
	}
	state = 1;
	return 0;
}

const char *
lv_seckey_alg_name(int alg)
{
	return alg == COSE_ES256 ? "ES256" : alg == COSE_EDDSA ? "EdDSA" : alg == COSE_RS256 ? "RS256" : NULL;
}

/* rpIdHash, UP, and UV when required: the same for both ceremonies. */
static const char *
check_head(const char *rp_id, int uv, const struct lv_bytes *authdata, struct lv_authdata *ad)
{
	unsigned char h[32];

	if (lv_authdata_parse(authdata->p, authdata->n, ad) != 0)
		return "authenticator data too short";
	crypto_hash_sha256(h, (const unsigned char *)rp_id, strlen(rp_id));
	if (sodium_memcmp(h, ad->rpidhash, 32) != 0)
		return "the key answered for another site (rpIdHash is not this rp id's)";
	if (!(ad->flags & LV_SECKEY_FLAG_UP))
		return "the user was not present (UP flag not set)";
	if (uv && !(ad->flags & LV_SECKEY_FLAG_UV))
		return "the user was not verified (UV flag not set) and lv.conf requires it";
	if ((ad->flags & LV_SECKEY_FLAG_BS) && !(ad->flags & LV_SECKEY_FLAG_BE))
		return "the key says it is backed up but not eligible for backup";
	return NULL;
}

/* The attested credential, read by libfido2 for each algorithm lv takes. */
static fido_cred_t *
attested(const char *rp_id, int uv, const struct lv_attobj *o, const struct lv_bytes *clientdata)
{
	static const int algs[] = { COSE_ES256, COSE_EDDSA, COSE_RS256 };
	fido_cred_t *cred;
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if ((cred = F.fido_cred_new()) == NULL)
			return NULL;
		if (F.fido_cred_set_type(cred, algs[i]) == FIDO_OK &&
		    F.fido_cred_set_authdata_raw(cred, o->authdata.p, o->authdata.n) == FIDO_OK &&
		    F.fido_cred_set_rp(cred, rp_id, NULL) == FIDO_OK &&
		    F.fido_cred_set_clientdata(cred, clientdata->p, clientdata->n) == FIDO_OK &&
		    F.fido_cred_set_fmt(cred, o->fmt) == FIDO_OK &&
		    F.fido_cred_set_uv(cred, uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK &&
		    F.fido_cred_id_len(cred) > 0 && F.fido_cred_pubkey_len(cred) > 0)
			return cred;
		F.fido_cred_free(&cred);
	}
	return NULL;
}

/* fmt none: nothing to verify; packed: self-attestation by the new key,
 * or a certificate's signature (its chain is not judged: lv asks for no
 * attestation, so a certificate proves nothing lv relies on). */
static const char *
statement(fido_cred_t *cred, const struct lv_attobj *o)
{
	if (strcmp(o->fmt, "none") == 0)
		return NULL;
	if (strcmp(o->fmt, "packed") != 0)
		return "attestation format is neither none nor packed";
	if (F.fido_cred_set_attstmt(cred, o->attstmt.p, o->attstmt.n) != FIDO_OK)
		return "packed attestation statement unreadable";
	if (o->x5c)
		return F.fido_cred_verify(cred) == FIDO_OK ? NULL : "packed attestation signature does not verify";
	if (o->alg != F.fido_cred_type(cred))
		return "packed self-attestation: alg is not the key's algorithm";
	return F.fido_cred_verify_self(cred) == FIDO_OK ? NULL : "packed self-attestation signature does not verify";
}

/* 0 and the new credential in *out, 1 with *why, or an exit code. */
int
lv_seckey_attest(const char *rp_id, int uv, const struct lv_attobj *o, const struct lv_bytes *clientdata,
    struct lv_seckey_cred *out, const char **why)
{
	struct lv_authdata ad;
	fido_cred_t *cred = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = fido_load()) != 0)
		return rc;
	if ((*why = check_head(rp_id, uv, &o->authdata, &ad)) != NULL)
		return 1;
	if (!(ad.flags & LV_SECKEY_FLAG_AT) || lv_authdata_sane(o->authdata.p, o->authdata.n, 1) != 0 ||
	    (cred = attested(rp_id, uv, o, clientdata)) == NULL) {
		*why = "no attested credential of ES256, EdDSA or RS256 in the authenticator data";
		return 1;
	}
	if (F.fido_cred_id_len(cred) > sizeof(out->id) || F.fido_cred_pubkey_len(cred) > sizeof(out->pk))
		*why = "credential id or key too long";
	else
		*why = statement(cred, o);
	if (*why == NULL) {
		out->alg = F.fido_cred_type(cred);
		out->idlen = F.fido_cred_id_len(cred);
		memcpy(out->id, F.fido_cred_id_ptr(cred), out->idlen);
		out->pklen = F.fido_cred_pubkey_len(cred);
		memcpy(out->pk, F.fido_cred_pubkey_ptr(cred), out->pklen);
		out->count = ad.count;
		out->flags = ad.flags;
	}
	F.fido_cred_free(&cred);
	return *why == NULL ? 0 : 1;
}

static int
verify(fido_assert_t *as, const struct lv_seckey_cred *k)
{
	void *pk = NULL;
	int rc = -1;

	if (k->alg == COSE_ES256 && (pk = F.es256_pk_new()) != NULL && F.es256_pk_from_ptr(pk, k->pk, k->pklen) == FIDO_OK)
		rc = F.fido_assert_verify(as, 0, k->alg, pk);
	else if (k->alg == COSE_EDDSA && (pk = F.eddsa_pk_new()) != NULL &&
	    F.eddsa_pk_from_ptr(pk, k->pk, k->pklen) == FIDO_OK)
		rc = F.fido_assert_verify(as, 0, k->alg, pk);
	else if (k->alg == COSE_RS256 && (pk = F.rs256_pk_new()) != NULL &&
	    F.rs256_pk_from_ptr(pk, k->pk, k->pklen) == FIDO_OK)
		rc = F.fido_assert_verify(as, 0, k->alg, pk);
	if (k->alg == COSE_ES256)
		F.es256_pk_free((es256_pk_t **)&pk);
	else if (k->alg == COSE_EDDSA)
		F.eddsa_pk_free((eddsa_pk_t **)&pk);
	else if (k->alg == COSE_RS256)
		F.rs256_pk_free((rs256_pk_t **)&pk);
	return rc == FIDO_OK ? 0 : -1;
}

/* 0 when k signed this assertion for rp_id with the flags required, 1
 * with *why, or an exit code; the sign count is the caller's. */
int
lv_seckey_assert(const char *rp_id, int uv, const struct lv_seckey_cred *k, const struct lv_bytes *clientdata,
    const struct lv_bytes *authdata, const struct lv_bytes *sig, const char **why)
{
	struct lv_authdata ad;
	fido_assert_t *as;
	int ok;

	if ((ok = fido_load()) != 0)
		return ok;
	if ((*why = check_head(rp_id, uv, authdata, &ad)) != NULL)
		return 1;
	if (lv_authdata_sane(authdata->p, authdata->n, 0) != 0) {
		*why = "the authenticator data's extensions are not CBOR";
		return 1;
	}
	if ((as = F.fido_assert_new()) == NULL) {
		*why = "out of memory";
		return 1;
	}
	ok = F.fido_assert_set_count(as, 1) == FIDO_OK && F.fido_assert_set_rp(as, rp_id) == FIDO_OK &&
	    F.fido_assert_set_clientdata(as, clientdata->p, clientdata->n) == FIDO_OK &&
	    F.fido_assert_set_authdata_raw(as, 0, authdata->p, authdata->n) == FIDO_OK &&
	    F.fido_assert_set_sig(as, 0, sig->p, sig->n) == FIDO_OK &&
	    F.fido_assert_set_up(as, FIDO_OPT_TRUE) == FIDO_OK &&
	    F.fido_assert_set_uv(as, uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK && verify(as, k) == 0;
	F.fido_assert_free(&as);
	if (!ok)
		*why = "the signature does not verify with the registered key";
	return ok ? 0 : 1;
}
