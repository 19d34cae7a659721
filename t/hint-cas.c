/* hint-cas ACCOUNT: plays lv-expire's sweep and a writer against the hint
 * of the account's bucket, in the orders a race can take, and prints the
 * hint's time after each: the sweep's compare and swap must lose to any
 * writer that came in between, and a sweep cannot begin while a writer
 * holds the hint. For t0501; lock_wait_ms should be short. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lv.h"

struct play {
	struct lv_ctx c;
	const char *account;
	char bucket[8];
	int top;
};

static void
show(struct play *p, const char *step)
{
	struct lv_hints t;
	struct lv_hint h;

	if (lv_hints_load(&p->c, p->top, p->bucket, &t) != 0 || lv_hints_get(&t, p->bucket, &h) != 0)
		printf("%s none\n", step);
	else
		printf("%s %lld\n", step, h.due == LV_NEVER ? -1LL : (long long)h.due);
}

static int
begin(struct play *p, struct lv_hint *h)
{
	return lv_hint_begin(&p->c, p->top, p->bucket, h);
}

static int
store(struct play *p, const struct lv_hint *h, time_t due)
{
	return lv_hint_store(&p->c, p->top, p->bucket, h, due);
}

/* A writer's commit: the hint held lowered, then released. */
static int
writer(struct play *p, time_t t)
{
	int fd, rc = lv_hint_hold(&p->c, p->account, t, &fd);

	lv_hint_release(&fd);
	return rc;
}

/* A writer in another process holds the hint: a sweep cannot begin. */
static int
held(struct play *p)
{
	struct lv_hint h;
	int go[2], done[2], fd, rc;
	char c = 0;
	pid_t pid;

	if (pipe(go) != 0 || pipe(done) != 0 || (pid = fork()) < 0)
		return lv_err(EX_OSERR, "cannot fork:");
	if (pid == 0) {
		rc = lv_hint_hold(&p->c, p->account, 2000, &fd);
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			rc = 1;
		_exit(rc);
	}
	if (read(go[0], &c, 1) != 1)
		return 1;
	rc = begin(p, &h);
	printf("g %s\n", rc == EX_TEMPFAIL ? "busy" : "not busy");
	if (write(done[1], &c, 1) != 1 || waitpid(pid, &rc, 0) != pid || rc != 0)
		return 1;
	return begin(p, &h);
}

static int
play(struct play *p)
{
	struct lv_hint h;

	/* a: no hint yet; the sweep makes one and stores what it found */
	if (begin(p, &h) || store(p, &h, 5000))
		return 1;
	show(p, "a");
	/* b: a writer lowers the hint during the sweep: the store loses */
	if (begin(p, &h) || writer(p, 3000) || store(p, &h, 9000))
		return 1;
	show(p, "b");
	/* c: a writer whose records are due later: the store still loses */
	if (begin(p, &h) || writer(p, 6000) || store(p, &h, 9000))
		return 1;
	show(p, "c");
	/* d: nobody in between: the store wins */
	if (begin(p, &h) || store(p, &h, 9000))
		return 1;
	show(p, "d");
	/* e: the file deleted and made again by a writer: the store loses */
	if (begin(p, &h) || unlinkat(p->top, ".hints", 0) != 0 || writer(p, 7000) || store(p, &h, 9000))
		return 1;
	show(p, "e");
	/* f: deleted during the sweep, and not made again: nothing stored */
	if (begin(p, &h) || unlinkat(p->top, ".hints", 0) != 0 || store(p, &h, 9000))
		return 1;
	show(p, "f");
	if (held(p))
		return 1;
	show(p, "h");
	return 0;
}

int
main(int argc, char **argv)
{
	struct play p;
	int rc;

	lv_setprog(argv[0]);
	if (argc != 2)
		return lv_err(EX_USAGE, "usage: hint-cas ACCOUNT");
	p.account = argv[1];
	lv_ctx_args(&p.c, NULL, NULL);
	if ((rc = lv_ctx_open(&p.c, 0)) != 0)
		return rc;
	lv_store_bucket(p.account, p.bucket);
	p.bucket[2] = '\0';
	p.top = openat(p.c.dirfd, p.bucket, O_RDONLY | O_DIRECTORY);
	p.bucket[2] = '/';
	if (p.top < 0)
		return lv_err(EX_NOINPUT, "no bucket for %s:", p.account);
	rc = play(&p);
	return rc ? rc : lv_fshut();
}
