/* lv: the shared library of the login verification toolkit. */
#ifndef LV_H
#define LV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sysexits.h>
#include <time.h>

#define LV_VERSION "0.1.0"
#define LV_NAME_MAX 64
#define LV_TEXT_CHARS 128 /* free text: characters, */
#define LV_TEXT_MAX 512   /* and bytes */
#define LV_TEXT_SHOWN (2 * LV_TEXT_MAX + 1) /* free text through lv_escape: \\ and \" doubled */
#define LV_CONF_TEXT 128  /* site_name, totp_issuer: bytes */
#define LV_ANSWER_MAX 256
#define LV_KEYBYTES 32
#define LV_HASHBYTES 32
#define LV_KEYID_LEN 16
#define LV_KEYPATH_MAX 4200 /* a state directory's path (4096) and the key's name beside it */

/* lv_err.c: diagnostics of one shape, "prog: message[: strerror]" */
extern const char *lv_prog;
void lv_setprog(const char *argv0);
int lv_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lv_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int lv_fshut(void);
void lv_diag_hold(void);    /* while a lock is held: messages queued */
void lv_diag_release(void); /* the last lock released: written */

/* lv_proc.c: the process every program runs in; set-user-ID, made lv's own */
void lv_proc_init(void);
void lv_proc_default_signals(void);

/* lv_time.c */
time_t lv_now(void);
void lv_isotime(time_t t, char out[32]);

/* lv_valid.c: every input is checked here before any file is touched */
int lv_valid_account(const char *name);
int lv_valid_phone(const char *phone);
int lv_valid_text(const char *text);
int lv_valid_ip(const char *ip);
int lv_parse_uint(const char *s, long max, long *out);
void lv_mask_phone(const char *phone, char out[24]);
void lv_escape(const char *in, char *out, size_t outsz);
/* lv_utf8.c: what free text may hold */
size_t lv_utf8_char(const char *s, size_t n, uint32_t *cp);
int lv_utf8_shown(uint32_t cp);
const char *lv_text_problem(const char *t, char *why, size_t whysz);
int lv_text_check(const char *what, const char *t);
int lv_text_check_said(const char *what, const char *t);

/* lv_answer.c: one answer read from stdin, normalised and classified */
enum lv_shape { LV_SHAPE_NONE, LV_SHAPE_DIGITS6, LV_SHAPE_BACKUP, LV_SHAPE_TEMP };
struct lv_answer {
	char text[LV_ANSWER_MAX + 1]; /* normalised: no spaces or dashes */
	size_t len;
	enum lv_shape shape;
};
int lv_answer_read(int fd, struct lv_answer *a);
int lv_input_read(int fd, char *buf, size_t max, size_t *len);
char *lv_input_line(char *buf, size_t len, size_t *pos);
int lv_line_read(int fd, char *buf, size_t bufsz, size_t *len);
int lv_line_read_utf8(int fd, char *buf, size_t bufsz, size_t *len);
enum lv_shape lv_answer_shape(const char *s, size_t len);
void lv_answer_wipe(struct lv_answer *a);

/* lv_conf.c: policy values, one place */
struct lv_conf {
	char site_key[4096];
	char notify[4096];
	char site_name[LV_CONF_TEXT + 1];
	char totp_issuer[LV_CONF_TEXT + 1];
	char sms_template[512];
	char sms_countries[512];
	char sms_gateway[4096];
	char admin_group[64];
	char syslog_socket[108];
	long sms_ttl, sms_resend, sms_daily, sms_hourly_site, sms_max_tries;
	long lock_after, lock_min, lock_max, lock_wait_ms;
	long backup_max;
	long request_ttl, request_pending_max, request_hourly, request_retention;
	long device_max, signout_max_age;
	long temppass_ttl;
	long remember_days; /* remembered devices; 0: off */
	long audit_retention; /* days; 0 keeps every line */
	long hook_timeout;
	long syslog;
	char webauthn_rp_id[256];      /* "": security keys are off */
	char webauthn_rp_name[LV_CONF_TEXT + 1];
	char webauthn_origins[1024];   /* space-separated; "": https://RP_ID */
	char webauthn_user_verification[16]; /* required, preferred, discouraged */
	long webauthn_ttl, webauthn_keys_max;
};
int lv_conf_load(struct lv_conf *c, const char *path, uid_t owner);
void lv_conf_defaults(struct lv_conf *c);

