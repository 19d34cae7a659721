# Shared by every test file: a fresh state directory per test, the fresh
# binaries first on PATH (t/run sets it), and small helpers.
# Also sourced by plain bash (under faketime), where bats' functions are absent.
if command -v bats_require_minimum_version >/dev/null; then
	bats_require_minimum_version 1.5.0
fi

setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# The programs of the foundation, and those that need an existing state
# directory (every one but lv-enroll).
FOUNDATION="lv-enroll lv-verify lv-backup lv-status lv-unlock lv-unenroll"

# A well-formed backup code that no account was ever given (80 zero bits).
WRONG_CODE=0000-0000-0000-0000

# enrol ACCOUNT [ARGS...]: enrols with a phone unless ARGS say otherwise and
# leaves the first backup code in $code.
enrol() {
	local who=$1
	shift
	[ $# -gt 0 ] || set -- --phone +15551234567
	code=$(lv-enroll "$who" "$@") || return 1
}

# The directory of an account, for tests that look inside the store.
acctdir() {
	local d
	d=$(find "$LV_DIR" -mindepth 3 -maxdepth 3 -type d -name "$1")
	[ -n "$d" ] && echo "$d"
}

# lv-records dump|set FILE ...: reads or rewrites a records file as lv does
# (t/lv-records.py), to look inside or plant a record.
lv-records() {
	python3 "$BATS_TEST_DIRNAME/lv-records.py" "$@"
}

# The records file of an account: its newest generation (lv-state(5)).
records() {
	local d n
	d=$(acctdir "$1") || return 1
	n=$(find "$d" -maxdepth 1 -name 'records.[1-9]*' -printf '%f\n' | sed 's/^records\.//' |
		grep -x '[1-9][0-9]*' | sort -n | tail -n 1)
	echo "$d/records.${n:-1}"
}

# conf LINE...: writes the configuration file, one "key = value" a line.
conf() {
	printf '%s\n' "$@" >"$LV_CONF"
	chmod 600 "$LV_CONF"
}

# A faketime wrapper: at OFFSET COMMAND..., with OFFSET like +130s from now.
at() {
	local when=$1
	shift
	faketime -f "$when" "$@"
}

# Every byte of the state directory, as text, to grep for secrets.
state_bytes() {
	find "$LV_DIR" -type f -exec cat {} + | tr -c '[:print:]\n' '.'
}

# fail_backup ACCOUNT N: N wrong backup codes in a row, each rejected.
fail_backup() {
	local i
	for ((i = 0; i < $2; i++)); do
		lv-verify "$1" <<<"$WRONG_CODE" 2>/dev/null && return 1
		[ $? -eq 1 ] || return 1
	done
}

# device NAME: a device key pair (lv-device keygen), the secret key in
# NAME.key and the public key in NAME.pub.
device() {
	lv-device keygen --key "$1.key" >"$1.pub"
}

# fact ACCOUNT NAME: the value of one lv-status fact.
fact() {
	lv-status "$1" | awk -F '\t' -v n="$2" '$1 == n { print $2 }'
}

# notifier: a notify command that records its arguments (one a line), then
# "--", then its standard input, in $BATS_TEST_TMPDIR/notified.
notifier() {
	local log="$BATS_TEST_TMPDIR/notified"
	cat >"$BATS_TEST_TMPDIR/notify.sh" <<-EOF
	#!/bin/sh
	{ printf '%s\n' "\$@"; echo --; cat; } >>"$log"
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/notify.sh"
	echo "$BATS_TEST_TMPDIR/notify.sh"
}

# hold_lock ACCOUNT SECONDS: holds the account's fcntl lock in the
# background (as another lv program would) until killed or SECONDS pass;
# waits until it is taken and leaves its pid in $holder.
hold_lock() {
	local lock ready="$BATS_TEST_TMPDIR/locked.$$"
	lock="$(acctdir "$1")/lock"
	python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
' "$lock" "$ready" "$2" 3>&- &
	holder=$!
	while [ ! -e "$ready" ]; do sleep 0.01; done
}

# slow N: N, or ten times N under make check-asan and make check-valgrind
# (LV_TEST_SLOW=1), whose programs run many times slower. For the few tests
# that bound a wall-clock time (a hook killed at its timeout, the demo's
# length) or let real seconds pass between steps (a lock-out's remaining
# seconds, a lock wait); their plain-build bounds stay as tight as before.
slow() {
	if [ "${LV_TEST_SLOW:-}" = 1 ]; then
		echo $(($1 * 10))
	else
		echo "$1"
	fi
}

# The keys of lib/lv_conf.c: NAME TYPE MAX DEFAULT, one a line (the
# default of a number as lv_conf_defaults sets it; strings "-").
conf_keys() {
	local src="$BATS_TEST_DIRNAME/../lib/lv_conf.c" k t max def
	sed -n '/keys\[\] = {/,/^};/p' "$src" | grep -o '[SN]([a-z_0-9]*[^)]*)' |
		tr -d '() ' | tr ',' ' ' | while read -r k max; do
		t=${k%%[a-z]*}
		k=${k#?}
		def=$(sed -n "s/^\tc->$k = \(.*\);\$/\1/p" "$src")
		[ "$t" = N ] && def=$((${def:-0}))
		echo "$k $t ${max:--} ${def:--}"
	done
}

# The fault-injection shim (t/faultinject/lvfi.c), built once for the whole
# run: LD_PRELOAD="$(lvfi)" LVFI_FAIL=STEP or LVFI_STOP=STEP.
lvfi() {
	local so="$BATS_RUN_TMPDIR/lvfi.so"
	[ -f "$so" ] || cc -std=gnu11 -D_GNU_SOURCE -O2 -fPIC -shared -o "$so.$$" \
		"$BATS_TEST_DIRNAME/faultinject/lvfi.c" -ldl && mv -f "$so.$$" "$so" 2>/dev/null
	echo "$so"
}

# wait_stopped PID: until the process is stopped (LVFI_STOP), at most 10 s.
wait_stopped() {
	local i
	for ((i = 0; i < 1000; i++)); do
		[ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.01
	done
	return 1
}

# scratch_user NAME: a user for a test run as root (no home, no password);
# give each file names of its own, and userdel them in teardown_file.
scratch_user() {
	id "$1" >/dev/null 2>&1 || useradd -M -d /nonexistent -p '*' -s /bin/sh "$1"
}
