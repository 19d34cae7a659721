#!/usr/bin/env bats
# lv-sendcode: the message, the policy (resend wait, caps, countries) and
# what lv-status shows of it.
load lib

# faketime -f with an absolute time freezes the clock there: exact seconds.
T0="2030-01-01 00:00:00"

conf() {
	printf '%s\n' "$@" >"$LV_CONF"
}

# The audit lines of an account without their time and "by=" field.
audit_of() {
	sed -e 's/^[^ ]* //' -e 's/ by=[^ ]*//' "$(acctdir "$1")/audit"
}

@test "lv-sendcode prints the phone and a message with a fresh 6-digit code" {
	enrol alice
	run -0 --separate-stderr lv-sendcode alice
	[[ "$output" =~ ^\+15551234567$'\t'"lv login code: "[0-9]{6}". It expires in 10 minutes."$ ]]
	[ "$stderr" = "" ]
}

@test "the message comes from sms_template with {code}, {minutes} and {site}" {
	conf 'site_name = Example' 'sms_ttl = 300' 'sms_template = {site}: {code} ({minutes} min) {{ok}'
	enrol alice
	run -0 lv-sendcode alice
	[[ "$output" =~ ^\+15551234567$'\t'"Example: "[0-9]{6}" (5 min) {ok}"$ ]]
}

@test "a template with an unknown field or without {code} exits 78 and sends nothing" {
	enrol alice
	conf 'sms_template = Your code is {kode}'
	run -78 lv-sendcode alice
	[ "$output" = 'lv-sendcode: sms_template: unknown field at "{kode}"' ]
	conf 'sms_template = Your login code is on its way'
	run -78 lv-sendcode alice
	[ "$output" = "lv-sendcode: sms_template: it has no {code}" ]
	printf 'sms_template = Your\tcode {code}\n' >"$LV_CONF"
	run -78 lv-sendcode alice
	[ "$output" = "lv-sendcode: sms_template: control characters (a tab) are not allowed" ]
	run -0 lv-status alice
	[[ "$output" == *$'sms-last-sent\tnever\nsms-pending\tno\n'* ]]
}

@test "a resend 119 s after the last send exits 75 with the seconds to wait; at 121 s it is sent" {
	enrol alice
	run -0 faketime -f "$T0" lv-sendcode alice
	run -75 faketime -f "2030-01-01 00:01:59" lv-sendcode alice
	[ "$output" = "lv-sendcode: resend too soon: the last code was sent 119 s ago and may still arrive; wait 1 s before asking for another" ]
	run -0 faketime -f "2030-01-01 00:02:01" lv-sendcode alice
	[ "$(sms-code <<<"$output" | wc -c)" -eq 7 ]
}

@test "the resend wait comes from sms_resend" {
	conf 'sms_resend = 10'
	enrol alice
	run -0 faketime -f "$T0" lv-sendcode alice
	run -75 faketime -f "2030-01-01 00:00:04" lv-sendcode alice
	[ "$output" = "lv-sendcode: resend too soon: the last code was sent 4 s ago and may still arrive; wait 6 s before asking for another" ]
	run -0 faketime -f "2030-01-01 00:00:10" lv-sendcode alice
}

@test "the eleventh send within 24 h exits 75 and says when the oldest leaves the day" {
	enrol alice
	for h in 00 01 02 03 04 05 06 07 08 09; do
		faketime -f "2030-01-01 $h:00:00" lv-sendcode alice >/dev/null
	done
	run -75 faketime -f "2030-01-01 23:59:59" lv-sendcode alice
	[ "$output" = "lv-sendcode: alice was sent 10 codes in 24 h, the limit: try again in 1 s" ]
	run -0 faketime -f "2030-01-02 00:00:00" lv-sendcode alice
	run -75 faketime -f "2030-01-02 00:30:00" lv-sendcode alice
	[ "$output" = "lv-sendcode: alice was sent 10 codes in 24 h, the limit: try again in 1800 s" ]
}

