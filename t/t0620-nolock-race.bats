#!/usr/bin/env bats
# Races with every lock call made a no-op that reports success
# (t/nolock/lvnolock.c): a lock lost without its holder knowing. The lock is
# an optimisation, never the arbiter (SPEC.md "State and safety", issue 14),
# so the outcomes are exactly those of t0601 and t/stress/mix with locks.
# make stress runs the same with more trials.
load lib

NOLOCK="$BATS_TEST_DIRNAME/bin/lvnolock.so"

stress() {
	local prog=$1
	shift
	LV_STRESS_TMP="$BATS_TEST_TMPDIR" LV_NOLOCK_SO="$NOLOCK" "$BATS_TEST_DIRNAME/stress/$prog" "$@"
}

# Sanitizer and valgrind builds are slow: fewer racers and trials there.
racers() {
	[ "${LV_TEST_SLOW:-}" = 1 ] && echo 8 || echo 32
}

trials() {
	[ "${LV_TEST_SLOW:-}" = 1 ] && echo 10 || echo 100
}

# race_nolock SCENARIO: TRIALS trials of RACERS racers on one answer with
# locks disabled: one acceptance a trial, every other racer rejected (1)
# or busy (75), and a failure count equal to the rejections, in every trial.
race_nolock() {
	local n t re
	n=$(racers) t=$(trials)
	run --separate-stderr stress race --nolock --scenario "$1" --trials "$t" --racers "$n"
	shown
	re="^race $1 \(locks disabled\): $t trials of $n racers: $t accepted, ([0-9]+) rejected, ([0-9]+) busy; one acceptance and an exact failure count in $t/$t trials\$"
	[[ $output =~ $re ]]
	[ $((BASH_REMATCH[1] + BASH_REMATCH[2])) -eq $((t * (n - 1))) ]
}

# shown: a driver's report, printed (bats shows it when the test fails),
# and its exit code, 0 only when no violation was found.
shown() {
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

# two_lockers [LIB]: this process and a child (LIB preloaded into both) each
# take an exclusive lockf lock on one file without waiting, the first still
# holding its own; each says whether it got it.
two_lockers() {
	env ${1:+LD_PRELOAD="$1"} python3 - "$BATS_TEST_TMPDIR/lockfile" <<-'EOF'
	import fcntl, os, subprocess, sys
	take = """
	import fcntl, os, sys
	fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
	try:
	    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
	    print("locked", flush=True)
	except OSError:
	    print("busy", flush=True)
	"""
	exec(take)
	subprocess.run([sys.executable, "-c", take, sys.argv[1]], check=True)
	EOF
}

@test "the shim: two processes both get one exclusive lock under it, only one without" {
	run -0 two_lockers
	[ "$output" = "locked
busy" ]
	run -0 two_lockers "$NOLOCK"
	[ "$output" = "locked
locked" ]
}

@test "the shim: lv-verify does not wait for an account lock another process holds" {
	enrol alice
	conf "lock_wait_ms = 50"
	hold_lock alice 60
	run -75 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: account is busy (lock held for more than 50 ms); try again" ]
	run -0 env LD_PRELOAD="$NOLOCK" lv-verify alice <<<"$code"
	[ "$output" = "" ]
	kill "$holder"
	wait "$holder" || true
}

@test "locks disabled: racers presenting one backup code at once: exactly one is accepted, failures counted exactly" {
	race_nolock backup
}

@test "locks disabled: racers presenting one SMS code at once: exactly one is accepted, failures counted exactly" {
	race_nolock sms
}

@test "locks disabled: racers presenting one TOTP code at once: exactly one is accepted, failures counted exactly" {
	race_nolock totp
}

@test "locks disabled: racers presenting one signed request answer at once: exactly one is accepted, the rest rejected" {
	race_nolock request
}

@test "locks disabled: two enrolments of one new account: one enrolled, the other 73, one site key, the winner's records" {
	run --separate-stderr stress mix --nolock --scenario enrol --trials 20
	shown
	[ "$output" = "mix enrol (locks disabled): 20 trials of 2 enrolments of one new account in a fresh state directory: one enrolled, the other 73, one site key, the winner's records alone in 20/20 trials" ]
}

@test "locks disabled: lv-backup new racing lv-verify of a backup code: one acceptance, the released code works, at most 5 active" {
	run --separate-stderr stress mix --nolock --scenario backup --trials 10 --racers 8
	shown
	[ "$output" = "mix backup (locks disabled): 10 trials of lv-backup new and 8 lv-verify of one backup code: one accepted, the release kept, at most 5 active, spent codes refused in 10/10 trials" ]
}

@test "locks disabled: lv-sendcode racing itself: one code sent, the rest refused by the resend wait" {
	run --separate-stderr stress mix --nolock --scenario resend --trials 10 --racers 8
	shown
	[ "$output" = "mix resend (locks disabled): 10 trials of 8 lv-sendcode at one instant: one sent, the rest 75 with the resend wait, the code sent works in 10/10 trials" ]
}

@test "locks disabled: lv-sendcode racing itself: the daily cap is never exceeded" {
	run --separate-stderr stress mix --nolock --scenario daily --trials 10 --racers 8
	shown
	[ "$output" = "mix daily (locks disabled): 10 trials of 8 lv-sendcode at one instant: 3 sent, the rest 75 with the daily cap, 3 recorded in 10/10 trials" ]
}

@test "locks disabled: lv-expire racing logins: the expired code never accepted, the live one once, no decision lost" {
	run --separate-stderr stress mix --nolock --scenario expire --trials 10 --racers 8
	shown
	[ "$output" = "mix expire (locks disabled): 10 trials of 2 lv-expire, 8 lv-verify of a live code and as many of an expired one: the live code accepted once, the expired never, every rejection counted, nothing left to expire in 10/10 trials" ]
}
