/* Security keys (WebAuthn) of an account: its keys, kept as
 * seckey.<ID> = "<added>\t<alg>\t<credential id>\t<public key>\t<sign count>\t<flags>\t<label>"
 * (the credential id and the key, in libfido2's raw form, base64url;
 * the ID the first 8 hex digits of BLAKE2b-256 of the credential id), its
 * user handle (seckey-user, random, never the account name), and at most
 * one challenge per ceremony, seckey-challenge.create and .get =
 * "<expires>\t<keyed hash>", spent in the commit that accepts its answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <sodium.h>

#include "lv.h"

#define PREFIX "seckey."
#define USER "seckey-user"
#define KEYS_MAX 128

static const char *purpose_name[] = { "create", "get" };

struct key {
	char id[LV_SECKEY_ID_LEN + 1];
	long added;
	struct lv_seckey_cred cred;
	char label[LV_TEXT_MAX + 1];
};

static void
key_id(const unsigned char *credid, size_t n, char id[LV_SECKEY_ID_LEN + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), credid, n, NULL, 0);
	sodium_bin2hex(id, LV_SECKEY_ID_LEN + 1, h, LV_SECKEY_ID_LEN / 2);
}

int
lv_seckey_valid_id(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0' && strchr("0123456789abcdef", id[i]) != NULL; i++)
		;
	return i == LV_SECKEY_ID_LEN && id[i] == '\0' ? 0 : -1;
}

static int
key_parse(const char *k, const char *v, struct key *out)
{
	char *buf = strdup(v), *f[8];
	struct lv_bytes id = { NULL, 0 }, pk = { NULL, 0 };
	long alg, count, flags;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || strlen(k) != strlen(PREFIX) + LV_SECKEY_ID_LEN || lv_fields_split(buf, f, 7) != 7)
		goto out;
	snprintf(out->id, sizeof(out->id), "%s", k + strlen(PREFIX));
	if (lv_parse_uint(f[0], 0x7fffffffffffffffL, &out->added) != 0 || lv_parse_uint(f[1] + (f[1][0] == '-'),
	    1000, &alg) != 0 || lv_b64url_decode(f[2], &id) != 0 || id.n == 0 || id.n > LV_SECKEY_CREDID_MAX ||
	    lv_b64url_decode(f[3], &pk) != 0 || pk.n == 0 || pk.n > LV_SECKEY_PK_MAX ||
	    lv_parse_uint(f[4], 0xffffffffL, &count) != 0 ||
	    lv_parse_uint(f[5], 255, &flags) != 0 || strlen(f[6]) > LV_TEXT_MAX)
		goto out;
	out->cred.alg = f[1][0] == '-' ? -(int)alg : (int)alg;
	memcpy(out->cred.id, id.p, id.n);
	out->cred.idlen = id.n;
	memcpy(out->cred.pk, pk.p, pk.n);
	out->cred.pklen = pk.n;
	if (lv_seckey_alg_name(out->cred.alg) == NULL)
		goto out;
	out->cred.count = (unsigned long)count;
	out->cred.flags = (unsigned)flags;
	snprintf(out->label, sizeof(out->label), "%s", f[6]);
	rc = 0;
out:
	lv_bytes_free(&id);
	lv_bytes_free(&pk);
	free(buf);
	return rc;
}

static int
by_added(const void *x, const void *y)
{
	const struct key *a = x, *b = y;

	return a->added != b->added ? (a->added > b->added) - (a->added < b->added) : strcmp(a->id, b->id);
}

/* The account's keys, oldest first; a damaged record is skipped (it can
 * sign nothing). The caller frees *out. */
static size_t
keys(const struct lv_acct *a, struct key **out)
{
	size_t i, n = 0;

	if ((*out = calloc(KEYS_MAX, sizeof(**out))) == NULL)
		return 0;
	for (i = 0; i < a->rec.n && n < KEYS_MAX; i++)
		if (strncmp(a->rec.kv[i].k, PREFIX, strlen(PREFIX)) == 0 &&
		    key_parse(a->rec.kv[i].k, a->rec.kv[i].v, &(*out)[n]) == 0)
			n++;
	qsort(*out, n, sizeof(**out), by_added);
	return n;
}

