/* floor: the least work that accepting a backup code can take with lv's
 * safety, on lv's on-disk layout: the reference lv-verify is measured
 * against. "floor DIR ACCOUNT" reads the code on stdin; exits 0 accepted,
 * 1 rejected, 2 on any other failure. No options, no messages, no config.
 * Built with -DAUDIT_SYNC=0 it does not fsync the audit line. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cdb.h>
#include <sodium.h>

#ifndef AUDIT_SYNC
#define AUDIT_SYNC 1
#endif
#define MAXREC 256
#define CHECK "lv.check"

struct rec { const char *k, *v; unsigned kl, vl; char *own; };

static uid_t owner;
static long gen; /* the generation read: records.GEN (lv-state(5)) */

/* The highest generation in the directory, as lv's store lists it. */
static long
newest(int afd)
{
	DIR *d = fdopendir(openat(afd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	struct dirent *e;
	long max = -1, g;
	char *end;

	if (d == NULL)
		exit(2);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "records.", 8) == 0 && e->d_name[8] >= '1' && e->d_name[8] <= '9' &&
		    (g = strtol(e->d_name + 8, &end, 10)) > max && *end == '\0')
			max = g;
	closedir(d);
	return max;
}

/* Opens without following links; owned by the state directory's owner or
 * root, and not writable (secret: not readable either) by others. */
static int
xopenat(int dfd, const char *name, int flags, int secret)
{
	struct stat st;
	int fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || (st.st_uid != owner && st.st_uid != 0) ||
	    (st.st_mode & (secret ? 077 : 022)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The key is in DIR-key, beside the state directory (lv-state(5)). */
static int
open_state(const char *dir, unsigned char key[32])
{
	struct stat st;
	char keydir[4200];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), kdfd, kfd;

	if (dfd < 0 || fstat(dfd, &st) != 0)
		exit(2);
	owner = st.st_uid;
	snprintf(keydir, sizeof(keydir), "%s-key", dir);
	if ((st.st_mode & 022) != 0 || (kdfd = xopenat(AT_FDCWD, keydir, O_RDONLY | O_DIRECTORY, 0)) < 0 ||
	    (kfd = xopenat(kdfd, "site.key", O_RDONLY, 1)) < 0 || read(kfd, key, 32) != 32)
		exit(2);
	close(kfd);
	close(kdfd);
	return dfd;
}

static int
open_account(int sfd, const char *name)
{
	unsigned char h[2];
	char top[3], sub[3];
	int d1, d2, d3;

	crypto_generichash(h, 2, (const unsigned char *)name, strlen(name), NULL, 0);
	snprintf(top, sizeof(top), "%02x", h[0]);
	snprintf(sub, sizeof(sub), "%02x", h[1]);
	if ((d1 = xopenat(sfd, top, O_RDONLY | O_DIRECTORY, 0)) < 0 ||
	    (d2 = xopenat(d1, sub, O_RDONLY | O_DIRECTORY, 0)) < 0 ||
	    (d3 = xopenat(d2, name, O_RDONLY | O_DIRECTORY, 0)) < 0)
		exit(2);
	close(d1);
	close(d2);
	return d3;
}

static void
lock(int afd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = openat(afd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || fcntl(fd, F_SETLKW, &fl) != 0)
		exit(2);
}

/* The code: 16 Crockford base32 characters, spaces and dashes ignored. */
static void
read_code(unsigned char raw[10])
{
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char line[258], *p;
	ssize_t n = read(0, line, sizeof(line) - 1);
	unsigned long long acc = 0;
	int bits = 0, o = 0, c = 0;

	if (n <= 0)
		exit(2);
	for (line[n] = '\0', p = line; *p != '\0' && *p != '\n'; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		const char *q = strchr(alpha, toupper((unsigned char)*p));

		if (q == NULL || *q == '\0' || ++c > 16)
			exit(2);
		acc = acc << 5 | (unsigned long long)(q - alpha);
		if ((bits += 5) >= 8)
			raw[o++] = (unsigned char)(acc >> (bits -= 8));
	}
	if (c != 16)
		exit(2);
	sodium_memzero(line, sizeof(line));
}

static void
check_add(crypto_generichash_state *st, const struct rec *r)
{
	unsigned char len[8];

	cdb_pack(r->kl, len);
	cdb_pack(r->vl, len + 4);
	crypto_generichash_update(st, len, 8);
	crypto_generichash_update(st, (const unsigned char *)r->k, r->kl);
	crypto_generichash_update(st, (const unsigned char *)r->v, r->vl);
}

/* Every record, and the checksum over them that lv keeps last. */
static size_t
load(struct cdb *db, int afd, struct rec *r)
{
	crypto_generichash_state st;
	unsigned char got[16], want[16];
	unsigned pos;
	size_t n = 0;
	char name[32];
	int fd, found = 0;

	if ((gen = newest(afd)) < 1)
		exit(2);
	snprintf(name, sizeof(name), "records.%ld", gen);
	fd = xopenat(afd, name, O_RDONLY, 1);
	if (fd < 0 || cdb_init(db, fd) != 0)
		exit(2);
	crypto_generichash_init(&st, NULL, 0, 16);
	cdb_seqinit(&pos, db);
	while (cdb_seqnext(&pos, db) > 0 && n < MAXREC) {
		r[n] = (struct rec){ cdb_getkey(db), cdb_getdata(db), cdb_keylen(db), cdb_datalen(db), NULL };
		if (r[n].kl == 8 && memcmp(r[n].k, CHECK, 8) == 0)
			found = r[n].vl == 32 && sodium_hex2bin(want, 16, r[n].v, 32, NULL, NULL, NULL) == 0;
		else
			check_add(&st, &r[n++]);
	}
	crypto_generichash_final(&st, got, 16);
	if (!found || sodium_memcmp(got, want, 16) != 0)
		exit(2);
	return n;
}

/* The sequence number of an active code's record "backup.NNNNNNNN", or -1. */
static long
active_seq(const struct rec *r)
{
	long seq = 0;
	int i;

	if (r->kl != 15 || memcmp(r->k, "backup.", 7) != 0)
		return -1;
	for (i = 7; i < 15; i++) {
		if (!isdigit((unsigned char)r->k[i]))
			return -1;
		seq = seq * 10 + (r->k[i] - '0');
	}
	return seq;
}

/* The keyed hash of the code, compared with every active code's. */
static long
match(const struct rec *r, size_t n, const unsigned char key[32], const char *name,
    const unsigned char raw[10])
{
	crypto_generichash_state st;
	unsigned char h[32];
	char hex[65];
	const char *tab;
	long seq = -1;
	size_t i;

	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)"lv1-backup", 11);
	crypto_generichash_update(&st, (const unsigned char *)name, strlen(name) + 1);
	crypto_generichash_update(&st, raw, 10);
	crypto_generichash_final(&st, h, 32);
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	for (i = 0; i < n; i++)
		if (active_seq(&r[i]) > 0 && (tab = memchr(r[i].v, '\t', r[i].vl)) != NULL &&
		    r[i].v + r[i].vl - tab - 1 == 64 && sodium_memcmp(tab + 1, hex, 64) == 0)
			seq = active_seq(&r[i]);
	return seq;
}