struct lv_acct;
/* lv_ctx.c: the state directory, its owner, the configuration and the site key */
struct lv_ctx {
	char dir[4096];
	char confpath[4096];
	int dirfd;
	uid_t owner;
	struct lv_conf conf;
	unsigned char key[LV_KEYBYTES];
	char keyid[LV_KEYID_LEN + 1];
	char keypath[LV_KEYPATH_MAX]; /* the key in use, for messages */
	time_t (*due)(const struct lv_acct *a); /* lv_due, where a program sets it: the store knows no method */
	int show_older; /* lv-status: a damaged newest generation is skipped to show the one before */
	int self_service; /* set by the programs an ordinary caller may run */
	int self_only;    /* set-user-ID run by an ordinary caller: own account only */
	char caller[LV_NAME_MAX + 1];
};
#define LV_CTX_CREATE 1 /* lv-enroll only: create the state directory and key */
void lv_ctx_args(struct lv_ctx *c, const char *dir, const char *conf);
int lv_ctx_open(struct lv_ctx *c, int flags);
void lv_ctx_close(struct lv_ctx *c);
int lv_safe_stat(const struct lv_ctx *c, int fd, const char *what, int secret);
int lv_ctx_fresh(const struct lv_ctx *c); /* no account yet */

/* lv_key.c: keyed hashes and sealing with the site key */
int lv_key_load(struct lv_ctx *c, int create);
int lv_key_default_dir(const struct lv_ctx *c, char *buf, size_t sz);
int lv_key_inside(const struct lv_ctx *c);
void lv_key_hash(const struct lv_ctx *c, const char *domain, const char *account,
		 const void *msg, size_t len, unsigned char out[LV_HASHBYTES]);
void lv_key_hash_hex(const struct lv_ctx *c, const char *domain, const char *account,
		     const void *msg, size_t len, char out[2 * LV_HASHBYTES + 1]);
int lv_hash_hex_eq(const char *a, const char *b);
char *lv_key_seal(const struct lv_ctx *c, const char *account, const void *msg, size_t len);
int lv_key_open(const struct lv_ctx *c, const char *account, const char *sealed,
		unsigned char *out, size_t outsz, size_t *outlen);

