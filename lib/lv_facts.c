/* Facts for lv-status: one per line as NAME<TAB>VALUE..., or one JSON
 * object where a listed fact becomes an array of arrays. Values are escaped
 * text already; nothing here is a secret. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv.h"

void
lv_fact(struct lv_facts *f, int list, const char *name, int n, ...)
{
	struct lv_fact *x;
	va_list ap;
	int i;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct lv_fact *p = realloc(f->f, cap * sizeof(*p));

		if (p == NULL)
			return;
		f->f = p;
		f->cap = cap;
	}
	x = &f->f[f->n++];
	x->name = strdup(name);
	x->list = list;
	x->n = n > 6 ? 6 : n;
	va_start(ap, n);
	for (i = 0; i < x->n; i++)
		x->v[i] = strdup(va_arg(ap, const char *));
	va_end(ap);
}

/* RFC 8259: quote, backslash and control characters escaped; anything
 * outside printable ASCII as \u00XX so the output is valid whatever the
 * bytes. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch > 0x7e)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* One value is a string, more are an array. */
static void
json_values(const struct lv_fact *x)
{
	int i;

	if (x->n == 1) {
		json_str(x->v[0]);
		return;
	}
	putchar('[');
	for (i = 0; i < x->n; i++) {
		if (i)
			putchar(',');
		json_str(x->v[i]);
	}
	putchar(']');
}

static void
print_json(const struct lv_facts *f)
{
	size_t i, j;
	int first = 1;

	putchar('{');
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < i && strcmp(f->f[j].name, f->f[i].name) != 0; j++)
			;
		if (j < i)
			continue; /* printed with the first of its name */
		printf("%s\"%s\":", first ? "" : ",", f->f[i].name);
		first = 0;
		if (!f->f[i].list) {
			json_values(&f->f[i]);
			continue;
		}
		putchar('[');
		for (j = i; j < f->n; j++)
			if (strcmp(f->f[j].name, f->f[i].name) == 0) {
				if (j != i)
					putchar(',');
				json_values(&f->f[j]);
			}
		putchar(']');
	}
	printf("}\n");
}

void
lv_facts_print(const struct lv_facts *f, int json)
{
	size_t i;
	int j;

	if (json) {
		print_json(f);
		return;
	}
	for (i = 0; i < f->n; i++) {
		fputs(f->f[i].name, stdout);
		for (j = 0; j < f->f[i].n; j++)
			printf("\t%s", f->f[i].v[j]);
		putchar('\n');
	}
}

void
lv_facts_free(struct lv_facts *f)
{
	size_t i;
	int j;

	for (i = 0; i < f->n; i++) {
		free(f->f[i].name);
		for (j = 0; j < f->f[i].n; j++)
			free(f->f[i].v[j]);
	}
	free(f->f);
	memset(f, 0, sizeof(*f));
}
