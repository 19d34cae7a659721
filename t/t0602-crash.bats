#!/usr/bin/env bats
# Crashes and failing storage in the middle of a change (short versions of
# t/stress/crash and t/stress/faults; make stress runs the long ones).
load lib

stress() {
	local prog=$1
	shift
	LV_STRESS_TMP="$BATS_TEST_TMPDIR" "$BATS_TEST_DIRNAME/stress/$prog" "$@"
}

@test "kill -9 at random instants and at each rewrite step leaves the old or the new state" {
	n=40
	[ "${LV_TEST_SLOW:-}" = 1 ] && n=8
	run --separate-stderr -0 stress crash --crashes "$n" --seed 1
	[ "${lines[0]}" = "crash: $n kill -9 at random instants (seed 1), 24 at each rewrite step: every account read cleanly and held the old or the new state" ]
	[[ "${lines[4]}" = "  expiry sweep: $((n / 4)) killed ("* ]]
	[ "${lines[5]}" = "crash: 0 violations" ]
}

@test "each step of the rewrite failing in turn: every writer exits 74 with the old records" {
	LVFI_SO=$(lvfi)
	export LVFI_SO
	run --separate-stderr -0 stress faults
	[ "$output" = "faults: 12 programs x 6 rewrite steps failing = 72 runs: all exited 74, printed nothing (lv-expire: nothing expired), left the records byte for byte, took no step after the failure" ]
}

@test "a failed directory sync after the link takes the new generation back" {
	enrol alice
	cp "$(records alice)" before
	run -74 env LD_PRELOAD="$(lvfi)" LVFI_FAIL=dirfsync lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: cannot sync the directory of alice: Input/output error" ]
	[ "$(records alice)" = "$(acctdir alice)/records.1" ]
	cmp before "$(records alice)"
	[ ! -e "$(acctdir alice)/records.2" ]
	run -0 lv-verify alice <<<"$code"
}

@test "a failed fsync of the new records is never followed by the link" {
	enrol alice
	cp "$(records alice)" before
	run -74 env LD_PRELOAD="$(lvfi)" LVFI_FAIL=fsync LVFI_LOG=steps lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: cannot sync records of alice: Input/output error" ]
	[ "$(tail -n 2 steps | tr '\n' ' ')" = "fsync fail close ok " ]
	[ "$(grep -c -e link -e 'fsync ok' steps)" = 0 ]
	cmp before "$(records alice)"
	[ "$(ls -A "$(acctdir alice)")" = $'audit\nlock\nrecords.1' ]
}

@test "a temporary file left by a killed writer is ignored by readers and never linked" {
	enrol alice
	printf 'torn' > "$(acctdir alice)/.records.tmp.0123456789abcdef"
	run -0 lv-status alice
	[ "${lines[0]}" = "$(printf 'enrolled\tyes')" ]
	run -0 lv-verify alice <<<"$code"
	[ "$(ls -A "$(acctdir alice)")" = $'.records.tmp.0123456789abcdef\naudit\nlock\nrecords.1\nrecords.2' ]
}
