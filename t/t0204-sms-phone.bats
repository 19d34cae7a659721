#!/usr/bin/env bats
# A changed or removed phone number: pending codes are withdrawn, the next
# send goes to the new number, and the send history outlives unenrolment.
load lib

# faketime -f with an absolute time freezes the clock there: exact seconds.
T0="2030-01-01 00:00:00"

@test "a new number takes effect for the next send and withdraws codes sent to the old one" {
	enrol alice
	sms=$(faketime -f "$T0" lv-sendcode alice | sms-code)
	run -0 faketime -f "2030-01-01 00:01:00" lv-enroll --update alice --phone +447700900123
	[ "$output" = "" ]
	run -0 faketime -f "2030-01-01 00:01:00" lv-status alice
	[[ "$output" == *$'phone\t+4*******0123\nsms-last-sent\t2030-01-01T00:00:00Z\nsms-pending\tno\n'* ]]
	run -1 faketime -f "2030-01-01 00:01:00" lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: rejected: this SMS code was withdrawn: the phone number changed" ]
	run -0 faketime -f "2030-01-01 00:02:00" lv-sendcode alice
	[[ "$output" == +447700900123$'\t'* ]]
	run -0 faketime -f "2030-01-01 00:03:00" lv-verify alice <<<"$(sms-code <<<"$output")"
}

@test "a phone change runs the notify command with the masked old and new numbers" {
	mkdir rec
	printf 'notify = %s/bin/record-sms %s ok\n' "$BATS_TEST_DIRNAME" "$PWD/rec" >"$LV_CONF"
	enrol alice
	run -0 lv-enroll --update alice --phone +447700900123
	[ "$(cat rec/argv)" = "$PWD/rec
ok
phone-changed
alice" ]
	[ "$(cat rec/stdin)" = "The login verification phone of alice changed from +1******4567 to +4*******0123." ]
}

@test "a failing notify command is logged and does not undo the phone change" {
	printf 'notify = /bin/false\n' >"$LV_CONF"
	enrol alice 2>/dev/null
	run -0 lv-enroll --update alice --phone +447700900123
	[ "$output" = "lv-enroll: notify command failed for alice event phone-changed" ]
	run -0 tail -1 "$(acctdir alice)/audit"
	[[ "$output" == *" event=notify method=- result=failed by="*" for=phone-changed" ]]
	run -0 lv-status alice
	[[ "$output" == *$'phone\t+4*******0123\n'* ]]
	run -0 lv-sendcode alice
	[[ "$output" == +447700900123$'\t'* ]]
}

@test "the send history outlives unenrolment: the resend wait still holds after re-enrolling" {
	enrol alice
	run -0 faketime -f "$T0" lv-sendcode alice
	run -0 faketime -f "2030-01-01 00:00:10" lv-unenroll alice --reason "lost phone"
	run -0 faketime -f "2030-01-01 00:00:20" lv-enroll alice --phone +447700900123
	run -75 faketime -f "2030-01-01 00:01:00" lv-sendcode alice
	[ "$output" = "lv-sendcode: resend too soon: the last code was sent 60 s ago and may still arrive; wait 60 s before asking for another" ]
	run -0 faketime -f "2030-01-01 00:02:00" lv-sendcode alice
}

@test "the daily cap outlives unenrolment" {
	printf 'sms_daily = 2\nsms_resend = 0\n' >"$LV_CONF"
	enrol alice
	run -0 faketime -f "$T0" lv-sendcode alice
	run -0 faketime -f "$T0" lv-sendcode alice
	lv-unenroll alice --reason test
	enrol alice
	run -75 faketime -f "2030-01-01 01:00:00" lv-sendcode alice
	[ "$output" = "lv-sendcode: alice was sent 2 codes in 24 h, the limit: try again in 82800 s" ]
}

@test "unenrolment removes every code and the number" {
	enrol alice
	sms=$(lv-sendcode alice | sms-code)
	lv-unenroll alice --reason test
	run grep -c 'sms\.code\.\|5551234567' <(state_bytes)
	[ "$output" = 0 ]
	enrol alice
	run -1 lv-verify alice <<<"$sms"
	[ "$output" = "lv-verify: rejected: wrong code (no SMS code is pending)" ]
}
