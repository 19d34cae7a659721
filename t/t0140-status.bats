#!/usr/bin/env bats
# lv-status: what support may see, one fact a line; --json; --log; --list.
load lib

@test "an enrolled account: one fact a line, phone masked, exactly" {
	enrol alice
	run --separate-stderr -0 lv-status alice
	[ "$output" = "$(printf '%s\n' \
		$'enrolled\tyes' \
		$'phone\t+1******4567' \
		$'sms-last-sent\tnever' \
		$'sms-pending\tno' \
		$'totp\tno' \
		$'backup-codes\t1' \
		$'pending-requests\t0' \
		$'failures\t0' \
		$'third-party-failures\t0' \
		$'locked-until\tno')" ]
	[ "$stderr" = "" ]
}

@test "a lock-out shows the failures and when it ends, in UTC" {
	enrol alice
	faketime -f "2026-05-06 07:08:00" bash -c '. "$1"; fail_backup alice 5' _ "$BATS_TEST_DIRNAME/lib.bash"
	run -0 faketime -f "2026-05-06 07:08:30" lv-status alice
	[ "${lines[7]}" = $'failures\t5' ]
	[ "${lines[9]}" = $'locked-until\t2026-05-06T07:09:00Z' ]
	run -0 faketime -f "2026-05-06 07:09:01" lv-status alice
	[ "${lines[9]}" = $'locked-until\tno' ]
}

@test "an unenrolled account prints its disabled line (when, by whom, why) and exits 66" {
	enrol alice
	faketime -f "2026-02-03 04:05:06" lv-unenroll alice --reason "lost phone, ticket 42"
	run --separate-stderr -66 lv-status alice
	[ "$output" = $'enrolled\tno\ndisabled\t2026-02-03T04:05:06Z\t'"$(id -un)"$'\tlost phone, ticket 42' ]
	[ "$stderr" = "" ]
}

@test "the reason is shown escaped" {
	enrol alice
	lv-unenroll alice --reason 'said "hi" \o/'
	run -66 lv-status alice
	[ "${lines[1]##*$'\t'}" = 'said \"hi\" \\o/' ]
}

@test "an account that was never enrolled exits 66" {
	lv-enroll --init
	run --separate-stderr -66 lv-status alice
	[ "$stderr" = "lv-status: no such account: alice" ]
	[ "$output" = "" ]
}

@test "--json is valid JSON with the same facts, typed" {
	enrol alice
	fail_backup alice 2
	run --separate-stderr -0 lv-status alice --json
	[ "${#lines[@]}" -eq 1 ]
	python3 -m json.tool <<<"$output" >/dev/null
	[ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(repr([d["enrolled"], d["phone"], d["backup-codes"], d["failures"], d["locked-until"]]))' <<<"$output")" = "[True, '+1******4567', 1, 2, None]" ]
}

@test "--json of an unenrolled account is valid JSON, the disabled fact an object, and exits 66" {
	enrol alice
	lv-unenroll alice --reason 'a "quoted" \ reason'
	run --separate-stderr -66 lv-status alice --json
	python3 -m json.tool <<<"$output" >/dev/null
	[ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["enrolled"], sorted(d["disabled"]), d["disabled"]["reason"])' <<<"$output")" = "False ['by', 'reason', 'time'] a \"quoted\" \\ reason" ]
}

@test "--json --log carries the audit log as an array of lines" {
	enrol alice
	lv-verify alice <<<"$code"
	run -0 lv-status alice --log --json
	python3 -m json.tool <<<"$output" >/dev/null
	run -0 python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(d["log"]))' <<<"$output"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *" event=enrol method=sms result=ok by="* ]]
	[[ "${lines[1]}" == *" event=verify method=backup result=accept by="*" seq=1" ]]
}

@test "--log prints the audit lines after the facts, oldest first" {
	faketime -f "2026-01-01 00:00:00" lv-enroll alice --phone +15551234567 >c1
	faketime -f "2026-01-01 00:01:00" lv-verify alice <c1
	faketime -f "2026-01-01 00:02:00" lv-unlock alice --reason "ticket 7"
	run -0 lv-status alice --log
	[ "${#lines[@]}" -eq 13 ]
	[ "${lines[9]}" = $'locked-until\tno' ]
	[ "${lines[10]}" = "2026-01-01T00:00:00Z event=enrol method=sms result=ok by=$(id -un) phone=+1******4567" ]
	[ "${lines[11]}" = "2026-01-01T00:01:00Z event=verify method=backup result=accept by=$(id -un) seq=1" ]
	[ "${lines[12]}" = "2026-01-01T00:02:00Z event=unlock method=- result=ok by=$(id -un) reason=\"ticket 7\"" ]
}

@test "--log works for an unenrolled account and keeps its history" {
	enrol alice
	lv-unenroll alice --reason gone
	run -66 lv-status alice --log
	[[ "${lines[2]}" == *" event=enrol "* ]]
	[[ "${lines[3]}" == *" event=unenrol method=all result=ok by="*' reason="gone"' ]]
}

@test "--list prints every enrolled account, sorted, and not the unenrolled ones" {
	lv-enroll --init
	run -0 lv-status --list
	[ "$output" = "" ]
	for n in zoe bob alice Carol dave@example.org; do enrol "$n"; done
	lv-unenroll bob --reason x
	run --separate-stderr -0 lv-status --list
	[ "$output" = $'Carol\nalice\ndave@example.org\nzoe' ]
}

@test "lv-status reads without the lock and changes nothing" {
	enrol alice
	conf "lock_wait_ms = 100"
	find "$LV_DIR" -type f -exec sha256sum {} + | sort >before
	hold_lock alice 30
	run -0 lv-status alice --log
	run -0 lv-status alice --json
	run -0 lv-status --list
	run -0 lv-backup status alice
	kill "$holder"
	find "$LV_DIR" -type f -exec sha256sum {} + | sort | cmp before -
}

@test "a full standard output is an error (74), never a silent success" {
	enrol alice
	run -74 bash -c 'lv-status alice >/dev/full'
	[ "$output" = "lv-status: cannot write standard output: No space left on device" ]
	run -74 bash -c 'lv-backup new alice >/dev/full'
	run -74 bash -c 'lv-enroll bob --phone +15551234567 >/dev/full'
	run -74 bash -c 'lv-status --list >/dev/full'
}
