#!/usr/bin/env bats
# The caller is hostile (SPEC, Privilege): ordinary users run the
# set-user-ID installation with a process state of their choosing (umask,
# signals, mask, descriptors, limits, a terminal, a full stderr pipe).
# Nothing of it may stall a shared lock, skip a count, suppress an audit
# line, tell a right guess from a wrong one, or reach a hook. As root, with
# scratch users of this file's own.
load lib

svc=lvsvc-host
u1=lvhost1
u2=lvhost2

setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	D=$(mktemp -d /tmp/lv-hostile.XXXXXX)
	chmod 755 "$D"
	export D
	for u in "$svc" "$u1" "$u2"; do
		id "$u" >/dev/null 2>&1 || useradd -M -d /nonexistent -p '*' -s /bin/sh "$u"
	done
	LOCKPAUSE=1 "$BATS_TEST_DIRNAME/setuid-install" "$D" "$svc"
	cp "$top/t/hostile.py" "$top/t/tty-stop.py" "$top/t/full-stderr.py" "$D/"
	# The gateway says what process it was given, and answers as curl does.
	# Its signal state is read first, by the shell itself: dash blocks every
	# signal around each fork, so a child reading the shell's status could
	# catch it in that window.
	cat >"$D/gw" <<-EOF
	#!/bin/sh
	sig=
	while IFS= read -r l; do
		case \$l in SigIgn:* | SigBlk:*) sig="\$sig\$l
	" ;; esac
	done </proc/\$\$/status
	{
		echo "args: \$*"
		echo "ids: \$(id -u) \$(id -ru)"
		echo "umask: \$(umask)"
		echo "cwd: \$(pwd)"
		echo "hostname fds: \$(for f in /proc/\$\$/fd/*; do readlink "\$f"; done | grep -c hostname)"
		printf '%s' "\$sig"
		cat
	} >>"$D/gw.out"
	echo "gateway reply: \$(tail -n 1 "$D/gw.out")"
	echo "gateway warning: \$(tail -n 1 "$D/gw.out")" >&2
	EOF
	chmod 755 "$D/gw"
	runuser -u "$svc" -- "$D/prefix/bin/lv-enroll" --init
}

teardown_file() {
	for u in "$svc" "$u1" "$u2"; do userdel "$u" 2>/dev/null || true; done
	rm -rf "$D"
}

setup() {
	cd "$D" || return 1
	unset LV_DIR LV_CONF
	printf 'sms_gateway = %s\nlock_wait_ms = 1000\n' "$D/gw" >"$D/lv.conf"
	# Each test starts afresh: no send log, no site count.
	rm -rf "$D/state/site"
	for u in "$u1" "$u2"; do
		find "$D/state" -mindepth 3 -maxdepth 3 -name "$u" -exec rm -rf {} +
		as root lv-enroll "$u" --phone +15551234567 >"$D/$u.code"
	done
	rm -f "$D/mark/held" "$D/pause" "$D/done"
	: >"$D/gw.out"
	chown "$svc" "$D/gw.out"
}

teardown() {
	touch "$D/done"
	wait
}

# as USER PROGRAM ARGS...: an installed program run by USER.
as() {
	local who=$1 prog=$2
	shift 2
	runuser -u "$who" -- "$D/prefix/bin/$prog" "$@"
}

# hostile USER [hostile.py OPTIONS] -- PROGRAM ARGS...: run by USER in the
# process state the options make (t/hostile.py).
hostile() {
	local who=$1 opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	local prog=$2
	shift 2
	setpriv --reuid="$who" --regid="$who" --init-groups /usr/bin/python3 "$D/hostile.py" "${opts[@]}" \
		-- "$D/prefix/bin/$prog" "$@"
}

# The records of an account, as bytes, to compare before and after.
snapshot() {
	find "$D/state" -path "*/$1/records" -exec cat {} + | od -An -tx1
}

code_sent() {
	sed -n 's/.*code: \([0-9]\{6\}\).*/\1/p' "$D/gw.out" | tail -n 1
}

