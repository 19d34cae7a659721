/* The checks of a security key's answers that libfido2 makes: the
 * attested credential in a registration's authenticator data (its id and
 * COSE key), a packed self-attestation's signature, and an assertion's
 * signature over authenticatorData || SHA-256(clientDataJSON). The rpIdHash
 * and the flags are checked first here, so that a refusal says which;
 * libfido2 checks them again. */
#include <string.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <sodium.h>

#include "lv.h"

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
		if ((cred = fido_cred_new()) == NULL)
			return NULL;
		if (fido_cred_set_type(cred, algs[i]) == FIDO_OK &&
		    fido_cred_set_authdata_raw(cred, o->authdata.p, o->authdata.n) == FIDO_OK &&
		    fido_cred_set_rp(cred, rp_id, NULL) == FIDO_OK &&
		    fido_cred_set_clientdata(cred, clientdata->p, clientdata->n) == FIDO_OK &&
		    fido_cred_set_fmt(cred, o->fmt) == FIDO_OK &&
		    fido_cred_set_uv(cred, uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK &&
		    fido_cred_id_len(cred) > 0 && fido_cred_pubkey_len(cred) > 0)
			return cred;
		fido_cred_free(&cred);
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
	if (fido_cred_set_attstmt(cred, o->attstmt.p, o->attstmt.n) != FIDO_OK)
		return "packed attestation statement unreadable";
	if (o->x5c)
		return fido_cred_verify(cred) == FIDO_OK ? NULL : "packed attestation signature does not verify";
	if (o->alg != fido_cred_type(cred))
		return "packed self-attestation: alg is not the key's algorithm";
	return fido_cred_verify_self(cred) == FIDO_OK ? NULL : "packed self-attestation signature does not verify";
}

/* 0 and the new credential in *out, or 1 with *why. */
int
lv_seckey_attest(const char *rp_id, int uv, const struct lv_attobj *o, const struct lv_bytes *clientdata,
    struct lv_seckey_cred *out, const char **why)
{
	struct lv_authdata ad;
	fido_cred_t *cred = NULL;

	memset(out, 0, sizeof(*out));
	if ((*why = check_head(rp_id, uv, &o->authdata, &ad)) != NULL)
		return 1;
	if (!(ad.flags & LV_SECKEY_FLAG_AT) || lv_authdata_sane(o->authdata.p, o->authdata.n, 1) != 0 ||
	    (cred = attested(rp_id, uv, o, clientdata)) == NULL) {
		*why = "no attested credential of ES256, EdDSA or RS256 in the authenticator data";
		return 1;
	}
	if (fido_cred_id_len(cred) > sizeof(out->id) || fido_cred_pubkey_len(cred) > sizeof(out->pk))
		*why = "credential id or key too long";
	else
		*why = statement(cred, o);
	if (*why == NULL) {
		out->alg = fido_cred_type(cred);
		out->idlen = fido_cred_id_len(cred);
		memcpy(out->id, fido_cred_id_ptr(cred), out->idlen);
		out->pklen = fido_cred_pubkey_len(cred);
		memcpy(out->pk, fido_cred_pubkey_ptr(cred), out->pklen);
		out->count = ad.count;
		out->flags = ad.flags;
	}
	fido_cred_free(&cred);
	return *why == NULL ? 0 : 1;
}

static int
verify(fido_assert_t *as, const struct lv_seckey_cred *k)
{
	void *pk = NULL;
	int rc = -1;

	if (k->alg == COSE_ES256 && (pk = es256_pk_new()) != NULL && es256_pk_from_ptr(pk, k->pk, k->pklen) == FIDO_OK)
		rc = fido_assert_verify(as, 0, k->alg, pk);
	else if (k->alg == COSE_EDDSA && (pk = eddsa_pk_new()) != NULL &&
	    eddsa_pk_from_ptr(pk, k->pk, k->pklen) == FIDO_OK)
		rc = fido_assert_verify(as, 0, k->alg, pk);
	else if (k->alg == COSE_RS256 && (pk = rs256_pk_new()) != NULL &&
	    rs256_pk_from_ptr(pk, k->pk, k->pklen) == FIDO_OK)
		rc = fido_assert_verify(as, 0, k->alg, pk);
	if (k->alg == COSE_ES256)
		es256_pk_free((es256_pk_t **)&pk);
	else if (k->alg == COSE_EDDSA)
		eddsa_pk_free((eddsa_pk_t **)&pk);
	else if (k->alg == COSE_RS256)
		rs256_pk_free((rs256_pk_t **)&pk);
	return rc == FIDO_OK ? 0 : -1;
}

/* 0 when k signed this assertion for rp_id with the flags required, or 1
 * with *why; the sign count is the caller's. */
int
lv_seckey_assert(const char *rp_id, int uv, const struct lv_seckey_cred *k, const struct lv_bytes *clientdata,
    const struct lv_bytes *authdata, const struct lv_bytes *sig, const char **why)
{
	struct lv_authdata ad;
	fido_assert_t *as;
	int ok;

	if ((*why = check_head(rp_id, uv, authdata, &ad)) != NULL)
		return 1;
	if (lv_authdata_sane(authdata->p, authdata->n, 0) != 0) {
		*why = "the authenticator data's extensions are not CBOR";
		return 1;
	}
	if ((as = fido_assert_new()) == NULL) {
		*why = "out of memory";
		return 1;
	}
	ok = fido_assert_set_count(as, 1) == FIDO_OK && fido_assert_set_rp(as, rp_id) == FIDO_OK &&
	    fido_assert_set_clientdata(as, clientdata->p, clientdata->n) == FIDO_OK &&
	    fido_assert_set_authdata_raw(as, 0, authdata->p, authdata->n) == FIDO_OK &&
	    fido_assert_set_sig(as, 0, sig->p, sig->n) == FIDO_OK &&
	    fido_assert_set_up(as, FIDO_OPT_TRUE) == FIDO_OK &&
	    fido_assert_set_uv(as, uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK && verify(as, k) == 0;
	fido_assert_free(&as);
	if (!ok)
		*why = "the signature does not verify with the registered key";
	return ok ? 0 : 1;
}
