/* Messages from templates with named fields ("{code}", "{minutes}"), never
 * printf: an operator's template cannot read memory or crash a program.
 * "{{" is a literal brace; any other "{" must open a known field. */
#include <string.h>

#include "lv.h"

static const struct lv_field *
field(const char *name, size_t len, const struct lv_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(f[i].name) == len && memcmp(f[i].name, name, len) == 0)
			return &f[i];
	return NULL;
}

static int
put(char *out, size_t outsz, size_t *o, const char *s, size_t len)
{
	if (*o + len >= outsz)
		return -1;
	memcpy(out + *o, s, len);
	*o += len;
	return 0;
}

int
lv_template(const char *what, const char *tmpl, const struct lv_field *f, size_t n,
    char *out, size_t outsz)
{
	const struct lv_field *fld;
	const char *p = tmpl, *end;
	size_t o = 0;
	int rc = 0;

	while (rc == 0 && *p != '\0') {
		if (*p != '{') {
			end = p + strcspn(p, "{");
			rc = put(out, outsz, &o, p, (size_t)(end - p));
			p = end;
		} else if (p[1] == '{') {
			rc = put(out, outsz, &o, "{", 1);
			p += 2;
		} else if ((end = strchr(p, '}')) == NULL ||
		    (fld = field(p + 1, (size_t)(end - p - 1), f, n)) == NULL) {
			return lv_err(EX_CONFIG, "%s: unknown field at \"%.20s\"", what, p);
		} else {
			rc = put(out, outsz, &o, fld->value, strlen(fld->value));
			p = end + 1;
		}
	}
	out[o] = '\0';
	if (rc != 0)
		return lv_err(EX_CONFIG, "%s: the message is longer than %zu bytes", what, outsz - 1);
	return 0;
}