static int
key_put(struct lv_acct *a, const struct key *k)
{
	char rec[32], *id = lv_b64url_encode(k->cred.id, k->cred.idlen);
	char *pk = lv_b64url_encode(k->cred.pk, k->cred.pklen);
	int rc = -1;

	snprintf(rec, sizeof(rec), PREFIX "%s", k->id);
	if (id != NULL && pk != NULL)
		rc = lv_rec_setf(&a->rec, rec, "%ld\t%d\t%s\t%s\t%lu\t%u\t%s", k->added, k->cred.alg, id, pk,
		    k->cred.count, k->cred.flags & (LV_SECKEY_FLAG_BE | LV_SECKEY_FLAG_BS), k->label);
	free(id);
	free(pk);
	return rc == 0 ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

size_t
lv_seckey_count(const struct lv_acct *a)
{
	return lv_rec_countprefix(&a->rec, PREFIX);
}

void
lv_seckey_status(const struct lv_acct *a, struct lv_facts *f)
{
	struct key *k;
	size_t i, n = keys(a, &k);
	unsigned fl;

	lv_fact(f, LV_FACT_LIST, "security-key", 0);
	if (k == NULL) {
		f->failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		fl = k[i].cred.flags;
		lv_fact(f, LV_FACT_LIST, "security-key", 6, lv_text("id", k[i].id), lv_text("label", k[i].label),
		    lv_text("algorithm", lv_seckey_alg_name(k[i].cred.alg)), lv_num("sign-count", (long)k[i].cred.count),
		    lv_text("backup", fl & LV_SECKEY_FLAG_BS ? "backed-up" : fl & LV_SECKEY_FLAG_BE ? "eligible" :
		    "single-device"), lv_time("time", k[i].added, NULL));
	}
	free(k);
}

int
lv_seckey_conf_check(const struct lv_conf *c)
{
	const char *uv = c->webauthn_user_verification;

	if (c->webauthn_rp_id[0] == '\0')
		return lv_err(EX_CONFIG, "security keys are off: lv.conf sets no webauthn_rp_id");
	if (strcmp(uv, "required") != 0 && strcmp(uv, "preferred") != 0 && strcmp(uv, "discouraged") != 0)
		return lv_err(EX_CONFIG, "webauthn_user_verification is required, preferred or discouraged");
	return 0;
}

static int
uv_required(const struct lv_conf *c)
{
	return strcmp(c->webauthn_user_verification, "required") == 0;
}

/* The account's user handle, made the first time it is asked for. */
static const char *
user_handle(struct lv_acct *a)
{
	unsigned char rnd[32];
	char *s;

	if (lv_rec_get(&a->rec, USER) != NULL)
		return lv_rec_get(&a->rec, USER);
	randombytes_buf(rnd, sizeof(rnd));
	if ((s = lv_b64url_encode(rnd, sizeof(rnd))) == NULL || lv_rec_set(&a->rec, USER, s) != 0) {
		free(s);
		return NULL;
	}
	free(s);
	return lv_rec_get(&a->rec, USER);
}

static void
challenge_name(enum lv_seckey_purpose p, char out[32])
{
	snprintf(out, 32, "seckey-challenge.%s", purpose_name[p]);
}

static void
challenge_hash(const struct lv_acct *a, enum lv_seckey_purpose p, const unsigned char *ch, size_t n,
    char hex[2 * LV_HASHBYTES + 1])
{
	char domain[32];

	snprintf(domain, sizeof(domain), "lv1-seckey-%s", purpose_name[p]);
	lv_key_hash_hex(a->ctx, domain, a->name, ch, n, hex);
}

/* A new challenge replaces the ceremony's last; returns it base64url. */
static char *
challenge_new(struct lv_acct *a, enum lv_seckey_purpose p)
{
	unsigned char ch[LV_SECKEY_CHALLENGE];
	char name[32], hex[2 * LV_HASHBYTES + 1], *s;

	randombytes_buf(ch, sizeof(ch));
	challenge_hash(a, p, ch, sizeof(ch), hex);
	challenge_name(p, name);
	s = lv_b64url_encode(ch, sizeof(ch));
	sodium_memzero(ch, sizeof(ch));
	if (s != NULL && lv_rec_setf(&a->rec, name, "%ld\t%s", (long)lv_now() + a->ctx->conf.webauthn_ttl, hex) != 0) {
		free(s);
		s = NULL;
	}
	return s;
}

static json_object *
cred_list(const struct lv_acct *a, int *failed)
{
	json_object *l = json_object_new_array(), *d;
	struct key *k;
	size_t i, n = keys(a, &k);
	char *id;

	*failed |= l == NULL || k == NULL;
	for (i = 0; !*failed && i < n; i++) {
		d = json_object_new_object();
		id = lv_b64url_encode(k[i].cred.id, k[i].cred.idlen);
		*failed |= d == NULL || id == NULL || json_object_array_add(l, d) != 0;
		if (!*failed) {
			json_object_object_add(d, "type", json_object_new_string("public-key"));
			json_object_object_add(d, "id", json_object_new_string(id));
		}
		free(id);
	}
	free(k);
	return l;
}

static json_object *
create_options(struct lv_acct *a, const char *challenge, int *failed)
{
	const struct lv_conf *c = &a->ctx->conf;
	json_object *o = json_object_new_object(), *rp = json_object_new_object(), *user = json_object_new_object();
	json_object *params = json_object_new_array(), *sel = json_object_new_object(), *p;
	static const int algs[] = { -7, -8, -257 };
	const char *uh = user_handle(a);
	size_t i;

	*failed |= o == NULL || rp == NULL || user == NULL || params == NULL || sel == NULL || uh == NULL;
	if (*failed)
		return o;
	json_object_object_add(rp, "id", json_object_new_string(c->webauthn_rp_id));
	json_object_object_add(rp, "name", json_object_new_string(c->webauthn_rp_name[0] ? c->webauthn_rp_name :
	    c->site_name));
	json_object_object_add(o, "rp", rp);
	json_object_object_add(user, "id", json_object_new_string(uh));
	json_object_object_add(user, "name", json_object_new_string(a->name));
	json_object_object_add(user, "displayName", json_object_new_string(a->name));
	json_object_object_add(o, "user", user);
	json_object_object_add(o, "challenge", json_object_new_string(challenge));
	for (i = 0; i < 3 && (p = json_object_new_object()) != NULL; i++) {
		json_object_object_add(p, "type", json_object_new_string("public-key"));
		json_object_object_add(p, "alg", json_object_new_int(algs[i]));
		json_object_array_add(params, p);
	}
	json_object_object_add(o, "pubKeyCredParams", params);
	json_object_object_add(o, "timeout", json_object_new_int64(c->webauthn_ttl * 1000));
	json_object_object_add(o, "excludeCredentials", cred_list(a, failed));
	json_object_object_add(sel, "residentKey", json_object_new_string("discouraged"));
	json_object_object_add(sel, "requireResidentKey", json_object_new_boolean(0));
	json_object_object_add(sel, "userVerification", json_object_new_string(c->webauthn_user_verification));
	json_object_object_add(o, "authenticatorSelection", sel);
	json_object_object_add(o, "attestation", json_object_new_string("none"));
	return o;
}

static json_object *
get_options(struct lv_acct *a, const char *challenge, int *failed)
{
	const struct lv_conf *c = &a->ctx->conf;
	json_object *o = json_object_new_object();

	if ((*failed |= o == NULL))
		return o;
	json_object_object_add(o, "challenge", json_object_new_string(challenge));
	json_object_object_add(o, "timeout", json_object_new_int64(c->webauthn_ttl * 1000));
	json_object_object_add(o, "rpId", json_object_new_string(c->webauthn_rp_id));
	json_object_object_add(o, "allowCredentials", cred_list(a, failed));
	json_object_object_add(o, "userVerification", json_object_new_string(c->webauthn_user_verification));
	return o;
}

/* Issues the ceremony's challenge in a->rec and makes the options a
 * browser passes to navigator.credentials.create or .get. */
int
lv_seckey_options(struct lv_acct *a, enum lv_seckey_purpose p, json_object **out)
{
	char *ch;
	int failed = 0;

	*out = NULL;
	if (p == LV_SECKEY_GET && lv_seckey_count(a) == 0)
		return lv_err(EX_UNAVAILABLE, "%s has no security key", a->name);
	if ((ch = challenge_new(a, p)) == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	*out = p == LV_SECKEY_CREATE ? create_options(a, ch, &failed) : get_options(a, ch, &failed);
	free(ch);
	if (!failed)
		return 0;
	json_object_put(*out);
	*out = NULL;
	return lv_err(EX_SOFTWARE, "out of memory");
}

static int
origin_allowed(const struct lv_conf *c, const char *origin)
{
	char buf[sizeof(c->webauthn_origins)], *tok, *save = NULL;

	if (c->webauthn_origins[0] == '\0')
		return strncmp(origin, "https://", 8) == 0 && strcmp(origin + 8, c->webauthn_rp_id) == 0;
	snprintf(buf, sizeof(buf), "%s", c->webauthn_origins);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save))
		if (strcmp(tok, origin) == 0)
			return 1;
	return 0;
}

