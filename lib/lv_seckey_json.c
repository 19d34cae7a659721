/* The JSON of security keys (WebAuthn Level 2, and Level 3's JSON forms of
 * PublicKeyCredential): the answers a browser sends back and the
 * clientDataJSON inside them, read with json-c; binary members are
 * base64url without padding, decoded strictly (one spelling per value). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <sodium.h>

#include "lv.h"

void
lv_bytes_free(struct lv_bytes *b)
{
	if (b->p != NULL)
		sodium_memzero(b->p, b->n);
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

/* 0 when in is the canonical base64url (no padding) of some bytes. */
int
lv_b64url_decode(const char *in, struct lv_bytes *out)
{
	size_t len = strlen(in), got = 0;
	const char *end = NULL;

	out->p = NULL;
	out->n = 0;
	if (len % 4 == 1 || (out->p = malloc(len * 3 / 4 + 1)) == NULL)
		return -1;
	/* libsodium refuses non-zero trailing bits: one spelling only. */
	if (sodium_base642bin(out->p, len * 3 / 4 + 1, in, len, NULL, &got, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != in + len) {
		lv_bytes_free(out);
		return -1;
	}
	out->n = got;
	return 0;
}

/* A new string, or NULL (out of memory). */
char *
lv_b64url_encode(const unsigned char *in, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *s = malloc(n);

	if (s != NULL)
		sodium_bin2base64(s, n, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

static const char *
member_string(json_object *o, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A binary member: present, a string, base64url, not empty. */
static int
member_bytes(json_object *o, const char *name, struct lv_bytes *b)
{
	const char *s = member_string(o, name);

	if (s == NULL || lv_b64url_decode(s, b) != 0)
		return -1;
	if (b->n == 0) {
		lv_bytes_free(b);
		return -1;
	}
	return 0;
}

/* One JSON object, nothing after it but white space. */
static json_object *
parse_object(const char *s, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(16);
	json_object *o = NULL;
	size_t end, i;

	if (tok == NULL || len > LV_SECKEY_ANSWER_MAX || memchr(s, '\0', len) != NULL)
		goto out;
	o = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		for (i = end; i < len && strchr(" \t\r\n", s[i]) != NULL; i++)
			;
		if (i == len && json_object_is_type(o, json_type_object))
			goto out;
	}
	json_object_put(o);
	o = NULL;
out:
	if (tok != NULL)
		json_tokener_free(tok);
	return o;
}

void
lv_seckey_answer_free(struct lv_seckey_answer *a)
{
	lv_bytes_free(&a->rawid);
	lv_bytes_free(&a->clientdata);
	lv_bytes_free(&a->attobj);
	lv_bytes_free(&a->authdata);
	lv_bytes_free(&a->sig);
	lv_bytes_free(&a->userhandle);
}

/* The response's members: attestationObject for create; authenticatorData,
 * signature and an optional (non-null) userHandle for get. */
static const char *
response(json_object *r, int create, struct lv_seckey_answer *a)
{
	json_object *uh;

	if (member_bytes(r, "clientDataJSON", &a->clientdata) != 0)
		return "response.clientDataJSON missing or not base64url";
	if (create)
		return member_bytes(r, "attestationObject", &a->attobj) != 0 ?
		    "response.attestationObject missing or not base64url" : NULL;
	if (member_bytes(r, "authenticatorData", &a->authdata) != 0)
		return "response.authenticatorData missing or not base64url";
	if (member_bytes(r, "signature", &a->sig) != 0)
		return "response.signature missing or not base64url";
	if (json_object_object_get_ex(r, "userHandle", &uh) && uh != NULL &&
	    member_bytes(r, "userHandle", &a->userhandle) != 0)
		return "response.userHandle not base64url";
	return NULL;
}

/* 0, or -1 with *why; what was decoded is freed on failure. */
int
lv_seckey_answer_parse(const char *json, size_t len, int create, struct lv_seckey_answer *a,
    const char **why)
{
	json_object *o = parse_object(json, len), *r;
	const char *type, *id;

	memset(a, 0, sizeof(*a));
	*why = NULL;
	if (o == NULL)
		*why = "not one JSON object";
	else if ((type = member_string(o, "type")) == NULL || strcmp(type, "public-key") != 0)
		*why = "type is not \"public-key\"";
	else if (member_bytes(o, "rawId", &a->rawid) != 0 || a->rawid.n > LV_SECKEY_CREDID_MAX)
		*why = "rawId missing, not base64url or too long";
	else if ((id = member_string(o, "id")) == NULL || strcmp(id, member_string(o, "rawId")) != 0)
		*why = "id is not rawId";
	else if (!json_object_object_get_ex(o, "response", &r) || !json_object_is_type(r, json_type_object))
		*why = "response missing";
	else
		*why = response(r, create, a);
	json_object_put(o);
	if (*why == NULL)
		return 0;
	lv_seckey_answer_free(a);
	return -1;
}

/* CollectedClientData: type, challenge and origin strings, crossOrigin an
 * optional boolean. */
int
lv_clientdata_parse(const struct lv_bytes *raw, struct lv_clientdata *cd, const char **why)
{
	json_object *o = parse_object((const char *)raw->p, raw->n), *x;
	const char *type, *origin;
	int rc = -1;

	memset(cd, 0, sizeof(*cd));
	if (o == NULL)
		*why = "clientDataJSON is not one JSON object";
	else if ((type = member_string(o, "type")) == NULL || strlen(type) >= sizeof(cd->type))
		*why = "clientDataJSON.type missing";
	else if ((origin = member_string(o, "origin")) == NULL || strlen(origin) >= sizeof(cd->origin))
		*why = "clientDataJSON.origin missing or too long";
	else if (member_bytes(o, "challenge", &cd->challenge) != 0)
		*why = "clientDataJSON.challenge missing or not base64url";
	else if (json_object_object_get_ex(o, "crossOrigin", &x) && !json_object_is_type(x, json_type_boolean)) {
		*why = "clientDataJSON.crossOrigin is not a boolean";
		lv_bytes_free(&cd->challenge);
	} else {
		snprintf(cd->type, sizeof(cd->type), "%s", type);
		snprintf(cd->origin, sizeof(cd->origin), "%s", origin);
		cd->cross_origin = json_object_object_get_ex(o, "crossOrigin", &x) && json_object_get_boolean(x);
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

/* Prints o on one line and releases it. */
int
lv_seckey_print_options(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s != NULL)
		printf("%s\n", s);
	json_object_put(o);
	return s != NULL ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

/* The answer's JSON on standard input (at most LV_SECKEY_ANSWER_MAX bytes),
 * parsed as registration (create) or login: 0, or 65 said. */
int
lv_seckey_answer_read(int create, struct lv_seckey_answer *a)
{
	const char *why;
	char *buf = malloc(LV_SECKEY_ANSWER_MAX);
	size_t n;
	int rc = 0;

	if (buf == NULL)
		return lv_err(EX_SOFTWARE, "out of memory");
	if (lv_input_read(0, buf, LV_SECKEY_ANSWER_MAX, &n) != 0)
		rc = lv_err(EX_DATAERR, "malformed security key answer: at most %d bytes of JSON expected",
		    LV_SECKEY_ANSWER_MAX);
	else if (lv_seckey_answer_parse(buf, n, create, a, &why) != 0)
		rc = lv_err(EX_DATAERR, "malformed security key answer: %s", why);
	free(buf);
	return rc;
}
