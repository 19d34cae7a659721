/* The configuration: every policy value of lv.conf(5) with its default.
 * "key = value" lines, '#' comments; a missing file means defaults. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lv.h"

enum { NUM, STR };

struct key {
	const char *name;
	int type;
	size_t off, size;
	long max;
};

#define N(f, max) { #f, NUM, offsetof(struct lv_conf, f), sizeof(long), max }
#define S(f) { #f, STR, offsetof(struct lv_conf, f), sizeof(((struct lv_conf *)0)->f), 0 }

static const struct key keys[] = {
	S(site_key), S(notify), S(site_name), S(totp_issuer), S(sms_template),
	S(sms_countries), S(sms_gateway), S(admin_group), S(syslog_socket),
	N(sms_ttl, 86400), N(sms_resend, 86400), N(sms_daily, 100000),
	N(sms_hourly_site, 100000000), N(sms_max_tries, 1000),
	N(lock_after, 1000), N(lock_min, 86400), N(lock_max, 31536000), N(lock_wait_ms, 600000),
	N(backup_max, 100),
	N(request_ttl, 86400), N(request_pending_max, 100), N(request_hourly, 10000),
	N(request_retention, 31536000), N(device_max, 100), N(signout_max_age, 86400),
	N(audit_retention, 36500),
	N(temppass_ttl, 31536000), N(remember_days, 365), N(hook_timeout, 3600), N(syslog, 1),
	S(webauthn_rp_id), S(webauthn_rp_name), S(webauthn_origins), S(webauthn_user_verification),
	N(webauthn_ttl, 86400), N(webauthn_keys_max, 100),
};

void
lv_conf_defaults(struct lv_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->site_name, sizeof(c->site_name), "lv");
	snprintf(c->totp_issuer, sizeof(c->totp_issuer), "lv");
	snprintf(c->sms_template, sizeof(c->sms_template),
	    "{site} login code: {code}. It expires in {minutes} minutes.");
	c->sms_ttl = 600;
	c->sms_resend = 120;
	c->sms_daily = 10;
	c->sms_hourly_site = 1000;
	c->sms_max_tries = 5;
	c->lock_after = 5;
	c->lock_min = 60;
	c->lock_max = 3600;
	c->lock_wait_ms = 5000;
	c->backup_max = 5;
	c->request_ttl = 600;
	c->request_pending_max = 3;
	c->request_hourly = 10;
	c->request_retention = 30 * 86400;
	c->device_max = 5;
	c->signout_max_age = 600;
	c->temppass_ttl = 3600;
	c->remember_days = 30;
	c->audit_retention = 400;
	c->hook_timeout = 10;
	c->syslog = 0;
	snprintf(c->syslog_socket, sizeof(c->syslog_socket), "/dev/log");
	snprintf(c->webauthn_user_verification, sizeof(c->webauthn_user_verification), "preferred");
	c->webauthn_ttl = 300;
	c->webauthn_keys_max = 10;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
set_key(struct lv_conf *c, const struct key *k, const char *val)
{
	long v;

	if (k->type == NUM) {
		if (lv_parse_uint(val, k->max, &v) != 0)
			return -1;
		*(long *)((char *)c + k->off) = v;
		return 0;
	}
	if (strlen(val) >= k->size)
		return -1;
	memcpy((char *)c + k->off, val, strlen(val) + 1);
	return 0;
}

/* 0, or the exit code after saying what is wrong with the line. */
static int
parse_line(struct lv_conf *c, char *line, const char *path, int lineno)
{
	const struct key *k;
	char *eq, *name, *val;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL)
		return lv_err(EX_CONFIG, "%s:%d: not a \"key = value\" line", path, lineno);
	*eq = '\0';
	name = trim(line);
	val = trim(eq + 1);
	if ((k = find_key(name)) == NULL)
		return lv_err(EX_CONFIG, "%s:%d: unknown key %.64s", path, lineno, name);
	if (set_key(c, k, val) == 0)
		return 0;
	if (k->type == NUM)
		return lv_err(EX_CONFIG, "%s:%d: %s takes a number from 0 to %ld", path, lineno, name, k->max);
	return lv_err(EX_CONFIG, "%s:%d: %s is too long (at most %zu bytes)", path, lineno, name, k->size - 1);
}

static int
conf_parse(struct lv_conf *c, const char *path, FILE *f)
{
	char line[4200];
	int lineno = 0, rc;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
			return lv_err(EX_CONFIG, "%s:%d: line too long", path, lineno);
		line[strcspn(line, "\n")] = '\0';
		if ((rc = parse_line(c, line, path, lineno)) != 0)
			return rc;
	}
	if (ferror(f))
		return lv_err(EX_CONFIG, "cannot read %s:", path);
	return 0;
}

/* The configuration must be owned by the state directory's owner or root
 * and writable by no one else. */
int
lv_conf_load(struct lv_conf *c, const char *path, uid_t owner)
{
	struct stat st;
	FILE *f;
	int fd, rc;

	lv_conf_defaults(c);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && errno == ELOOP)
		return lv_err(EX_NOPERM, "unsafe configuration %s: a symbolic link", path);
	if (fd < 0)
		return lv_err(EX_CONFIG, "cannot open configuration %s:", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lv_err(EX_CONFIG, "configuration %s is not a regular file", path);
	}
	if ((st.st_uid != owner && st.st_uid != 0) || (st.st_mode & 022) != 0) {
		close(fd);
		return lv_err(EX_NOPERM, "unsafe configuration %s: writable by others or wrong owner", path);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return lv_err(EX_SOFTWARE, "cannot read %s:", path);
	}
	rc = conf_parse(c, path, f);
	fclose(f);
	return rc;
}