/* The client data's type, challenge (issued for this ceremony, unexpired,
 * not spent) and origin; the challenge is spent when all else passes. */
static const char *
client_check(struct lv_acct *a, enum lv_seckey_purpose p, const struct lv_bytes *raw, time_t now)
{
	static const char *types[] = { "webauthn.create", "webauthn.get" };
	char name[32], hex[2 * LV_HASHBYTES + 1], *end;
	struct lv_clientdata cd;
	const char *why = NULL, *v;
	long expires;

	challenge_name(p, name);
	if (lv_clientdata_parse(raw, &cd, &why) != 0)
		return why;
	v = lv_rec_get(&a->rec, name);
	if (strcmp(cd.type, types[p]) != 0)
		why = p == LV_SECKEY_CREATE ? "clientDataJSON.type is not webauthn.create" :
		    "clientDataJSON.type is not webauthn.get";
	else if (v == NULL || (expires = strtol(v, &end, 10)) <= 0 || *end != '\t')
		why = "no challenge is pending: it was used, or none was issued (ask for the options again)";
	else if (expires <= now)
		why = "the challenge expired (ask for the options again)";
	else if (challenge_hash(a, p, cd.challenge.p, cd.challenge.n, hex), !lv_hash_hex_eq(hex, end + 1))
		why = "the challenge is not the one issued";
	else if (!origin_allowed(&a->ctx->conf, cd.origin))
		why = "the origin is not one lv.conf allows (webauthn_origins)";
	else if (cd.cross_origin)
		why = "the page was embedded in another site's (crossOrigin)";
	lv_bytes_free(&cd.challenge);
	return why;
}

