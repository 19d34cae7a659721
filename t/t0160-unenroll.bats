#!/usr/bin/env bats
# lv-unenroll: turn verification off, or remove one method (off when it was
# the last); every secret and the full number go, the audit log, the rate
# counters and the lock file stay.
load lib

@test "unenrolment turns verification off: lv-verify and lv-backup then exit 66" {
	enrol alice
	run --separate-stderr -0 lv-unenroll alice --reason "lost phone, no backup code"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -66 lv-verify alice <<<"$code"
	run -66 lv-backup new alice
	run -66 lv-status alice
	[ "${lines[1]}" = $'disabled\t'"${lines[1]:9:20}"$'\t'"$(id -un)"$'\tlost phone, no backup code' ]
	[ "$(lv-status --list)" = "" ]
}

@test "unenrolment keeps the audit log, the rate. records and the lock file, and no secret" {
	enrol alice
	lv-backup new alice >/dev/null
	fail_backup alice 2
	lv-records set "$(records alice)" rate.sms.day "1795830000	3"
	local d
	d=$(acctdir alice)
	lv-unenroll alice --reason "support ticket 9"
	[ "$(ls "$d")" = $'audit\nlock\nrecords.5' ]
	run -0 lv-records dump "$d/records.5"
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "ancestry commit disabled generation key-id rate.sms.day " ]
	[[ "$output" == *$'rate.sms.day\t1795830000\t3'* ]]
	[[ "$(state_bytes)" != *5551234567* ]]
	[ "$(grep -c 'event=' "$d/audit")" -eq 5 ]
}

@test "without --reason, turning verification off or removing a method exits 64 and changes nothing" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --phone +15551234567 --totp --device-key - <phone.pub >/dev/null
	cp "$(records alice)" before
	id=$(lv-status alice | awk -F '\t' '$1 == "device" { print $2 }')
	for what in "" --phone --totp "--device $id"; do
		# shellcheck disable=SC2086
		run -64 lv-unenroll alice $what
		[ "$output" = "lv-unenroll: --reason TEXT is required (why, for the audit log: a ticket, what the user said); usage: lv-unenroll [-d DIR] [-c FILE] ACCOUNT --reason TEXT [--phone | --device ID | --totp | --key ID] | lv-unenroll ACCOUNT --signed-out [--reason TEXT] | lv-unenroll ACCOUNT {--forget-devices | --forget-device ID} {--reason TEXT | --self}" ]
	done
	cmp before "$(records alice)"
	[ "$(grep -c 'event=unenrol\|event=remove-method' "$(acctdir alice)/audit")" = 0 ]
}

@test "the reason is in the disabled line and the audit line" {
	enrol alice
	lv-unenroll alice --reason "lost phone, no backup code; ticket 4711"
	run -66 lv-status alice
	[ "${lines[1]##*$'\t'}" = "lost phone, no backup code; ticket 4711" ]
	[[ "$(lv-status alice --log)" == *' event=unenrol method=all result=ok by='"$(id -un)"' reason="lost phone, no backup code; ticket 4711"' ]]
}

@test "--phone removes the last method, so verification is off, and the disabled line says so with the reason" {
	enrol alice
	run -0 lv-unenroll alice --phone --reason "user deleted the phone"
	run -66 lv-status alice
	[ "${lines[1]##*$'\t'}" = "last method removed: user deleted the phone" ]
	run -66 lv-verify alice <<<"$code"
	[[ "$(lv-status alice --log)" == *' event=unenrol method=sms result=ok by='*' phone=+1******4567 reason="user deleted the phone"' ]]
	[[ "$(state_bytes)" != *5551234567* ]]
}

@test "removing one method of several records the reason and leaves verification on" {
	enrol alice --phone +15551234567 --totp >/dev/null
	run -0 lv-unenroll alice --totp --reason "new phone, app not set up"
	[ "$(fact alice enrolled)" = yes ]
	[[ "$(lv-status alice --log)" == *' event=remove-method method=totp result=ok by='*' reason="new phone, app not set up"' ]]
}

@test "removing a method the account does not have exits 69 and changes nothing" {
	enrol alice
	cp "$(records alice)" before
	run -69 lv-unenroll alice --totp --reason x
	[ "$output" = "lv-unenroll: alice has no TOTP" ]
	cmp before "$(records alice)"
	[ "$(fact alice enrolled)" = yes ]
}

@test "unenrolling an account that is not there or not enrolled exits 66" {
	lv-enroll --init
	run -66 lv-unenroll alice --reason x
	[ "$output" = "lv-unenroll: no such account: alice" ]
	enrol alice
	lv-unenroll alice --reason x
	cp "$(records alice)" before
	run -66 lv-unenroll alice --reason y
	[ "$output" = "lv-unenroll: login verification is not enabled for alice" ]
	cmp before "$(records alice)"
}

@test "the lock-out goes with unenrolment; a new enrolment starts clean" {
	enrol alice
	fail_backup alice 5
	lv-unenroll alice --reason x
	enrol alice
	[ "$(fact alice failures)" = 0 ]
	[ "$(fact alice locked-until)" = no ]
}

@test "rate. records survive unenrolment and a new enrolment" {
	enrol alice
	lv-records set "$(records alice)" rate.sms.day "1795830000	3"
	lv-unenroll alice --reason x
	enrol alice
	[ "$(lv-records dump "$(records alice)" | grep '^rate\.')" = $'rate.sms.day\t1795830000\t3' ]
}