@test "the gateway gets lv's process, not the caller's (umask, cwd, descriptors, signals, ids)" {
	run --separate-stderr -0 hostile "$u1" --all -- lv-sendcode "$u1"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	svcid=$(id -u "$svc")
	# each fact on a line of its own, whatever else the gateway wrote
	grep -qx "ids: $svcid $svcid" "$D/gw.out"
	grep -qx 'umask: 0077' "$D/gw.out"
	grep -qx 'cwd: /' "$D/gw.out"
	grep -qx 'hostname fds: 0' "$D/gw.out"
	grep -qx $'SigBlk:\t0000000000000000' "$D/gw.out"
	grep -qx $'SigIgn:\t0000000000000000' "$D/gw.out"
	[ "$(grep -c '^args: ' "$D/gw.out")" = 1 ]
}

@test "with SIGCHLD ignored by the caller the send counts and the code works" {
	run -0 hostile "$u1" --ignore SIGCHLD -- lv-sendcode "$u1"
	code=$(code_sent)
	[ -n "$code" ]
	run -75 hostile "$u1" --ignore SIGCHLD -- lv-sendcode "$u1"
	[[ "$output" == "lv-sendcode: resend too soon: "* ]]
	run -0 as "$u1" lv-verify "$u1" <<<"$code"
}

@test "the gateway's reply, which holds the code, never reaches the caller" {
	run --separate-stderr -0 as "$u1" lv-sendcode "$u1"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ -n "$(code_sent)" ]
}

@test "a caller's umask 0777 leaves the state files at lv's modes, and the next sends work" {
	rm -rf "$D/state/site"
	run -0 hostile "$u1" --umask 0777 -- lv-sendcode "$u1"
	run -0 stat -c '%a %U' "$D/state/site" "$D/state/site/records.1"
	[ "$output" = "700 $svc
600 $svc" ]
	run -0 as "$u2" lv-sendcode "$u2"
}

@test "a low file size limit is refused (77) before anything is read; right and wrong answers alike" {
	before=$(snapshot "$u1")
	run -77 hostile "$u1" --limit FSIZE=1024:1024 -- lv-verify "$u1" <<<"$WRONG_CODE"
	[ "$output" = "lv-verify: refused: the caller's limit of file size (ulimit -f) is 1024; lv needs it unlimited" ]
	run -77 hostile "$u1" --limit FSIZE=1024:1024 -- lv-verify "$u1" <"$D/$u1.code"
	[ "$output" = "lv-verify: refused: the caller's limit of file size (ulimit -f) is 1024; lv needs it unlimited" ]
	[ "$(snapshot "$u1")" = "$before" ]
}

@test "a low soft limit is raised: a wrong guess is counted, the right answer accepted" {
	run -1 hostile "$u1" --limit FSIZE=0:- --limit NOFILE=64:- -- lv-verify "$u1" <<<"123456"
	[ "$(as root lv-status "$u1" | awk -F '\t' '$1 == "failures" { print $2 }')" = 1 ]
	run -0 hostile "$u1" --limit FSIZE=0:- --limit NOFILE=64:- -- lv-verify "$u1" <"$D/$u1.code"
}

@test "low hard limits of open files and CPU time are refused (77), nothing counted" {
	before=$(snapshot "$u1")
	run -77 hostile "$u1" --limit NOFILE=16:16 -- lv-verify "$u1" <<<"123456"
	[ "$output" = "lv-verify: refused: the caller's limit of open files (ulimit -n) is 16; lv needs more" ]
	run -77 hostile "$u1" --limit CPU=5:5 -- lv-verify "$u1" <<<"123456"
	[ "$output" = "lv-verify: refused: the caller's limit of CPU time (ulimit -t) is 5; lv needs it unlimited" ]
	[ "$(snapshot "$u1")" = "$before" ]
}

@test "a caller's idle scheduling policy is refused (77): it would slow shared locks" {
	run -77 hostile "$u1" --idle -- lv-sendcode "$u1"
	[ "$output" = "lv-sendcode: refused: cannot leave the caller's scheduling policy: Operation not permitted" ]
	[ ! -s "$D/gw.out" ]
}

@test "the caller cannot stop or signal the program it started" {
	mkfifo -m 600 "$D/pause"
	chown "$svc" "$D/pause"
	hostile "$u1" -- lv-sendcode-paused "$u1" >/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 400); do [ -e "$D/mark/held" ] && break; sleep 0.05; done
	[ -e "$D/mark/held" ]
	run -1 runuser -u "$u1" -- kill -STOP "$pid"
	[[ "$output" == *"Operation not permitted"* ]]
	run -1 runuser -u "$u1" -- kill -TERM "$pid"
	kill -CONT "$pid"
	echo x >"$D/pause"
	wait "$pid"
}