static void
challenge_spend(struct lv_acct *a, enum lv_seckey_purpose p)
{
	char name[32];

	challenge_name(p, name);
	lv_rec_del(&a->rec, name);
}

static int
register_check(struct lv_acct *a, const struct lv_seckey_answer *ans, struct key *k, const char **why)
{
	const struct lv_conf *c = &a->ctx->conf;
	struct lv_attobj o;
	int rc;

	if ((*why = client_check(a, LV_SECKEY_CREATE, &ans->clientdata, lv_now())) != NULL ||
	    lv_attobj_parse(ans->attobj.p, ans->attobj.n, &o, why) != 0)
		return 1;
	rc = lv_seckey_attest(c->webauthn_rp_id, uv_required(c), &o, &ans->clientdata, &k->cred, why);
	lv_attobj_free(&o);
	if (rc == 0 && (k->cred.idlen != ans->rawid.n || memcmp(k->cred.id, ans->rawid.p, ans->rawid.n) != 0)) {
		*why = "rawId is not the attested credential's id";
		rc = 1;
	}
	return rc;
}

/* A registration answer: 0 and the new key's ID, 1 with *why, or an exit
 * code. */
int
lv_seckey_register(struct lv_acct *a, const struct lv_seckey_answer *ans, const char *label,
    char id[LV_SECKEY_ID_LEN + 1], const char **why)
{
	char rec[32];
	struct key k;
	int rc;

	memset(&k, 0, sizeof(k));
	if ((rc = register_check(a, ans, &k, why)) != 0)
		return rc;
	key_id(k.cred.id, k.cred.idlen, k.id);
	snprintf(id, LV_SECKEY_ID_LEN + 1, "%s", k.id);
	snprintf(rec, sizeof(rec), PREFIX "%s", k.id);
	if (lv_rec_get(&a->rec, rec) != NULL)
		return lv_err(EX_CANTCREAT, "security key %s is registered already for %s", k.id, a->name);
	if ((long)lv_seckey_count(a) >= a->ctx->conf.webauthn_keys_max)
		return lv_err(EX_TEMPFAIL, "%s has %ld security keys, the most allowed: remove one first "
		    "(lv-unenroll --key ID)", a->name, a->ctx->conf.webauthn_keys_max);
	k.added = (long)lv_now();
	snprintf(k.label, sizeof(k.label), "%s", label);
	challenge_spend(a, LV_SECKEY_CREATE);
	return key_put(a, &k);
}

