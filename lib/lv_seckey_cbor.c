/* The attestation object of a security key's registration (a CBOR map of
 * fmt, authData and attStmt), read with libcbor, and the fixed head of
 * authenticator data (rpIdHash, flags, signCount); libfido2 reads the
 * attested credential that follows (lv_seckey_fido.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "lv.h"

void
lv_attobj_free(struct lv_attobj *o)
{
	lv_bytes_free(&o->authdata);
	lv_bytes_free(&o->attstmt);
	lv_bytes_free(&o->sig);
}

static int
text_is(const cbor_item_t *k, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == n &&
	    memcmp(cbor_string_handle(k), s, n) == 0;
}

static int
copy_bytes(const cbor_item_t *v, struct lv_bytes *b)
{
	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) || b->p != NULL)
		return -1;
	b->n = cbor_bytestring_length(v);
	if ((b->p = malloc(b->n ? b->n : 1)) == NULL)
		return -1;
	memcpy(b->p, cbor_bytestring_handle(v), b->n);
	return 0;
}

/* What self-attestation needs of a packed statement: alg, sig, whether x5c. */
static int
statement(const cbor_item_t *m, struct lv_attobj *o)
{
	struct cbor_pair *p = cbor_map_handle(m);
	size_t i;

	if (strcmp(o->fmt, "none") == 0)
		return cbor_map_size(m) == 0 ? 0 : -1;
	for (i = 0; i < cbor_map_size(m); i++) {
		if (text_is(p[i].key, "alg") && cbor_isa_negint(p[i].value) &&
		    cbor_get_int(p[i].value) < 0x10000)
			o->alg = -1 - (long)cbor_get_int(p[i].value);
		else if (text_is(p[i].key, "sig") && copy_bytes(p[i].value, &o->sig) == 0)
			;
		else if (text_is(p[i].key, "x5c") && cbor_isa_array(p[i].value))
			o->x5c = 1;
		else if (!cbor_isa_string(p[i].key))
			return -1;
	}
	return 0;
}

static int
serialize(const cbor_item_t *v, struct lv_bytes *b)
{
	size_t cap = 0;

	b->n = cbor_serialize_alloc(v, &b->p, &cap);
	return b->n == 0 ? -1 : 0;
}

static const char *
member(const struct cbor_pair *p, struct lv_attobj *o, const cbor_item_t **stmt)
{
	if (text_is(p->key, "fmt")) {
		if (!cbor_isa_string(p->value) || !cbor_string_is_definite(p->value) ||
		    cbor_string_length(p->value) >= sizeof(o->fmt) || o->fmt[0] != '\0')
			return "fmt is not a short text";
		memcpy(o->fmt, cbor_string_handle(p->value), cbor_string_length(p->value));
		o->fmt[cbor_string_length(p->value)] = '\0';
		return o->fmt[0] == '\0' || memchr(o->fmt, '\0', cbor_string_length(p->value)) != NULL ?
		    "fmt is empty" : NULL;
	}
	if (text_is(p->key, "authData"))
		return copy_bytes(p->value, &o->authdata) != 0 ? "authData is not one byte string" : NULL;
	if (text_is(p->key, "attStmt")) {
		if (!cbor_isa_map(p->value) || !cbor_map_is_definite(p->value) || *stmt != NULL)
			return "attStmt is not a map";
		*stmt = p->value;
		return NULL;
	}
	return "a member other than fmt, authData and attStmt";
}

static const char *
attobj(const cbor_item_t *m, struct lv_attobj *o)
{
	const cbor_item_t *stmt = NULL;
	struct cbor_pair *p;
	const char *why;
	size_t i;

	if (!cbor_isa_map(m) || !cbor_map_is_definite(m))
		return "not a CBOR map";
	p = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++)
		if ((why = member(&p[i], o, &stmt)) != NULL)
			return why;
	if (o->fmt[0] == '\0' || o->authdata.p == NULL || stmt == NULL)
		return "fmt, authData or attStmt missing";
	if (statement(stmt, o) != 0 || serialize(stmt, &o->attstmt) != 0)
		return "attStmt is not one this format has";
	return NULL;
}

static void
array_fits(void *left, size_t count)
{
	if (count > *(size_t *)left)
		*(size_t *)left = SIZE_MAX;
}

static void
map_fits(void *left, size_t count)
{
	if (count > *(size_t *)left / 2)
		*(size_t *)left = SIZE_MAX;
}

/* Well-formed CBOR items, one after another, none declaring more elements
 * than the bytes left could hold: libcbor allocates a definite array or
 * map for its declared size before it reads a single element. */
int
lv_cbor_sane(const unsigned char *p, size_t n)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_decoder_result res;
	size_t off = 0, left;

	cb.array_start = array_fits;
	cb.map_start = map_fits;
	while (off < n) {
		left = n - off;
		res = cbor_stream_decode(p + off, n - off, &cb, &left);
		if (res.status != CBOR_DECODER_FINISHED || res.read == 0 || left == SIZE_MAX)
			return -1;
		off += res.read;
	}
	return 0;
}

/* What follows the head of authenticator data (with an attested
 * credential: its AAGUID, id length and id, then its COSE key), before
 * libfido2 gives that to libcbor. */
int
lv_authdata_sane(const unsigned char *p, size_t n, int attested)
{
	size_t off = 37;

	if (n < off)
		return -1;
	if (attested) {
		if (n < off + 18)
			return -1;
		off += 18 + ((size_t)p[off + 16] << 8 | p[off + 17]);
		if (off > n)
			return -1;
	}
	return lv_cbor_sane(p + off, n - off);
}

/* 0, or -1 with *why; the object must be exactly the bytes given. */
int
lv_attobj_parse(const unsigned char *p, size_t n, struct lv_attobj *o, const char **why)
{
	struct cbor_load_result res;
	cbor_item_t *m = NULL;

	memset(o, 0, sizeof(*o));
	if (lv_cbor_sane(p, n) != 0 || (m = cbor_load(p, n, &res)) == NULL || res.read != n) {
		*why = "attestationObject is not one CBOR item";
		if (m != NULL)
			cbor_decref(&m);
		return -1;
	}
	*why = attobj(m, o);
	cbor_decref(&m);
	if (*why == NULL)
		return 0;
	lv_attobj_free(o);
	return -1;
}

/* The 37 bytes every authenticator data starts with. */
int
lv_authdata_parse(const unsigned char *p, size_t n, struct lv_authdata *ad)
{
	if (n < 37)
		return -1;
	memcpy(ad->rpidhash, p, 32);
	ad->flags = p[32];
	ad->count = (unsigned long)p[33] << 24 | (unsigned long)p[34] << 16 | (unsigned long)p[35] << 8 | p[36];
	return 0;
}