/* Active codes up to seq become spent; a success clears the failures. */
static size_t
spend(struct rec *r, size_t n, long seq)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (r[i].kl >= 5 && memcmp(r[i].k, "fail.", 5) == 0)
			continue;
		if (active_seq(&r[i]) > 0 && active_seq(&r[i]) <= seq) {
			const char *tab = memchr(r[i].v, '\t', r[i].vl);

			if (asprintf(&r[i].own, "backup-spent.%.8s", r[i].k + 7) < 0)
				exit(2);
			r[i].k = r[i].own;
			r[i].kl = (unsigned)strlen(r[i].own);
			r[i].vl -= (unsigned)(tab + 1 - r[i].v);
			r[i].v = tab + 1;
		}
		r[o++] = r[i];
	}
	return o;
}

static void
save(int afd, struct rec *r, size_t n)
{
	crypto_generichash_state st;
	struct cdb_make mk;
	unsigned char sum[16];
	char hex[33];
	size_t i;
	int fd;

	unsigned char rnd[8];
	char tmp[48], next[32], old[32], num[24];

	randombytes_buf(rnd, sizeof(rnd));
	memcpy(tmp, ".records.tmp.", 13);
	sodium_bin2hex(tmp + 13, sizeof(tmp) - 13, rnd, sizeof(rnd));
	snprintf(next, sizeof(next), "records.%ld", gen + 1);
	snprintf(old, sizeof(old), "records.%ld", gen - 3); /* lv keeps the newest four */
	snprintf(num, sizeof(num), "%ld", gen + 1);
	fd = openat(afd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || cdb_make_start(&mk, fd) != 0)
		exit(2);
	crypto_generichash_init(&st, NULL, 0, 16);
	for (i = 0; i < n; i++) {
		if (r[i].kl == 10 && memcmp(r[i].k, "generation", 10) == 0)
			r[i].v = num, r[i].vl = (unsigned)strlen(num);
		check_add(&st, &r[i]);
		if (cdb_make_add(&mk, r[i].k, r[i].kl, r[i].v, r[i].vl) != 0)
			exit(2);
	}
	crypto_generichash_final(&st, sum, 16);
	sodium_bin2hex(hex, sizeof(hex), sum, 16);
	if (cdb_make_add(&mk, CHECK, 8, hex, 32) != 0 || cdb_make_finish(&mk) != 0 ||
	    fsync(fd) != 0 || close(fd) != 0 || linkat(afd, tmp, afd, next, 0) != 0 ||
	    unlinkat(afd, tmp, 0) != 0 || fsync(afd) != 0 || newest(afd) != gen + 1)
		exit(2);
	unlinkat(afd, old, 0);
}

static void
audit(int afd, long seq)
{
	char line[160], when[32];
	time_t t = time(NULL);
	struct tm tm;
	int fd, n;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	n = snprintf(line, sizeof(line), "%s event=verify method=backup result=accept by=uid %ld seq=%ld\n",
	    when, (long)getuid(), seq);
	fd = openat(afd, "audit", O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n || (AUDIT_SYNC && fsync(fd) != 0))
		exit(2);
}

int
main(int argc, char **argv)
{
	static struct rec r[MAXREC];
	unsigned char key[32], raw[10];
	struct cdb db;
	size_t n;
	long seq;
	int afd;

	if (argc != 3 || argv[2][0] == '\0' || strchr(".-@", argv[2][0]) != NULL || strlen(argv[2]) > 64 ||
	    argv[2][strspn(argv[2], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-")] != '\0' ||
	    sodium_init() < 0)
		return 2;
	read_code(raw);
	afd = open_account(open_state(argv[1], key), argv[2]);
	lock(afd);
	n = load(&db, afd, r);
	if ((seq = match(r, n, key, argv[2], raw)) < 0)
		return 1;
	save(afd, r, spend(r, n, seq));
	audit(afd, seq);
	return 0;
}
