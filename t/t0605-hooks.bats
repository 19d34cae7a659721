#!/usr/bin/env bats
# The notify hook: no shell, a clean environment, a timeout, run after the
# change is committed and the lock released.
load lib

# A hook that writes down its arguments, environment and standard input,
# then does what $1 of its own file says (nothing, sleep, or look at the
# account while its notifier is still running).
make_hook() {
	mkdir -p hook
	cat > hook/notify <<HOOK
#!/usr/bin/python3
import fcntl, os, subprocess, sys, time
out = "$BATS_TEST_TMPDIR/hook"
open(out + "/argv", "w").write("\n".join(sys.argv[1:]) + "\n")
open(out + "/env", "w").write("\n".join(sorted(k + "=" + v for k, v in os.environ.items())) + "\n")
open(out + "/stdin", "w").write(sys.stdin.read())
mode = open(out + "/mode").read().strip()
if mode == "sleep":
    child = subprocess.Popen(["/bin/sleep", "60"])
    open(out + "/pids", "w").write("%d %d\n" % (os.getpid(), child.pid))
    time.sleep(60)
if mode == "look":
    fd = os.open("$(acctdir alice)/lock", os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock = "free"
    except OSError:
        lock = "held"
    os.close(fd)
    env = {"LV_DIR": "$LV_DIR", "LV_CONF": "$BATS_TEST_TMPDIR/no-notify.conf"}
    st = subprocess.run(["$(command -v lv-status)", "alice"], env=env, capture_output=True, text=True)
    spare = open(out + "/spare").read()
    v = subprocess.run(["$(command -v lv-verify)", "alice"], env=env, input=spare, capture_output=True, text=True)
    open(out + "/look", "w").write("lock %s\nlv-status %d %s\nlv-verify %d\n" % (
        lock, st.returncode, [l for l in st.stdout.splitlines() if l.startswith("backup-codes")][0],
        v.returncode))
HOOK
	chmod 755 hook/notify
	echo "${1:-none}" > hook/mode
}

# Dead (or a zombie nobody has reaped yet): not running any more.
gone() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$state" = Z ] || [ "$state" = X ]
}

@test "notify runs without a shell: ; and \$(...) reach the hook as literal text" {
	enrol alice
	make_hook
	printf 'notify = %s x;touch${IFS}pwned $(touch pwned) `id`\n' "$BATS_TEST_TMPDIR/hook/notify" > "$LV_CONF"
	run -0 lv-verify alice <<<"$code"
	[ "$(cat hook/argv)" = 'x;touch${IFS}pwned
$(touch
pwned)
`id`
backup-used
alice' ]
	[ "$(cat hook/stdin)" = "A backup code of alice was used to log in (seq=1)." ]
	[ ! -e pwned ]
	[ ! -e hook/pwned ]
}

@test "notify gets a clean environment: nothing of the caller's" {
	enrol alice
	make_hook
	printf 'notify = %s\n' "$BATS_TEST_TMPDIR/hook/notify" > "$LV_CONF"
	SECRET_TOKEN=leak LD_PRELOAD= IFS=: run -0 lv-verify alice <<<"$code"
	[ "$(cat hook/env)" = "LANG=C
LC_ALL=C
PATH=/usr/local/bin:/usr/bin:/bin" ]
}

@test "a hanging notify hook is killed at the timeout, with its children, and the change stays committed" {
	enrol alice
	make_hook sleep
	printf 'notify = %s\nhook_timeout = 1\n' "$BATS_TEST_TMPDIR/hook/notify" > "$LV_CONF"
	SECONDS=0
	run -0 lv-verify alice <<<"$code"
	[ "$SECONDS" -lt 10 ]
	[[ "${lines[0]}" =~ ^lv-verify:\ hook\ [0-9]+\ timed\ out\ after\ 1\ s\ and\ was\ killed$ ]]
	[ "${lines[1]}" = "lv-verify: notify command failed for alice event backup-used" ]
	read -r hook child < hook/pids
	gone "$hook"
	gone "$child"
	run -1 lv-verify alice <<<"$code"
	run -0 lv-status --log alice
	[[ "$output" == *"event=verify method=backup result=accept"* ]]
}

@test "notify runs after the lock is released: the hook can read the change and take the lock" {
	enrol alice
	lv-backup new alice > hook-spare
	make_hook look
	cp hook-spare hook/spare
	printf 'notify = %s\n' "$BATS_TEST_TMPDIR/hook/notify" > "$LV_CONF"
	run -0 lv-verify alice <<<"$code"
	[ "$output" = "" ]
	[ "$(cat hook/look)" = "lock free
lv-status 0 backup-codes	1
lv-verify 0" ]
}

@test "a notify hook that fails does not change the verdict" {
	enrol alice
	printf 'notify = /bin/false\n' > "$LV_CONF"
	run -0 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: notify command failed for alice event backup-used" ]
	printf 'notify = /nonexistent/hook\n' > "$LV_CONF"
	run -1 lv-verify alice <<<"$code"
}

@test "a configuration writable by others is refused before any hook runs" {
	enrol alice
	make_hook
	printf 'notify = %s\n' "$BATS_TEST_TMPDIR/hook/notify" > "$LV_CONF"
	chmod 0666 "$LV_CONF"
	run -77 lv-verify alice <<<"$code"
	[ ! -e hook/argv ]
	chmod 0644 "$LV_CONF"
	run -0 lv-verify alice <<<"$code"
	[ -e hook/argv ]
}
