#!/usr/bin/env bats
# lv-verify ACCOUNT --methods: what a login prompt may offer, one method a
# line, nothing counted, no secret.
load lib

@test "each method shows by its name, in the documented order" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --phone +15551234567 --totp --device-key - <phone.pub
	run --separate-stderr -0 lv-verify alice --methods
	[ "$output" = "totp
sms
push
backup" ]
	[ "$stderr" = "" ]
	enrol bob --totp
	run -0 lv-verify bob --methods
	[ "$output" = "totp
backup" ]
	enrol carol --device-key - <phone.pub
	run -0 lv-verify carol --methods
	[ "$output" = "push
backup" ]
	enrol dave
	run -0 lv-verify dave --methods
	[ "$output" = "sms
backup" ]
}

@test "backup is listed only while a backup code is active" {
	enrol alice --totp
	lv-verify alice <<<"${code%%$'\n'*}"
	run -0 lv-verify alice --methods
	[ "$output" = "totp" ]
	lv-backup new alice >/dev/null
	run -0 lv-verify alice --methods
	[ "$output" = "totp
backup" ]
}

@test "with an SMS gateway configured, sms says lv-sendcode can send a code itself" {
	conf "sms_gateway = /bin/true"
	enrol alice
	run -0 lv-verify alice --methods
	[ "$output" = "sms	gateway
backup" ]
}

@test "a phone in a country SMS codes are not sent to is not listed; a bad country list exits 78" {
	enrol alice --phone +15551234567 --totp
	conf 'sms_countries = +44, +49'
	run -0 lv-verify alice --methods
	[ "$output" = "totp
backup" ]
	conf 'sms_countries = 44'
	run --separate-stderr -78 lv-verify alice --methods
	[ "$output" = "" ]
	[ "$stderr" = 'lv-verify: sms_countries: "44" is not a prefix like +44' ]
}

@test "a third-party client is told of a live temporary password only" {
	enrol alice
	run -0 lv-verify alice --methods --client third-party
	[ "$output" = "" ]
	lv-temppass alice --label mail --ttl 60 >/dev/null
	run -0 lv-verify alice --methods --client third-party
	[ "$output" = "temp" ]
	run -0 at +61s lv-verify alice --methods --client third-party
	[ "$output" = "" ]
	run -0 lv-verify alice --methods --client first-party
	[ "$output" = "sms
backup" ]
}

@test "an account that is not there, not enrolled or turned off exits 66 with nothing on stdout" {
	lv-enroll --init
	run --separate-stderr -66 lv-verify alice --methods
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: no such account: alice" ]
	enrol alice --totp
	lv-unenroll alice --totp --reason "app removed"
	run --separate-stderr -66 lv-verify alice --methods
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: login verification is not enabled for alice" ]
}

@test "asking reads no stdin, counts nothing, writes nothing, and works while locked" {
	enrol alice --totp
	code=${code%%$'\n'*}
	fail_backup alice 5
	cp "$(records alice)" before
	cp "$(acctdir alice)/audit" audit.before
	run -0 lv-verify alice --methods <<<"$code"
	[ "$output" = "totp
backup" ]
	cmp before "$(records alice)"
	cmp audit.before "$(acctdir alice)/audit"
	run -0 lv-verify alice <<<"$code"
}

@test "--methods takes no --method, --request or --wait (64); a bad name exits 65" {
	enrol alice
	for extra in "--method totp" "--request 0123456789ab" "--request 0123456789ab --wait 1"; do
		# shellcheck disable=SC2086
		run -64 lv-verify alice --methods $extra
		[[ "$output" == "lv-verify: --methods lists the methods; it takes no --method, --request or --wait; usage: "* ]]
	done
	run -64 lv-verify alice --methods --wait 1
	run -65 lv-verify ../alice --methods
	[ "$output" = "lv-verify: bad account name" ]
}
