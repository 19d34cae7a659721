/* Facts for lv-status, kept as their raw values and printed one per line as
 * NAME<TAB>VALUE... (text escaped, absent values as a word such as
 * "never"), or as one JSON object by lv_json.c. Nothing here is a secret. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

struct lv_val
lv_text(const char *key, const char *s)
{
	return (struct lv_val){ .key = key, .kind = LV_TEXT, .text = s };
}

struct lv_val
lv_num(const char *key, long n)
{
	return (struct lv_val){ .key = key, .kind = LV_NUM, .num = n };
}

struct lv_val
lv_bool(const char *key, int b)
{
	return (struct lv_val){ .key = key, .kind = LV_BOOL, .num = b != 0 };
}

struct lv_val
lv_time(const char *key, long t, const char *none)
{
	return (struct lv_val){ .key = key, .kind = LV_TIME, .num = t > 0 ? t : 0, .none = none };
}

struct lv_val
lv_flag(const char *key, int b)
{
	return (struct lv_val){ .key = key, .kind = LV_FLAG, .num = b != 0 };
}

static struct lv_fact *
grow(struct lv_facts *f)
{
	struct lv_fact *p;
	size_t cap;

	if (f->n == f->cap) {
		cap = f->cap ? 2 * f->cap : 16;
		if ((p = realloc(f->f, cap * sizeof(*p))) == NULL)
			return NULL;
		f->f = p;
		f->cap = cap;
	}
	return &f->f[f->n];
}

/* n values (struct lv_val) follow; their text is copied, key and none are
 * string literals. Out of memory, a fact is lost and f->failed set. */
void
lv_fact(struct lv_facts *f, int how, const char *name, int n, ...)
{
	struct lv_fact *x = grow(f);
	va_list ap;
	int i;

	if (x == NULL || n > LV_FACT_VALUES) {
		f->failed = 1;
		return;
	}
	memset(x, 0, sizeof(*x));
	x->name = name;
	x->how = how;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		x->v[i] = va_arg(ap, struct lv_val);
		if (x->v[i].text != NULL && (x->v[i].text = strdup(x->v[i].text)) == NULL)
			f->failed = 1;
		x->n = i + 1;
	}
	va_end(ap);
	f->n++;
}

/* One value as the line shows it; nothing for a flag that is not set. */
static void
print_value(const struct lv_val *v)
{
	char when[32], esc[LV_TEXT_SHOWN];

	switch (v->kind) {
	case LV_TEXT:
		lv_escape(v->text ? v->text : "", esc, sizeof(esc));
		printf("\t%s", v->text ? esc : v->none ? v->none : "-");
		break;
	case LV_NUM:
		printf("\t%ld", v->num);
		break;
	case LV_BOOL:
		printf("\t%s", v->num ? "yes" : "no");
		break;
	case LV_TIME:
		lv_isotime((time_t)v->num, when);
		printf("\t%s", v->num > 0 ? when : v->none ? v->none : "-");
		break;
	case LV_FLAG:
		if (v->num)
			printf("\t%s", v->key);
		break;
	}
}

int
lv_facts_print(const struct lv_facts *f, int json)
{
	size_t i;
	int j;

	if (f->failed)
		return lv_err(EX_SOFTWARE, "out of memory");
	if (json)
		return lv_json_facts(f);
	for (i = 0; i < f->n; i++) {
		if ((f->f[i].how & LV_FACT_JSON) || f->f[i].n == 0)
			continue;
		fputs(f->f[i].name, stdout);
		for (j = 0; j < f->f[i].n; j++)
			print_value(&f->f[i].v[j]);
		putchar('\n');
	}
	return 0;
}

void
lv_facts_free(struct lv_facts *f)
{
	size_t i;
	int j;

	for (i = 0; i < f->n; i++)
		for (j = 0; j < f->f[i].n; j++)
			free((char *)f->f[i].v[j].text);
	free(f->f);
	memset(f, 0, sizeof(*f));
}