@test "^Z on the caller's terminal while the site-wide count is held leaves others' sends working" {
	mkfifo -m 600 "$D/pause"
	chown "$svc" "$D/pause"
	/usr/bin/python3 "$D/tty-stop.py" "$D/mark/held" "$D/pause" "$D/done" -- setpriv --reuid="$u1" \
		--regid="$u1" --init-groups "$D/prefix/bin/lv-sendcode-paused" "$u1" >"$D/tty.out" 2>&1 3>&- &
	for _ in $(seq 400); do grep -q '^released$' "$D/tty.out" && break; sleep 0.05; done
	run -0 sed -n 2,3p "$D/tty.out"
	[ "$output" = "held off
released" ]
	run -0 as "$u2" lv-sendcode "$u2"
	kill -KILL "$(sed -n 's/^pid //p' "$D/tty.out")"
}

@test "stderr on a full pipe never keeps the account's lock held" {
	echo 123456 >"$D/answer"
	/usr/bin/python3 "$D/full-stderr.py" "$D/answer" "$D/done" -- setpriv --reuid="$u1" --regid="$u1" \
		--init-groups "$D/prefix/bin/lv-verify" "$u1" >"$D/pipe.out" 2>&1 3>&- &
	for _ in $(seq 400); do [ "$(wc -l <"$D/pipe.out")" -ge 2 ] && break; sleep 0.05; done
	run -0 sed -n 2p "$D/pipe.out"
	[ "$output" = blocked ]
	run -0 as root lv-backup new "$u1"
}

@test "--import-ga of a path only the service user may read is opened with the caller's rights, and refused" {
	# lv-enroll is not set-user-ID: it cannot read for the caller what
	# only the service user may, and says nothing of what is there.
	[ ! -u "$D/prefix/bin/lv-enroll" ]
	install -o "$svc" -m 600 /dev/null "$D/state/secret"
	for path in "$D/state/secret" "$D/state/nothing-here"; do
		run -66 as "$u1" lv-enroll "$u1" --update --import-ga "$path"
		[ "$output" = "lv-enroll: cannot open $path: Permission denied" ]
	done
}

@test "a newline in argv[0] forges no second line on stderr or in syslog" {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/syslog-catch.py" "$D/log.sock" "$D/syslog" 3>&- &
	for _ in $(seq 200); do [ -S "$D/log.sock" ] && break; sleep 0.05; done
	chmod 666 "$D/log.sock"
	printf 'syslog = 1\nsyslog_socket = %s\n' "$D/log.sock" >>"$D/lv.conf"
	run -1 runuser -u "$u1" -- bash -c 'exec -a "$(printf "lv-verify\nforged: x")" "$0" "$1"' \
		"$D/prefix/bin/lv-verify" "$u1" <<<"123456"
	[ "$output" = "lv: rejected: wrong code (no SMS code is pending)" ]
	for _ in $(seq 200); do [ -s "$D/syslog" ] && break; sleep 0.05; done
	rm -f "$D/log.sock"
	run -0 cat "$D/syslog"
	[[ "$output" =~ ^'<'[0-9]+'>'.*' lv['[0-9]+']: account='"$u1"' event=verify '.*$ ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "a flood of guesses from hostile process states checks exactly lock_after of them" {
	run -0 "$BATS_TEST_DIRNAME/stress/hostile" --guesses 120 --procs 4 --dir "$D" --svc "$svc" --user "$u1"
	[[ "${lines[0]}" == "hostile: 120 wrong guesses by hostile callers, 4 at a time: 5 checked (lock_after is 5), "* ]]
	[ "${lines[1]}" = "hostile: 0 violations" ]
}
