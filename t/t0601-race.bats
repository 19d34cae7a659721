#!/usr/bin/env bats
# Races on one account (short versions of t/stress/race and t/stress/stall;
# make stress runs the long ones).
load lib

stress() {
	local prog=$1
	shift
	LV_STRESS_TMP="$BATS_TEST_TMPDIR" "$BATS_TEST_DIRNAME/stress/$prog" "$@"
}

# Sanitizer and valgrind builds are slow: fewer racers there.
racers() {
	[ "${LV_TEST_SLOW:-}" = 1 ] && echo 8 || echo 32
}

@test "racers presenting one backup code at once: exactly one is accepted, failures counted exactly" {
	n=$(racers)
	run --separate-stderr -0 stress race --trials 3 --racers "$n"
	[ "$output" = "race backup: 3 trials of $n racers: 3 accepted, $((3 * (n - 1))) rejected, 0 busy; one acceptance and an exact failure count in 3/3 trials" ]
}

@test "racers presenting one SMS code at once: exactly one is accepted, failures counted exactly" {
	n=$(racers)
	run --separate-stderr -0 stress race --scenario sms --trials 3 --racers "$n"
	[ "$output" = "race sms: 3 trials of $n racers: 3 accepted, $((3 * (n - 1))) rejected, 0 busy; one acceptance and an exact failure count in 3/3 trials" ]
}

@test "racers presenting one TOTP code at once (a fresh step each trial): exactly one is accepted, failures counted exactly" {
	n=$(racers)
	run --separate-stderr -0 stress race --scenario totp --trials 3 --racers "$n"
	[ "$output" = "race totp: 3 trials of $n racers: 3 accepted, $((3 * (n - 1))) rejected, 0 busy; one acceptance and an exact failure count in 3/3 trials" ]
}

@test "racers presenting one signed request answer at once: exactly one is accepted, the rest rejected" {
	n=$(racers)
	run --separate-stderr -0 stress race --scenario request --trials 3 --racers "$n"
	[ "$output" = "race request: 3 trials of $n racers: 3 accepted, $((3 * (n - 1))) rejected, 0 busy; one acceptance and an exact failure count in 3/3 trials" ]
}

@test "a stopped lock holder makes every racer give up with 75 within the wait, never accept" {
	n=$(racers)
	run --separate-stderr -0 stress stall --racers "$n" --wait-ms 200
	[ "$output" = "stall backup: $n racers against a stopped lock holder (lockf, then lv-verify in its rewrite): all exited 75 within the 200 ms wait, none accepted" ]
}

@test "the busy message says the lock was held too long, and the code still works after" {
	enrol alice
	printf 'lock_wait_ms = 50\n' > "$LV_CONF"
	python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)' "$(acctdir alice)/lock" > held &
	holder=$!
	while [ ! -s held ]; do sleep 0.01; done
	kill -STOP "$holder"
	run -75 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: account is busy (lock held for more than 50 ms); try again" ]
	kill -KILL "$holder"
	wait "$holder" || true
	run -0 lv-verify alice <<<"$code"
	[ "$output" = "" ]
}
