#!/usr/bin/env bats
# lv-verify with SMS codes: lifetime, the two newest codes, spending, burning
# and the lock-out.
load lib

# faketime -f with an absolute time freezes the clock there: exact seconds.
T0="2030-01-01 00:00:00"

# send WHEN ACCOUNT: sends a code at that time and leaves it in $sms.
send() {
	sms=$(faketime -f "$1" lv-sendcode "$2" | sms-code)
	[ ${#sms} -eq 6 ]
}

# A 6-digit code that is not $1.
other() {
	printf '%06d' $(((10#$1 + 1) % 1000000))
}

@test "a code is accepted 10 minutes after it was sent" {
	enrol alice
	send "$T0" alice
	run -0 faketime -f "2030-01-01 00:10:00" lv-verify alice <<<"$sms"
	[ "$output" = "" ]
}

@test "a code is refused as expired 10 minutes and 1 second after it was sent" {
	enrol alice
	send "$T0" alice
	run -1 faketime -f "2030-01-01 00:10:01" lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: rejected: this SMS code has expired: ask for a new one" ]
}

@test "the late first code is accepted after a resend, and spends the second" {
	enrol alice
	send "$T0" alice
	first=$sms
	send "2030-01-01 00:02:01" alice
	run -0 faketime -f "2030-01-01 00:03:00" lv-verify alice --method sms <<<"$first"
	run -1 faketime -f "2030-01-01 00:03:00" lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: rejected: this SMS code was spent: another code sent with it was used" ]
}

@test "the newest code spends the first too" {
	enrol alice
	send "$T0" alice
	first=$sms
	send "2030-01-01 00:02:01" alice
	run -0 faketime -f "2030-01-01 00:03:00" lv-verify alice <<<"$sms"
	run -1 faketime -f "2030-01-01 00:03:00" lv-verify alice <<<"$first"
	[ "$output" = "lv-verify: rejected: this SMS code was spent: another code sent with it was used" ]
}

@test "only the two newest codes are accepted" {
	enrol alice
	send "$T0" alice
	first=$sms
	send "2030-01-01 00:02:00" alice
	second=$sms
	send "2030-01-01 00:04:00" alice
	run -1 faketime -f "2030-01-01 00:05:00" lv-verify alice <<<"$first"
	[ "$output" = "lv-verify: rejected: newer SMS codes were sent since: use the latest one" ]
	run -0 faketime -f "2030-01-01 00:05:00" lv-verify alice <<<"$second"
}

@test "a used code is refused when replayed" {
	enrol alice
	send "$T0" alice
	run -0 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$sms"
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: rejected: this SMS code was used already" ]
	run -0 faketime -f "2030-01-01 00:01:00" lv-status alice
	[[ "$output" == *$'sms-pending\tno\n'* ]]
}

@test "a wrong code is refused as wrong, and says when no code is pending" {
	enrol alice
	run -1 lv-verify alice --method sms <<<123456
	[ "$output" = "lv-verify: rejected: wrong code (no SMS code is pending)" ]
	send "$T0" alice
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$(other "$sms")"
	[ "$output" = "lv-verify: rejected: wrong code" ]
	run -0 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"${sms:0:3} ${sms:3}"
}

@test "a code is burned after 5 wrong tries against it, and not after 4" {
	printf 'lock_after = 100\n' >"$LV_CONF"
	enrol alice
	enrol bob
	send "$T0" alice
	alices=$sms
	send "$T0" bob
	for i in 1 2 3 4; do
		run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$(other "$alices")"
		run -1 faketime -f "2030-01-01 00:01:00" lv-verify bob <<<"$(other "$sms")"
	done
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$(other "$alices")"
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$alices"
	[ "$output" = "lv-verify: rejected: this SMS code was burned after 5 wrong tries: ask for a new one" ]
	run -0 faketime -f "2030-01-01 00:01:00" lv-verify bob <<<"$sms"
}

@test "sms_max_tries sets the tries before a code is burned" {
	printf 'sms_max_tries = 2\n' >"$LV_CONF"
	enrol alice
	send "$T0" alice
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$(other "$sms")"
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$(other "$sms")"
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: rejected: this SMS code was burned after 2 wrong tries: ask for a new one" ]
}

@test "while locked out 6-digit answers exit 75, and a backup code still works" {
	enrol alice
	send "$T0" alice
	for i in 1 2 3 4 5; do
		run -1 faketime -f "$T0" lv-verify alice <<<"$(other "$sms")"
	done
	run -75 faketime -f "$T0" lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: alice is locked after too many failures: try again in 60 s, or use a backup code" ]
	run -75 faketime -f "$T0" lv-verify alice --method sms <<<"$(other "$sms")"
	run -0 faketime -f "$T0" lv-status alice
	[[ "$output" == *$'failures\t5\n'* ]]
	run -0 faketime -f "$T0" lv-verify alice <<<"$code"
	run -0 faketime -f "$T0" lv-status alice
	[[ "$output" == *$'failures\t0\n'* ]]
}

@test "a code sent while locked out does not unlock, and waits for the lock to end" {
	enrol alice
	for i in 1 2 3 4 5; do
		run -1 faketime -f "$T0" lv-verify alice <<<000000
	done
	send "$T0" alice
	run -0 faketime -f "$T0" lv-status alice
	[[ "$output" == *$'failures\t5\nthird-party-failures\t0\nlocked-until\t2030-01-01T00:01:00Z'* ]]
	run -75 faketime -f "$T0" lv-verify alice <<<"$sms"
	run -0 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$sms"
}

@test "a failed 6-digit answer counts one failure" {
	enrol alice
	send "$T0" alice
	run -1 faketime -f "$T0" lv-verify alice <<<"$(other "$sms")"
	run -0 faketime -f "$T0" lv-status alice
	[[ "$output" == *$'failures\t1\n'* ]]
}

@test "verifications go to the audit log, with no code in it" {
	enrol alice
	send "$T0" alice
	run -1 faketime -f "$T0" lv-verify alice <<<"$(other "$sms")"
	run -0 faketime -f "$T0" lv-verify alice <<<"$sms"
	run sed -e 's/^[^ ]* //' -e 's/ by=[^ ]*//' "$(acctdir alice)/audit"
	[ "${lines[2]}" = "event=verify method=sms result=reject to=+1******4567" ]
	[ "${lines[3]}" = "event=verify method=sms result=accept to=+1******4567" ]
	run grep -cE "(^|[^0-9a-f])$sms([^0-9a-f]|\$)" "$(acctdir alice)/audit"
	[ "$output" = 0 ]
}