@test "past the site-wide hourly cap every account gets 75, and no wait starts" {
	conf 'sms_hourly_site = 2'
	enrol alice
	enrol bob
	enrol carol
	run -0 faketime -f "$T0" lv-sendcode alice
	run -0 faketime -f "2030-01-01 00:10:00" lv-sendcode bob
	run -75 faketime -f "2030-01-01 00:20:00" lv-sendcode carol
	[ "$output" = "lv-sendcode: the site-wide limit of 2 SMS codes an hour is reached: try again in 2400 s" ]
	run -0 faketime -f "2030-01-01 00:20:00" lv-status carol
	[[ "$output" == *$'sms-last-sent\tnever\nsms-pending\tno\n'* ]]
	[ "$(audit_of carol | tail -n 2)" = "event=sms-send method=sms result=ok to=+1******4567 seq=1
event=sms-withdraw method=sms result=ok to=+1******4567 seq=1 reason=site-cap" ]
	run -75 faketime -f "2030-01-01 00:59:59" lv-sendcode carol
	run -0 faketime -f "2030-01-01 01:00:00" lv-sendcode carol
}

@test "sms_hourly_site = 0 and sms_daily = 0 are no caps" {
	conf 'sms_hourly_site = 0' 'sms_daily = 0' 'sms_resend = 0'
	enrol alice
	for i in $(seq 12); do
		run -0 lv-sendcode alice
	done
}

@test "a number outside sms_countries exits 69; the prefixes allow the rest" {
	conf 'sms_countries = +44, +49'
	enrol alice
	enrol hans --phone +4915112345678
	run -69 lv-sendcode alice
	[ "$output" = "lv-sendcode: SMS codes are not sent to this country (sms_countries)" ]
	[ "$(audit_of alice | tail -n 1)" = "event=sms-send method=sms result=refused to=+1******4567 reason=country" ]
	run -0 lv-sendcode hans
	[[ "$output" == +4915112345678$'\t'* ]]
	conf 'sms_countries = +44,+1'
	run -0 lv-sendcode alice
}

@test "a malformed sms_countries exits 78" {
	conf 'sms_countries = 44'
	enrol alice
	run -78 lv-sendcode alice
	[ "$output" = 'lv-sendcode: sms_countries: "44" is not a prefix like +44' ]
}

@test "an account with no phone exits 69" {
	enrol alice
	records-del "$(records alice)" phone
	run -69 lv-sendcode alice
	[ "$output" = "lv-sendcode: alice has no phone for SMS codes" ]
}

@test "no account, an unenrolled one, or a bad name: 66, 66, 65" {
	enrol alice
	run -66 lv-sendcode bob
	[ "$output" = "lv-sendcode: no such account: bob" ]
	lv-unenroll alice --reason test
	run -66 lv-sendcode alice
	[ "$output" = "lv-sendcode: login verification is not enabled for alice" ]
	run -65 lv-sendcode 'al ice'
	[ "$output" = "lv-sendcode: bad account name" ]
}

@test "usage errors exit 64; --help prints the synopsis" {
	enrol alice
	run -64 lv-sendcode
	[ "$output" = "lv-sendcode: missing operand; usage: lv-sendcode [-d DIR] [-c FILE] ACCOUNT [--exec CMD]" ]
	run -64 lv-sendcode alice --exec ' '
	[ "$output" = "lv-sendcode: --exec needs a command; usage: lv-sendcode [-d DIR] [-c FILE] ACCOUNT [--exec CMD]" ]
	run -64 lv-sendcode alice --code 123456
	[ "$output" = "lv-sendcode: unknown option --code; usage: lv-sendcode [-d DIR] [-c FILE] ACCOUNT [--exec CMD]" ]
	run -0 lv-sendcode --help
	[ "$output" = "usage: lv-sendcode [-d DIR] [-c FILE] ACCOUNT [--exec CMD]" ]
}

@test "lv-status shows the masked phone, the last send and whether a code is pending" {
	enrol alice
	run -0 lv-status alice
	[[ "$output" == *$'phone\t+1******4567\nsms-last-sent\tnever\nsms-pending\tno\n'* ]]
	sms=$(faketime -f "$T0" lv-sendcode alice | sms-code)
	run -0 faketime -f "2030-01-01 00:05:00" lv-status alice
	[[ "$output" == *$'phone\t+1******4567\nsms-last-sent\t2030-01-01T00:00:00Z\nsms-pending\tyes\n'* ]]
	[[ "$output" != *"$sms"* ]]
	run -0 faketime -f "2030-01-01 00:10:01" lv-status alice
	[[ "$output" == *$'sms-last-sent\t2030-01-01T00:00:00Z\nsms-pending\tno\n'* ]]
	run -0 faketime -f "2030-01-01 00:05:00" lv-status alice --json
	[[ "$output" == *'"sms-pending"'* ]]
}

@test "sends go to the audit log with the masked number only" {
	enrol alice
	run -0 faketime -f "$T0" lv-sendcode alice
	run -75 faketime -f "$T0" lv-sendcode alice
	[ "$(audit_of alice | tail -n 2)" = "event=sms-send method=sms result=ok to=+1******4567 seq=1
event=sms-send method=sms result=refused to=+1******4567 reason=resend-wait" ]
	run grep -c 5551234567 "$(acctdir alice)/audit"
	[ "$output" = 0 ]
}

@test "issuing a code never resets the failure count" {
	enrol alice
	run -1 lv-verify alice <<<000000
	run -1 lv-verify alice <<<000001
	run -0 faketime -f "$T0" lv-sendcode alice
	run -0 faketime -f "2030-01-01 00:02:00" lv-sendcode alice
	run -0 lv-status alice
	[[ "$output" == *$'failures\t2\n'* ]]
}
