#!/usr/bin/env bats
# Online guessing: the lock-out bounds how many 6-digit guesses are checked
# (short version of t/stress/guess; make stress floods 10,000).
load lib

@test "a flood of wrong guesses from many processes is checked only as the lock-out schedule allows" {
	n=200
	[ "${LV_TEST_SLOW:-}" = 1 ] && n=48
	run --separate-stderr -0 env LV_STRESS_TMP="$BATS_TEST_TMPDIR" "$BATS_TEST_DIRNAME/stress/guess" --guesses "$n" --procs 8
	[ "${lines[3]}" = "  the owner's backup code, presented with 8 guesses while locked: accepted" ]
	[ "${lines[4]}" = "guess: 0 violations" ]
	[ "${lines[2]}" = "  attacker's best: 33 checks in the first day, 24 a day after; with 2 live SMS codes a check: p <= 33 x 2 / 10^6 = 6.6e-05 the first day, 4.8e-05 a day after" ]
}

@test "five free failures, then lock-outs doubling from one minute; a backup code works while locked" {
	enrol alice
	t0="2030-01-01 00:00:00"
	for i in 1 2 3 4 5; do
		run -1 faketime -f "$t0" lv-verify alice <<<"12345$i"
	done
	run -75 faketime -f "$t0" lv-verify alice <<<"123456"
	[ "$output" = "lv-verify: alice is locked after too many failures: try again in 60 s, or use a backup code" ]
	run -75 faketime -f "2030-01-01 00:00:59" lv-verify alice <<<"123456"
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"123456"
	run -75 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"123456"
	[ "$output" = "lv-verify: alice is locked after too many failures: try again in 120 s, or use a backup code" ]
	run -1 faketime -f "2030-01-01 00:03:00" lv-verify alice <<<"123456"
	run -75 faketime -f "2030-01-01 00:03:00" lv-verify alice <<<"123456"
	[ "$output" = "lv-verify: alice is locked after too many failures: try again in 240 s, or use a backup code" ]
	run -0 faketime -f "2030-01-01 00:03:01" lv-status alice
	[ "$(fact alice failures)" = 7 ]
	[ "$(faketime -f "2030-01-01 00:03:01" lv-status alice | awk -F'\t' '$1 == "locked-until" { print $2 }')" = 2030-01-01T00:07:00Z ]
	run -0 faketime -f "2030-01-01 00:03:01" lv-verify alice <<<"$code"
	run -0 faketime -f "2030-01-01 00:03:01" lv-status alice
	[ "$(fact alice failures)" = 0 ]
	[ "$(fact alice locked-until)" = no ]
}

@test "the lock-out reaches one hour and stays there" {
	enrol alice
	printf 'lock_after = 1\n' > "$LV_CONF"
	t=1893456000
	for delay in 60 120 240 480 960 1920 3600 3600; do
		run -1 faketime -f "$(date -u -d "@$t" '+%Y-%m-%d %H:%M:%S')" lv-verify alice <<<"123456"
		run -75 faketime -f "$(date -u -d "@$t" '+%Y-%m-%d %H:%M:%S')" lv-verify alice <<<"123456"
		[ "$output" = "lv-verify: alice is locked after too many failures: try again in $delay s, or use a backup code" ]
		t=$((t + delay))
	done
}
