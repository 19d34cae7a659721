/* The lv1 lines a device reads and signs. The signed bytes are the domain
 * tag and then each field, every one preceded by its length as 4 bytes
 * big-endian, so no two lists of fields ever sign alike and a signature
 * made for one kind of line is worthless for another. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lv.h"

/* Splits on tabs in place; returns the number of fields, or max + 1 when
 * there are more than max. */
size_t
lv_fields_split(char *line, char *f[], size_t max)
{
	size_t n = 0;
	char *p = line, *tab;

	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = p;
		if ((tab = strchr(p, '\t')) == NULL)
			return n;
		*tab = '\0';
		p = tab + 1;
	}
}

/* lv1-request<TAB>ACCOUNT<TAB>ID<TAB>CHALLENGE<TAB>TIME<TAB>IP<TAB>CLIENT<TAB>LOCATION,
 * as lv-requests show prints it, split in place into f; 0, or -1 when
 * malformed. The device signs fields 1 to 3, so those are checked strictly. */
int
lv_sign_request_parse(char *line, char *f[8])
{
	unsigned char chal[32];
	time_t t;

	if (lv_fields_split(line, f, 8) != 8 || strcmp(f[0], "lv1-request") != 0 ||
	    lv_valid_account(f[1]) != 0 || lv_request_valid_id(f[2]) != 0 ||
	    lv_b64_decode(f[3], chal, sizeof(chal)) != 0 || lv_isotime_parse(f[4], &t) != 0)
		return -1;
	return 0;
}

static void
put_len(unsigned char *p, size_t len)
{
	p[0] = (unsigned char)(len >> 24);
	p[1] = (unsigned char)(len >> 16);
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
}

static unsigned char *
message(const char *tag, const char *const f[], size_t n, size_t *len)
{
	size_t i, total = 4 + strlen(tag), off = 0, l;
	unsigned char *m;

	for (i = 0; i < n; i++)
		total += 4 + strlen(f[i]);
	if ((m = malloc(total)) == NULL)
		return NULL;
	for (i = 0; i <= n; i++) {
		const char *s = i == 0 ? tag : f[i - 1];

		l = strlen(s);
		put_len(m + off, l);
		memcpy(m + off + 4, s, l);
		off += 4 + l;
	}
	*len = total;
	return m;
}

int
lv_sign(const unsigned char sk[64], const char *tag, const char *const f[], size_t n,
    unsigned char sig[LV_SIGBYTES])
{
	size_t len;
	unsigned char *m = message(tag, f, n, &len);

	if (m == NULL)
		return -1;
	crypto_sign_detached(sig, NULL, m, len, sk);
	free(m);
	return 0;
}

/* 0 only for a valid signature by pk over exactly these fields. */
int
lv_sign_verify(const unsigned char pk[32], const unsigned char sig[LV_SIGBYTES],
    const char *tag, const char *const f[], size_t n)
{
	size_t len;
	unsigned char *m = message(tag, f, n, &len);
	int rc;

	if (m == NULL)
		return -1;
	rc = crypto_sign_verify_detached(sig, m, len, pk) == 0 ? 0 : -1;
	free(m);
	return rc;
}