/* lv_rec.c: an account's records in memory, and their cdb form */
struct lv_kv { char *k; char *v; };
struct lv_rec { struct lv_kv *kv; size_t n, cap; };
const char *lv_rec_get(const struct lv_rec *r, const char *k);
long lv_rec_getnum(const struct lv_rec *r, const char *k, long dflt);
int lv_rec_set(struct lv_rec *r, const char *k, const char *v);
int lv_rec_setf(struct lv_rec *r, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int lv_rec_setnum(struct lv_rec *r, const char *k, long v);
void lv_rec_del(struct lv_rec *r, const char *k);
void lv_rec_delprefix(struct lv_rec *r, const char *prefix);
size_t lv_rec_countprefix(const struct lv_rec *r, const char *prefix);
void lv_rec_free(struct lv_rec *r);
int lv_rec_load(struct lv_rec *r, int fd);
int lv_rec_save(const struct lv_rec *r, int fd);

/* lv_store.c: the one path every change goes through */
struct lv_acct {
	struct lv_ctx *ctx;
	char name[LV_NAME_MAX + 1];
	int dirfd, lockfd, auditfd; /* auditfd: open while locked */
	int exists; /* a records file was read */
	long next;  /* the generation a commit links: one above the newest seen */
	int purge;  /* the change removes a number or a secret: no older generation may keep it */
	struct lv_rec rec;
	time_t due; /* lv_due of the records read under the lock; -1: not tracked */
};
#define LV_OPEN_LOCK 1
#define LV_OPEN_CREATE 2
#define LV_OPEN_SITE 4 /* the site-wide records; name ignored */
#define LV_SITE "site" /* site-wide records (rate caps): STATE/site/ */
int lv_store_bucket(const char *name, char out[8]);
int lv_store_open(struct lv_ctx *c, const char *name, int flags, struct lv_acct *a);
int lv_store_commit(struct lv_acct *a); /* 0, an exit code, or: */
#define LV_STORE_LOST 1000 /* another writer committed first: decide again */
#define LV_STORE_TRIES 64
int lv_store_lost(int *rc, int *tries);
void lv_store_close(struct lv_acct *a);
int lv_store_sync(int fd); /* fsync, except in bench/populate */
int lv_store_enrolled(const struct lv_acct *a);
int lv_store_methods(const struct lv_acct *a);

/* lv_gen.c: the generations of an account's records, "records.N" */
#define LV_GEN_LIST 8
#define LV_GEN_TMP ".records.tmp."
struct lv_gens { long n[LV_GEN_LIST]; size_t count; long max; }; /* newest first */
void lv_gen_name(long gen, char out[32]);
int lv_gen_list(int dirfd, struct lv_gens *g);
int lv_gen_link(int dirfd, const char *tmp, long gen);
void lv_gen_unlink(int dirfd, long gen);
#define LV_GEN_KEEP 4 /* generations kept after a commit, the newest among them */
void lv_gen_clean(int dirfd, long current, long keep);
/* lv_lineage.c: which commit made a generation, and its ancestors */
#define LV_COMMIT_LEN 40
int lv_lineage_stamp(struct lv_rec *r, long gen, char self[LV_COMMIT_LEN]);
int lv_lineage_descends(int dirfd, long gen, const char *self);

/* lv_lock.c: while any lock is held, signals are held off and messages
 * queued, so that no caller (its terminal, its stderr) can keep one held */
int lv_lock_take(int dirfd, long wait_ms, const char *what, int *lockfd);
int lv_lock_range(int fd, off_t start, off_t len, long wait_ms, const char *what);
void lv_lock_release(int *lockfd);

/* lv_audit.c: one line per change, never a secret; the log is opened with
 * the lock, so an unsafe log refuses the change before it is made */
int lv_audit_open(struct lv_acct *a);
/* lv_syslog.c: one line to the local syslog socket, facility authpriv;
 * lv_syslog says on stderr when it cannot, lv_syslog_quiet never does */
void lv_syslog(const struct lv_conf *c, const char *line);
void lv_syslog_quiet(const struct lv_conf *c, const char *line);

#define LV_AUDIT_LINE (5 * LV_TEXT_MAX + 256) /* two fields of free text, escaped, and the rest */
int lv_audit(struct lv_acct *a, const char *event, const char *method,
	     const char *result, const char *detail);
int lv_audit_print(struct lv_acct *a, int fd);
/* lv_audit_trim.c: lines older than audit_retention days go (lv-expire) */
time_t lv_audit_due(struct lv_acct *a);
time_t lv_audit_due_at(const struct lv_conf *c, time_t first);
int lv_audit_trim(struct lv_acct *a, time_t now, int apply, long *removed);
struct lv_facts;
int lv_audit_facts(struct lv_acct *a, struct lv_facts *f);

/* lv_hook.c: commands run without a shell, in lv's own process state, with a
 * timeout; what they print goes to syslog as "hook NAME said: ...", with
 * secret (when not NULL) redacted */
int lv_hook_run(const struct lv_conf *c, const char *name, char *const argv[], const char *input,
		const char *secret);
int lv_argv_split(const char *cmd, char ***argv, char **buf); /* room for 2 more + NULL */
void lv_notify(struct lv_ctx *c, const char *event, const char *account, const char *msg);

/* lv_template.c: messages with named fields ("{code}"), never printf */
struct lv_field { const char *name; const char *value; };
int lv_template(const char *what, const char *tmpl, const struct lv_field *f, size_t n,
		char *out, size_t outsz);

/* lv_b32.c: Crockford base32 */
void lv_b32_encode(const unsigned char *in, size_t len, char *out);
int lv_b32_decode(const char *in, size_t len, unsigned char *out, size_t outlen);

/* lv_fail.c: consecutive failures and the lock-out */
long lv_fail_locked(const struct lv_acct *a, time_t now);
int lv_fail_count(struct lv_acct *a, time_t now, const char *method);
void lv_fail_reset(struct lv_acct *a);
int lv_fail_pre(struct lv_acct *a, time_t now, const char *guess);
int lv_fail_post(struct lv_acct *a, time_t now, const char *guess);

/* lv_backup.c: the sequence of backup codes */
#define LV_BACKUP_CODELEN 19
int lv_backup_release(struct lv_acct *a, int reset, char code[LV_BACKUP_CODELEN + 1]);
int lv_backup_check(struct lv_acct *a, const char *answer, long *seq);
size_t lv_backup_active(const struct lv_acct *a);

/* lv_cli.c: the options every program shares */
struct lv_cli { const char *dir, *conf; };
#define LV_EXIT_OK 1000 /* "leave now with 0" from lv_cli_common */
#define LV_COMMON_SHORT ":d:c:h"
#define LV_COMMON_LONG { "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' }
int lv_usage(const char *synopsis, const char *why);
int lv_cli_common(int ch, char **argv, struct lv_cli *cli, const char *synopsis);
int lv_cli_operands(int argc, char **argv, int want, const char *synopsis);
struct option;
int lv_cli_next(int argc, char **argv, const struct option *longopts, struct lv_cli *cli,
		const char *synopsis, int *rc);

/* lv_facts.c: what lv-status prints, as NAME<TAB>VALUE... lines or one
 * JSON object; each value raw, with its kind */
enum lv_kind { LV_TEXT, LV_NUM, LV_BOOL, LV_TIME, LV_FLAG };
struct lv_val {
	const char *key;  /* its JSON key where a fact has more than one value */
	enum lv_kind kind;
	const char *text; /* LV_TEXT; NULL: absent */
	long num;         /* LV_NUM; LV_BOOL, LV_FLAG: 0 or 1; LV_TIME: seconds, 0: absent */
	const char *none; /* on the line, the word for an absent value ("never") */
};
struct lv_val lv_text(const char *key, const char *s);
struct lv_val lv_num(const char *key, long n);
struct lv_val lv_bool(const char *key, int b);             /* yes/no on the line */
struct lv_val lv_time(const char *key, long t, const char *none); /* ISO 8601 */
struct lv_val lv_flag(const char *key, int b);             /* on the line: its key, or nothing */
#define LV_FACT_VALUES 6
#define LV_FACT_LIST 1 /* JSON: every fact of the name in one array ([] for a fact of no values) */
#define LV_FACT_JSON 2 /* JSON only, no line */
struct lv_fact { const char *name; int how; int n; struct lv_val v[LV_FACT_VALUES]; };
struct lv_facts { struct lv_fact *f; size_t n, cap; int failed; };
void lv_fact(struct lv_facts *f, int how, const char *name, int n, ...); /* name: a literal */
int lv_facts_print(const struct lv_facts *f, int json);
void lv_facts_free(struct lv_facts *f);
/* lv_json.c: the one JSON emitter (json-c) */
int lv_json_facts(const struct lv_facts *f);
int lv_json_rows(const struct lv_val *v, size_t rows, int cols);

/* Methods. Each check returns 0 when the answer matches (and spends what it
 * must in the records), 1 when not, with *why saying why for the user, or an
 * exit code above 1 (reported already) when it cannot decide: fail closed. Each
 * status adds the method's facts; each remove drops the method's records. */
int lv_sms_check(struct lv_acct *a, const char *code, time_t now, const char **why);
void lv_sms_status(const struct lv_acct *a, struct lv_facts *f);
void lv_sms_withdraw(struct lv_acct *a);
int lv_phone_set(struct lv_acct *a, const char *phone, char oldmask[24]);
/* lv_sms.c, lv_sms_send.c beyond the method interface: issuing codes
 * (lv-sendcode), the sending policy, and expiry (lv-expire) */
#define LV_SMS_DIGITS 6
int lv_sms_issue(struct lv_acct *a, time_t now, char code[LV_SMS_DIGITS + 1], long *seq);
void lv_sms_recall(struct lv_acct *a, long seq);
size_t lv_sms_expire(struct lv_acct *a, time_t now, int apply);
time_t lv_sms_due(const struct lv_acct *a);
int lv_sms_country_ok(const struct lv_conf *c, const char *phone);
int lv_sms_may_send(const struct lv_acct *a, time_t now, const char **tag);
int lv_sms_log_send(struct lv_acct *a, long seq, time_t now);
void lv_sms_unlog(struct lv_acct *a, long seq);
long lv_sms_last_sent(const struct lv_acct *a);
int lv_sms_site_take(struct lv_ctx *c, time_t now, long *minute);
void lv_sms_site_give(struct lv_ctx *c, long minute);
int lv_totp_check(struct lv_acct *a, const char *code, time_t now, const char **why);
void lv_totp_status(const struct lv_acct *a, struct lv_facts *f);
int lv_totp_import_ga(const char *path, unsigned char *secret, size_t max, size_t *len);
int lv_totp_set(struct lv_acct *a, const unsigned char *secret, size_t len, char *uri, size_t urisz);
int lv_totp_print_uri(const char *uri, int qr); /* lv_qr.c: lv-enroll links libqrencode */
void lv_totp_remove(struct lv_acct *a);
int lv_temp_check(struct lv_acct *a, const char *pw, time_t now, char label[LV_TEXT_MAX + 1],
		  const char **why);
void lv_temp_status(const struct lv_acct *a, struct lv_facts *f);
void lv_device_status(const struct lv_acct *a, struct lv_facts *f);
int lv_device_parse_pub(const char *line, unsigned char pk[32]);
int lv_device_add(struct lv_acct *a, const unsigned char pk[32], char id[32]);
int lv_device_remove(struct lv_acct *a, const char *id);
int lv_signout_check(struct lv_acct *a, const char *line, time_t now, char id[32]);
void lv_request_status(const struct lv_acct *a, struct lv_facts *f);

/* TOTP's pieces: lv_totp.c (lv's rules), lv_oath.c (liboath: the codes
 * and RFC 4648 base32; lv_b32.c is Crockford's, for backup codes), lv_ga.c */
#define LV_TOTP_STEP 30
#define LV_TOTP_DIGITS 6
int lv_totp_match(const unsigned char *key, size_t len, const char *code, time_t now, long last, long *step,
		  int *fresh);
int lv_oath_step_is(const unsigned char *key, size_t len, const char *code, long s);
int lv_oath_b32_encode(const unsigned char *in, size_t len, char *out, size_t outsz);
int lv_oath_b32_decode(const char *in, size_t len, unsigned char *out, size_t outsz, size_t *outlen);
void lv_oath_done(void);

/* lv_temp.c: issuing ("abcd efgh ijkl mnop qrst") and expiring */
#define LV_TEMP_LETTERS 20
#define LV_TEMP_PRINTLEN 24
int lv_temp_issue(struct lv_acct *a, const char *label, long ttl, char pw[LV_TEMP_PRINTLEN + 1],
		  int *replaced);
size_t lv_temp_expire(struct lv_acct *a, time_t now);
size_t lv_temp_live(const struct lv_acct *a, time_t now);
time_t lv_temp_due(const struct lv_acct *a);
struct lv_remember;
int lv_request_verify(struct lv_ctx *c, const char *account, const char *id, long wait,
		      struct lv_remember *rem);

/* Push: device keys (lv_device.c), login requests (lv_request.c), answers
 * (lv_reqanswer.c) and redeeming them (lv_redeem.c); the lines a device
 * reads and signs (lv_sign.c), strict base64 (lv_b64.c) and the
 * passphrase-sealed key backup (lv_seal.c). */
#define LV_DEVID_LEN 8
#define LV_REQID_LEN 12
#define LV_TOKEN_LEN 32
#define LV_SIGBYTES 64
#define LV_B64_LEN(n) (((n) + 2) / 3 * 4)
int lv_b64_decode(const char *in, unsigned char *out, size_t n);
void lv_b64_encode(const unsigned char *in, size_t len, char *out);
int lv_isotime_parse(const char *s, time_t *t);
size_t lv_fields_split(char *line, char *f[], size_t max);
int lv_sign_request_parse(char *line, char *f[8]);
int lv_sign(const unsigned char sk[64], const char *tag, const char *const f[], size_t n,
	    unsigned char sig[LV_SIGBYTES]);
int lv_sign_verify(const unsigned char pk[32], const unsigned char sig[LV_SIGBYTES],
		   const char *tag, const char *const f[], size_t n);
#define LV_SEAL_B64LEN 132
enum lv_kdf { LV_KDF_INTERACTIVE, LV_KDF_MODERATE, LV_KDF_SENSITIVE };
int lv_seal_pass(const char *pass, const unsigned char seed[32], enum lv_kdf kdf,
		 char out[LV_SEAL_B64LEN + 1]);
int lv_open_pass(const char *pass, const char *sealed, unsigned char seed[32]);
void lv_device_id(const unsigned char pk[32], char id[LV_DEVID_LEN + 1]);
int lv_device_signer(const struct lv_acct *a, const unsigned char sig[LV_SIGBYTES], const char *tag,
		     const char *const f[], size_t n, char id[LV_DEVID_LEN + 1]);
struct lv_req {
	char id[LV_REQID_LEN + 1];
	long seq, created, decided;
	char status[16];  /* pending, approved, denied, expired, redeemed */
	char number[3];
	char challenge[LV_B64_LEN(32) + 1];
	char tokenhash[2 * LV_HASHBYTES + 1];
	char ip[46], client[LV_TEXT_MAX + 1], location[LV_TEXT_MAX + 1];
	char device[LV_DEVID_LEN + 1];
	char note[16];    /* why a decision was made: wrong-number */
};
int lv_request_valid_id(const char *id);
int lv_request_new(struct lv_acct *a, const char *ip, const char *client, const char *location,
		   struct lv_req *r, char token[LV_TOKEN_LEN + 1]);
int lv_request_get(const struct lv_acct *a, const char *id, struct lv_req *r);
int lv_request_put(struct lv_acct *a, const struct lv_req *r);
const char *lv_request_state(const struct lv_acct *a, const struct lv_req *r, time_t now);
#define LV_REQLINE_MAX 4096 /* an lv1-request line: its free text escaped, 2 * 512 bytes each at most */
void lv_request_line(const char *account, const struct lv_req *r, char *out, size_t outsz);
size_t lv_request_list(const struct lv_acct *a, struct lv_req **out);
int lv_request_expire(struct lv_acct *a, time_t now, long *expired, long *removed);
time_t lv_request_due(const struct lv_acct *a);
struct lv_decision {
	struct lv_req req;
	const char *outcome; /* approved, denied, wrong-number */
	const char *why;     /* on a refusal */
	int locked_now;
};
int lv_request_answer(struct lv_acct *a, const char *line, time_t now, struct lv_decision *d);

/* Remembered devices (lv_remember.c: the series and their tokens;
 * lv_remember_use.c: lv-verify --method remembered; lv_remember_host.c: the
 * PAM grace by remote host). A token is "lvr1-" ID "-" SECRET in Crockford
 * base32: an 80-bit series id and a 160-bit secret, kept only as a keyed
 * hash in "remember.ID"; each use replaces the secret, and any other secret
 * shown for the series (an old copy) revokes it. */
#define LV_REMEMBER_IDLEN 16
#define LV_REMEMBER_SECRET 20
#define LV_REMEMBER_TOKEN 54 /* lvr1- ID - SECRET */
#define LV_REMEMBER_MAX 32   /* series an account keeps; the least recently used goes */
struct lv_remember {
	const char *label, *ip, *agent; /* what lv-verify was told about the device */
	long grace;                     /* --grace SECONDS: PAM's remote-host grace */
	char id[LV_REMEMBER_IDLEN + 1];
	char token[LV_REMEMBER_TOKEN + 1];
	long seq;
};
int lv_remember_parse(const char *s, size_t len, char id[LV_REMEMBER_IDLEN + 1],
		      unsigned char secret[LV_REMEMBER_SECRET]);
int lv_remember_issue(struct lv_acct *a, struct lv_remember *r, time_t now);
int lv_remember_check(struct lv_acct *a, const char *id, const unsigned char secret[LV_REMEMBER_SECRET],
		      time_t now, struct lv_remember *r, char *buf, size_t bufsz, const char **why);
void lv_remember_detail(const struct lv_remember *r, const char *label, char *out, size_t outsz);
int lv_remember_issued(struct lv_acct *a, const struct lv_remember *r);
void lv_remember_notify_issued(struct lv_ctx *c, const char *account, const struct lv_remember *r);
size_t lv_remember_forget(struct lv_acct *a, const char *id);
int lv_remember_forgotten(struct lv_acct *a, size_t n, const char *why, const char *reason);
void lv_remember_status(const struct lv_acct *a, struct lv_facts *f);
int lv_remember_use(struct lv_ctx *c, const char *account, const struct lv_answer *ans, struct lv_remember *r);
int lv_remember_host_set(struct lv_acct *a, const char *ip, long grace, time_t now);
int lv_remember_host_check(struct lv_ctx *c, const char *account, const char *ip, long grace);
void lv_remember_host_status(const struct lv_acct *a, struct lv_facts *f);
/* Security keys (WebAuthn): the JSON a browser passes and sends back
 * (lv_seckey_json.c, json-c), the attestation object (lv_seckey_cbor.c,
 * libcbor), the checks of an attestation and an assertion
 * (lv_seckey_fido.c, libfido2), and the account's keys and challenges
 * (lv_seckey.c). */
#define LV_SECKEY_ANSWER_MAX 16384 /* an answer's JSON on stdin */
#define LV_SECKEY_CREDID_MAX 1023  /* WebAuthn's bound on a credential id */
#define LV_SECKEY_PK_MAX 259       /* libfido2's raw public keys: RS256's n and e */
#define LV_SECKEY_ID_LEN 8
#define LV_SECKEY_CHALLENGE 32
#define LV_SECKEY_FLAG_UP 0x01
#define LV_SECKEY_FLAG_UV 0x04
#define LV_SECKEY_FLAG_BE 0x08
#define LV_SECKEY_FLAG_BS 0x10
#define LV_SECKEY_FLAG_AT 0x40
struct lv_bytes { unsigned char *p; size_t n; };
void lv_bytes_free(struct lv_bytes *b);
int lv_b64url_decode(const char *in, struct lv_bytes *out);
char *lv_b64url_encode(const unsigned char *in, size_t len);
/* A PublicKeyCredential as JSON: registration (create) or login. */
struct lv_seckey_answer {
	struct lv_bytes rawid, clientdata, attobj, authdata, sig, userhandle;
};
int lv_seckey_answer_parse(const char *json, size_t len, int create, struct lv_seckey_answer *a,
			   const char **why);
void lv_seckey_answer_free(struct lv_seckey_answer *a);
int lv_seckey_answer_read(int create, struct lv_seckey_answer *a);
struct lv_clientdata {
	char type[32];
	char origin[256];
	struct lv_bytes challenge;
	int cross_origin;
};
int lv_clientdata_parse(const struct lv_bytes *raw, struct lv_clientdata *cd, const char **why);
struct json_object;
int lv_seckey_print_options(struct json_object *o);
/* lv_seckey_cbor.c */
struct lv_attobj {
	char fmt[16];
	struct lv_bytes authdata, attstmt; /* attstmt: the statement's CBOR map */
	struct lv_bytes sig;               /* packed: attStmt.sig */
	long alg;                          /* packed: attStmt.alg */
	int x5c;                           /* packed: a certificate is there */
};
int lv_attobj_parse(const unsigned char *p, size_t n, struct lv_attobj *o, const char **why);
void lv_attobj_free(struct lv_attobj *o);
struct lv_authdata { unsigned char rpidhash[32]; unsigned flags; unsigned long count; };
int lv_authdata_parse(const unsigned char *p, size_t n, struct lv_authdata *ad);
int lv_cbor_sane(const unsigned char *p, size_t n);
int lv_authdata_sane(const unsigned char *p, size_t n, int attested);
/* lv_seckey_fido.c */
struct lv_seckey_cred {
	int alg; /* COSE: -7 ES256, -8 EdDSA, -257 RS256 */
	unsigned char id[LV_SECKEY_CREDID_MAX];
	size_t idlen;
	unsigned char pk[LV_SECKEY_PK_MAX]; /* libfido2's raw form of the key */
	size_t pklen;
	unsigned long count;
	unsigned flags;
};
const char *lv_seckey_alg_name(int alg);
int lv_seckey_attest(const char *rp_id, int uv, const struct lv_attobj *o, const struct lv_bytes *clientdata,
		     struct lv_seckey_cred *out, const char **why);
int lv_seckey_assert(const char *rp_id, int uv, const struct lv_seckey_cred *k, const struct lv_bytes *clientdata,
		     const struct lv_bytes *authdata, const struct lv_bytes *sig, const char **why);
/* lv_seckey.c: the account's keys ("seckey.ID") and challenges */
enum lv_seckey_purpose { LV_SECKEY_CREATE, LV_SECKEY_GET };
int lv_seckey_conf_check(const struct lv_conf *c);
int lv_seckey_options(struct lv_acct *a, enum lv_seckey_purpose p, struct json_object **out);
int lv_seckey_register(struct lv_acct *a, const struct lv_seckey_answer *ans, const char *label,
		       char id[LV_SECKEY_ID_LEN + 1], const char **why);
int lv_seckey_login(struct lv_acct *a, const struct lv_seckey_answer *ans, char id[LV_SECKEY_ID_LEN + 1],
		    int *cloned, const char **why);
int lv_seckey_label(struct lv_acct *a, const char *id, const char *label);
int lv_seckey_remove(struct lv_acct *a, const char *id);
void lv_seckey_status(const struct lv_acct *a, struct lv_facts *f);
size_t lv_seckey_count(const struct lv_acct *a);
int lv_seckey_valid_id(const char *id);

/* lv_disable.c: turning verification off keeps only the audit log, the
 * rate counters ("rate." records) and the lock file */
void lv_disable(struct lv_acct *a, const char *by, const char *reason);

/* lv_walk.c: every account of the state directory, in no set order */
int lv_walk(struct lv_ctx *c, int (*fn)(const char *name, void *arg), void *arg);

/* lv_priv.c: the set-user-ID deployment (SPEC, Privilege) */
void lv_priv_record(void);
int lv_priv_restricted(void);
uid_t lv_priv_caller(void);
int lv_priv_check(struct lv_ctx *c);
int lv_priv_account(const struct lv_ctx *c, const char *name);
int lv_priv_refuse(const struct lv_ctx *c, const char *refused, const char *others_may);
int lv_priv_become_owner(uid_t owner);
int lv_priv_denied(const struct lv_ctx *c); /* after EACCES: a lost set-user-ID bit? */

/* lv_due.c: when an account next has something for lv-expire to do (each
 * method's *_due: the earliest time its expire function has work), and
 * lv_hint.c: the bucket hints that let lv-expire pass over buckets with
 * nothing due. The store lowers the hint when a commit makes an account
 * due sooner (struct lv_acct's due: as read under the lock, -1 untracked),
 * and holds it until the new records are in place. */
#define LV_NEVER ((time_t)INT64_MAX)
time_t lv_due(const struct lv_acct *a);
time_t lv_due_after(long t, long delay);
struct lv_hint {
	uint64_t gen; /* random, new each time the slot is made afresh */
	long version; /* changes with every write */
	time_t due;   /* nothing in the leaf bucket needs expiring before then */
};
#define LV_HINT_SLOT 101
struct lv_hints { char buf[256 * LV_HINT_SLOT]; size_t len; }; /* a top-level bucket's */
int lv_hints_load(struct lv_ctx *c, int topfd, const char *top, struct lv_hints *t);
int lv_hints_get(const struct lv_hints *t, const char *bucket, struct lv_hint *h);
int lv_hint_begin(struct lv_ctx *c, int topfd, const char *bucket, struct lv_hint *h);
int lv_hint_store(struct lv_ctx *c, int topfd, const char *bucket, const struct lv_hint *seen,
		  time_t due);
int lv_hint_hold(struct lv_ctx *c, const char *account, time_t t, int *fd);
void lv_hint_release(int *fd);

/* lv_buckets.c: every leaf bucket, in order, with its accounts' names */
struct lv_bucket {
	int fd, topfd;                      /* the bucket's directory, and the one above */
	char name[8];                       /* "ab/cd" */
	char (*acct)[LV_NAME_MAX + 1];      /* its accounts, sorted */
	size_t n, cap;
	double done;                        /* how far the walk is, 0 to 1 */
};
int lv_walk_buckets(struct lv_ctx *c, int (*fn)(const struct lv_bucket *b, void *arg), void *arg);

/* lv_who.c: the caller's login name, for audit lines; any user's */
void lv_who(char out[64]);
void lv_user_name(uid_t uid, char out[64]);

#endif