static const struct key *
find_cred(const struct key *k, size_t n, const struct lv_bytes *rawid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (k[i].cred.idlen == rawid->n && memcmp(k[i].cred.id, rawid->p, rawid->n) == 0)
			return &k[i];
	return NULL;
}

static int
login_check(struct lv_acct *a, const struct lv_seckey_answer *ans, struct key *k, int *cloned, const char **why)
{
	const struct lv_conf *c = &a->ctx->conf;
	const char *uh = lv_rec_get(&a->rec, USER);
	struct lv_bytes h = { NULL, 0 };
	struct lv_authdata ad;
	int bad_uh = 0, rc;

	if (ans->userhandle.p != NULL)
		bad_uh = uh == NULL || lv_b64url_decode(uh, &h) != 0 || h.n != ans->userhandle.n ||
		    memcmp(h.p, ans->userhandle.p, h.n) != 0;
	lv_bytes_free(&h);
	if (bad_uh)
		*why = "the userHandle is not this account's";
	else if ((*why = client_check(a, LV_SECKEY_GET, &ans->clientdata, lv_now())) != NULL)
		return 1;
	else if ((rc = lv_seckey_assert(c->webauthn_rp_id, uv_required(c), &k->cred, &ans->clientdata, &ans->authdata,
	    &ans->sig, why)) != 0)
		return rc;
	else if (lv_authdata_parse(ans->authdata.p, ans->authdata.n, &ad), (ad.count != 0 || k->cred.count != 0) &&
	    ad.count <= k->cred.count) {
		*cloned = 1;
		*why = "the sign count did not increase: the key may have been cloned (lv-status shows its count)";
	} else {
		k->cred.count = ad.count;
		k->cred.flags = ad.flags;
	}
	return *why == NULL ? 0 : 1;
}

/* A login answer: 0 (the challenge spent, the count kept), 1 with *why
 * (*cloned when the count went back), or an exit code. */
int
lv_seckey_login(struct lv_acct *a, const struct lv_seckey_answer *ans, char id[LV_SECKEY_ID_LEN + 1], int *cloned,
    const char **why)
{
	struct key *k, *found;
	size_t n = keys(a, &k);
	int rc;

	*cloned = 0;
	id[0] = '\0';
	if (k == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	if (n == 0)
		rc = lv_err(EX_UNAVAILABLE, "%s has no security key", a->name);
	else if ((found = (struct key *)find_cred(k, n, &ans->rawid)) == NULL) {
		*why = "this security key is not registered for this account";
		rc = 1;
	} else {
		snprintf(id, LV_SECKEY_ID_LEN + 1, "%s", found->id);
		if ((rc = login_check(a, ans, found, cloned, why)) == 0) {
			challenge_spend(a, LV_SECKEY_GET);
			rc = key_put(a, found);
		}
	}
	free(k);
	return rc;
}

int
lv_seckey_label(struct lv_acct *a, const char *id, const char *label)
{
	char rec[32];
	struct key k;

	snprintf(rec, sizeof(rec), PREFIX "%s", id);
	if (lv_rec_get(&a->rec, rec) == NULL || key_parse(rec, lv_rec_get(&a->rec, rec), &k) != 0)
		return lv_err(EX_UNAVAILABLE, "%s has no security key %s (lv-status lists them)", a->name, id);
	snprintf(k.label, sizeof(k.label), "%s", label);
	return key_put(a, &k);
}

int
lv_seckey_remove(struct lv_acct *a, const char *id)
{
	char rec[32];

	snprintf(rec, sizeof(rec), PREFIX "%s", id);
	if (lv_rec_get(&a->rec, rec) == NULL)
		return lv_err(EX_UNAVAILABLE, "%s has no security key %s (lv-status lists them)", a->name, id);
	lv_rec_del(&a->rec, rec);
	if (lv_seckey_count(a) == 0) {
		lv_rec_del(&a->rec, "seckey-challenge.get");
	}
	a->purge = 1;
	return 0;
}
