#!/usr/bin/env bats
# lv-enroll turns verification on and prints the first backup code;
# --update changes the phone of an enrolled account.
load lib

CODE_RE='^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'

@test "enrolment prints the first backup code alone on a line, and turns verification on" {
	run --separate-stderr -0 lv-enroll alice --phone +15551234567
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ $CODE_RE ]]
	[ "$(fact alice enrolled)" = yes ]
	[ "$(fact alice backup-codes)" = 1 ]
	[ "$(fact alice phone)" = "+1******4567" ]
	run -0 lv-verify alice <<<"$output"
}

@test "each enrolment gets a different code" {
	local seen=""
	for n in a b c d e f g h; do
		enrol "$n"
		[[ "$seen" != *"$code"* ]]
		seen="$seen $code"
	done
}

@test "enrolling an enrolled account exits 73 and changes nothing" {
	enrol alice
	cp "$(records alice)" before
	run --separate-stderr -73 lv-enroll alice --phone +15559999999
	[ "$output" = "" ]
	[ "$stderr" = "lv-enroll: alice is enrolled already (use --update to change a method)" ]
	cmp before "$(records alice)"
	[ "$(fact alice phone)" = "+1******4567" ]
	run -0 lv-verify alice <<<"$code"
}

@test "--update --phone replaces the number, prints no code, keeps the backup codes" {
	enrol alice
	run --separate-stderr -0 lv-enroll --update alice --phone +4915112345678
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ "$(fact alice phone)" = "+4********5678" ]
	[ "$(fact alice backup-codes)" = 1 ]
	run -0 lv-verify alice <<<"$code"
	[[ "$(lv-status alice --log)" == *"event=update method=sms result=ok by=$(id -un) phone=+4********5678"* ]]
}

@test "--update on an account that is not there exits 66 and makes no directory" {
	lv-enroll --init
	run -66 lv-enroll --update alice --phone +15551234567
	[ "$output" = "lv-enroll: no such account: alice" ]
	[ -z "$(acctdir alice)" ]
}

@test "--update on an unenrolled account exits 66 and does not turn it on" {
	enrol alice
	lv-unenroll alice --reason x
	run -66 lv-enroll --update alice --phone +15551234567
	[ "$output" = "lv-enroll: login verification is not enabled for alice" ]
	run -66 lv-status alice
}

@test "an unenrolled account can enrol again; its old codes are gone" {
	enrol alice
	local old=$code
	lv-unenroll alice --reason "lost phone"
	enrol alice --phone +15557654321
	[ "$code" != "$old" ]
	run -1 lv-verify alice <<<"$old"
	[ "$output" = "lv-verify: rejected: wrong backup code" ]
	run -0 lv-status alice
	[[ "$output" != *disabled* ]]
	run -0 lv-verify alice <<<"$code"
}

@test "enrolment is audited with the masked phone" {
	enrol alice
	run -0 lv-status alice --log
	[[ "${lines[-1]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\ event=enrol\ method=sms\ result=ok\ by=$(id -un)\ phone=\+1\*\*\*\*\*\*4567$ ]]
}

@test "a malformed phone or name on enrolment touches no file (65)" {
	lv-enroll --init
	find "$LV_DIR" | sort >before
	run -65 lv-enroll alice --phone 555
	run -65 lv-enroll al/ice --phone +15551234567
	find "$LV_DIR" | sort | cmp before -
}

@test "lv-enroll is the only program that creates the state directory" {
	run -78 lv-status --list
	[ ! -e "$LV_DIR" ]
	enrol alice
	[ -d "$LV_DIR" ]
}

@test "two enrolments racing on one new account: one gets 0, the other 73" {
	lv-enroll --init
	for i in 1 2 3 4; do
		for s in a b; do
			(rc=0; lv-enroll "r$i" --phone +15551234567 >/dev/null 2>&1 || rc=$?; echo $rc >"rc.$i.$s") &
		done
	done
	wait
	for i in 1 2 3 4; do
		[ "$(sort "rc.$i.a" "rc.$i.b" | tr '\n' ' ')" = "0 73 " ]
		[ "$(fact "r$i" backup-codes)" = 1 ]
	done
}

@test "two first enrolments racing on a fresh machine share one site key" {
	(lv-enroll a --phone +15551234567 >code.a) &
	(lv-enroll b --phone +15551234567 >code.b) &
	wait
	run -0 lv-verify a <code.a
	run -0 lv-verify b <code.b
}
