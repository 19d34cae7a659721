/* The one JSON emitter, for every --json: json-c builds and serialises it
 * (RFC 8259 escaping, numbers, booleans, null), fed the raw values of
 * lv_facts.c: text as it is, numbers as numbers, yes/no as booleans, times
 * as ISO 8601 strings, absent values as null. Output is one line. */
#include <stdio.h>
#include <string.h>

#include <json.h>

#include "lv.h"

/* Text as it is when it is UTF-8 (json-c escapes quotes, backslashes and
 * controls); bytes that are not, only from damaged records, as \xNN. */
static json_object *
text(const char *s)
{
	char esc[4 * LV_AUDIT_LINE];
	size_t i = 0, n = strlen(s), len;
	uint32_t c;

	for (; i < n && (len = lv_utf8_char(s + i, n - i, &c)) > 0; i += len)
		;
	if (i == n)
		return json_object_new_string(s);
	lv_escape(s, esc, sizeof(esc));
	return json_object_new_string(esc);
}

/* Sets *failed when json-c runs out of memory; null is no failure. */
static json_object *
value(const struct lv_val *v, int *failed)
{
	char when[32];
	json_object *j = NULL;

	switch (v->kind) {
	case LV_TEXT:
		if (v->text == NULL)
			return NULL;
		j = text(v->text);
		break;
	case LV_NUM:
		j = json_object_new_int64(v->num);
		break;
	case LV_BOOL:
	case LV_FLAG:
		j = json_object_new_boolean(v->num != 0);
		break;
	case LV_TIME:
		if (v->num <= 0)
			return NULL;
		lv_isotime((time_t)v->num, when);
		j = json_object_new_string(when);
		break;
	}
	*failed |= j == NULL;
	return j;
}

/* One value alone is itself; more are an object keyed by their keys. */
static json_object *
record(const struct lv_val *v, int n, int *failed)
{
	json_object *o;
	int i;

	if (n == 1 && v[0].key == NULL)
		return value(v, failed);
	if ((o = json_object_new_object()) == NULL) {
		*failed = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (json_object_object_add(o, v[i].key, value(&v[i], failed)) != 0)
			*failed = 1;
	return o;
}

static int
add(json_object *list, json_object *item, int *failed)
{
	if (json_object_array_add(list, item) != 0) {
		json_object_put(item);
		*failed = 1;
	}
	return *failed;
}

/* Prints j on one line and releases it. */
static int
print(json_object *j, int failed)
{
	const char *s = failed ? NULL : json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s != NULL)
		printf("%s\n", s);
	json_object_put(j);
	return s != NULL ? 0 : lv_err(EX_SOFTWARE, "out of memory");
}

/* A listed fact: an array of every fact of its name, in order (a fact of
 * no values only makes the array, so an empty list is []). */
static json_object *
list_of(const struct lv_facts *f, size_t first, int *failed)
{
	json_object *a = json_object_new_array();
	size_t i;

	*failed |= a == NULL;
	for (i = first; a != NULL && i < f->n; i++)
		if (strcmp(f->f[i].name, f->f[first].name) == 0 && f->f[i].n > 0 &&
		    add(a, record(f->f[i].v, f->f[i].n, failed), failed) != 0)
			break;
	return a;
}

int
lv_json_facts(const struct lv_facts *f)
{
	json_object *o = json_object_new_object(), *v;
	int failed = o == NULL;
	size_t i;

	for (i = 0; !failed && i < f->n; i++) {
		if (json_object_object_get_ex(o, f->f[i].name, NULL))
			continue; /* a list, made with the first of its name */
		v = (f->f[i].how & LV_FACT_LIST) ? list_of(f, i, &failed) : record(f->f[i].v, f->f[i].n, &failed);
		if (json_object_object_add(o, f->f[i].name, v) != 0)
			failed = 1;
	}
	return print(o, failed);
}

/* rows records of cols values each, as one JSON array. */
int
lv_json_rows(const struct lv_val *v, size_t rows, int cols)
{
	json_object *a = json_object_new_array();
	int failed = a == NULL;
	size_t i;

	for (i = 0; !failed && i < rows; i++)
		add(a, record(v + i * (size_t)cols, cols, &failed), &failed);
	return print(a, failed);
}
