#!/usr/bin/env bats
# Two logins present one remembered-device token at once: exactly one is
# accepted (and gets the successor), the other shows an old copy, so the
# series is revoked; with locks and with every lock call a no-op
# (t/nolock/lvnolock.c), where the conditional commit alone decides.
# make stress runs the same with more trials (t/stress/race --scenario remember).
load lib

NOLOCK="$BATS_TEST_DIRNAME/bin/lvnolock.so"

stress() {
	LV_STRESS_TMP="$BATS_TEST_TMPDIR" LV_NOLOCK_SO="$NOLOCK" "$BATS_TEST_DIRNAME/stress/race" "$@"
}

trials() {
	[ "${LV_TEST_SLOW:-}" = 1 ] && echo 5 || echo 20
}

# race_remember [--nolock]: TRIALS trials of 2 and of 8 racers on one token.
race_remember() {
	local n t re
	t=$(trials)
	for n in 2 8; do
		run --separate-stderr stress --scenario remember --trials "$t" --racers "$n" "$@"
		printf '%s\n' "$output"
		[ "$status" -eq 0 ]
		re="^race remember${1:+ \(locks disabled\)}: $t trials of $n racers: $t accepted, $((t * (n - 1))) rejected, 0 busy; one acceptance and an exact failure count in $t/$t trials\$"
		[[ $output =~ $re ]]
	done
}

@test "two logins racing with one token: exactly one accepted, the series revoked" {
	race_remember
}

@test "the same with every lock call a no-op: the conditional commit decides" {
	race_remember --nolock
}

@test "racing with one token by hand: one gets the successor, the other is refused as a copy" {
	enrol alice
	token=$(lv-verify alice --remember laptop <<<"$code")
	pids=()
	for i in 1 2; do
		sh -c 'lv-verify alice --method remembered >"out$1" 2>"err$1"; echo $? >"rc$1"' sh "$i" <<<"$token" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(cat rc1 rc2 | sort | tr '\n' ' ')" = "0 1 " ]
	grep -qh 'so it is a copy' err1 err2
	for f in out1 out2; do
		[ -s $f ] || continue
		run --separate-stderr -1 lv-verify alice --method remembered <"$f"
	done
	[ "$(lv-status alice | grep -c '^remembered')" -eq 0 ]
}
