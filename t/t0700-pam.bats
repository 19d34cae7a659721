#!/usr/bin/env bats
# pam_lv through the real PAM stack with pamtester; needs root to write a
# PAM service file and add a scratch user (pam_lv logs in only names the
# account database knows), as CI runs.
load lib
load pam

user=lvpamsxu1

setup_file() {
	scratch_user
}

@test "pam_lv accepts a right backup code and asks with the documented prompt" {
	enrol "$user"
	run -0 pamtester "$service" "$user" authenticate <<<"$code"
	[ "$output" = "SMS code or backup code: pamtester: successfully authenticated" ]
}

@test "pam_lv rejects a wrong code with an authentication error" {
	enrol "$user"
	run -1 pamtester "$service" "$user" authenticate <<<"0000-0000-0000-0000"
	[ "$output" = "SMS code or backup code: rejected: wrong backup code
pamtester: Authentication failure" ]
}

@test "pam_lv maps a lock-out to maximum tries" {
	enrol "$user"
	for _ in 1 2 3 4 5; do
		run -1 lv-verify "$user" <<<"0000-0000-0000-0000"
	done
	run -1 pamtester "$service" "$user" authenticate <<<"123456"
	# The module runs lv-verify on the real clock: a slow machine may have
	# spent a second or two of the minute already.
	[[ "$output" =~ ^"SMS code or backup code: $user is locked after too many failures: try again in "(60|59|58)" s, or use a backup code"$'\n'"pamtester: Have exhausted maximum number of retries for service"$ ]]
}

@test "pam_lv denies an account that is not enrolled unless nullok" {
	lv-enroll --init
	run -1 pamtester "$service" "$user" authenticate <<<"123456"
	[ "$output" = "no such account: $user
pamtester: User not known to the underlying authentication module" ]
	write_service nullok
	run -0 pamtester "$service" "$user" authenticate <<<"123456"
	[ "$output" = "pamtester: successfully authenticated" ]
}

@test "pam_lv refuses, before any prompt and even with nullok, a name the account database does not hold" {
	enrol "$user"
	write_service nullok
	run -1 pamtester "$service" "$user" authenticate <<<"$WRONG_CODE"
	[ "$output" = "SMS code or backup code: rejected: wrong backup code
pamtester: Authentication failure" ]
	for name in LVPAMSXU1 "$user."; do
		run -1 pamtester "$service" "$name" authenticate <<<"$WRONG_CODE"
		[ "$output" = "pamtester: User not known to the underlying authentication module" ]
	done
}

@test "pam_lv refuses a name the account database folds to another, even with nullok" {
	enrol "$user"
	write_service nullok
	run -1 env LD_PRELOAD="$top/t/bin/nss_fold.so" pamtester "$service" LVPAMSXU1 authenticate <<<"$WRONG_CODE"
	[ "$output" = "pamtester: User not known to the underlying authentication module" ]
	# The shim does fold: the name as the database spells it still logs in.
	run -0 env LD_PRELOAD="$top/t/bin/nss_fold.so" pamtester "$service" "$user" authenticate <<<"$code"
}

@test "pam_lv's child gets none of the application's descriptors, ignored or blocked signals" {
	# A stand-in for lv-verify (t/child_state.c) that writes what it
	# inherited to $LV_DIR/child-state.
	mkdir standin "$LV_DIR"
	ln -s "$top/t/bin/child_state" standin/lv-verify
	write_service "bindir=$BATS_TEST_TMPDIR/standin"
	# The application: /etc/shadow open on descriptor 7, SIGCHLD, SIGPIPE
	# and SIGHUP ignored, SIGTERM and SIGUSR1 blocked, as a daemon may be.
	run -0 python3 -c '
import os, signal, sys
os.dup2(os.open("/etc/shadow", os.O_RDONLY), 7)
for s in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGHUP):
	signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGTERM, signal.SIGUSR1))
os.execvp(sys.argv[1], sys.argv[1:])
' pamtester "$service" "$user" authenticate <<<"123456"
	[ "$output" = "Backup code: pamtester: successfully authenticated" ]
	# 3 is the stand-in's own handle on /proc/self/fd.
	[ "$(cat "$LV_DIR/child-state")" = "fds: 0 1 2 3
SigBlk:	0000000000000000
SigIgn:	0000000000000000" ]
}

@test "pam_lv never stores the code as PAM_AUTHTOK" {
	enrol "$user"
	echo "auth required $top/t/bin/pam_authtok_check.so" >>"/etc/pam.d/$service"
	run -0 pamtester "$service" "$user" authenticate <<<"$code"
	[ "$output" = "SMS code or backup code: pamtester: successfully authenticated" ]
}

@test "the PAM_AUTHTOK check module fails when a module before it left a token" {
	cat >"/etc/pam.d/$service" <<-EOS
	auth requisite pam_permit.so
	auth optional pam_unix.so
	EOS
	run -0 pamtester "$service" root authenticate <<<"not-the-password"
	echo "auth required $top/t/bin/pam_authtok_check.so" >>"/etc/pam.d/$service"
	run -1 pamtester "$service" root authenticate <<<"not-the-password"
}

# Waits (bounded) until FILE holds a line matching PATTERN.
await_line() {
	local i
	for i in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

@test "an empty answer sends a push; approval from another process lets the login in" {
	lv-device keygen --key phone.key >phone.pub
	enrol "$user" --device-key - <phone.pub
	printf '\n\n' | stdbuf -o0 pamtester "$service" "$user" authenticate >pam.out 2>&1 &
	pam=$!
	await_line pam.out "pick [0-9][0-9]"
	number=$(sed -n 's/.*pick \([0-9][0-9]\)\..*/\1/p' pam.out)
	id=$(lv-requests list "$user" | cut -f1)
	lv-requests show "$user" "$id" | lv-device sign --key phone.key approve "$number" | lv-requests answer "$user"
	rc=0
	wait "$pam" || rc=$?
	[ "$rc" = 0 ]
	[ "$(cat pam.out)" = "Press Enter for a push, or type a backup code: A login request was sent to your phone. Approve it there and pick $number.
Press Enter once approved, or type a code instead: pamtester: successfully authenticated" ]
}

@test "a code typed at the push's second prompt is checked instead of the request" {
	lv-device keygen --key phone.key >phone.pub
	enrol "$user" --device-key - <phone.pub
	run -0 stdbuf -o0 pamtester "$service" "$user" authenticate < <(printf '\n%s\n' "$code")
	[[ "$output" =~ ^"Press Enter for a push, or type a backup code: A login request was sent to your phone. Approve it there and pick "[0-9][0-9]".
Press Enter once approved, or type a code instead: pamtester: successfully authenticated"$ ]] || { printf "%s\n" "$output"; false; }
}

@test "a denied push leaves the login out" {
	lv-device keygen --key phone.key >phone.pub
	enrol "$user" --device-key - <phone.pub
	printf '\n\n' | stdbuf -o0 pamtester "$service" "$user" authenticate >pam.out 2>&1 &
	pam=$!
	await_line pam.out "pick [0-9][0-9]"
	number=$(sed -n 's/.*pick \([0-9][0-9]\)\..*/\1/p' pam.out)
	id=$(lv-requests list "$user" | cut -f1)
	lv-requests show "$user" "$id" | lv-device sign --key phone.key deny "$number" | lv-requests answer "$user"
	rc=0
	wait "$pam" || rc=$?
	[ "$rc" = 1 ]
	[ "$(tail -1 pam.out)" = "pamtester: Authentication failure" ]
}
