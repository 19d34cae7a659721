#!/usr/bin/env bats
# Remembered devices are forgotten with what they stood in for: a phone
# number change, a method removed, unenrolment, a sign-out from the
# enrolling device; and on request, by support (--reason) or for the user
# (--self). Each revocation is audited.
load lib

NOT_REMEMBERED="lv-verify: rejected: this device is not remembered (forgotten, expired or never remembered): give a code"

# remember ACCOUNT LABEL: a backup code accepted with --remember LABEL; the
# token in $token (and appended to $tokens).
remember() {
	local c
	c=$(lv-backup new "$1") || return 1
	token=$(lv-verify "$1" --remember "$2" <<<"$c") || return 1
	tokens+=("$token")
}

# refused ACCOUNT: every token of $tokens is refused as not remembered.
refused() {
	local t
	for t in "${tokens[@]}"; do
		run --separate-stderr -1 lv-verify "$1" --method remembered <<<"$t"
		[ "$stderr" = "$NOT_REMEMBERED" ] || return 1
	done
}

# revoked ACCOUNT WHY COUNT: the last remember-revoke line says so.
revoked() {
	run lv-status --log "$1" # 66 once unenrolled, after printing the log
	[[ "$(grep 'event=remember-revoke' <<<"$output" | tail -n 1)" == *" method=remembered result=ok by="*" count=$3 why=$2"* ]]
}

@test "a phone number change forgets every remembered device; the same number again does not" {
	enrol alice
	remember alice laptop
	lv-enroll --update alice --phone +15551234567
	run -0 lv-verify alice --method remembered <<<"$token"
	tokens=("$output")
	remember alice phone
	lv-enroll --update alice --phone +15557654321
	refused alice
	revoked alice phone-changed 2
	[ "$(lv-status alice | grep -c '^remembered')" -eq 0 ]
}

@test "removing a method forgets every remembered device, the account staying enrolled" {
	enrol alice --phone +15551234567 --totp
	remember alice laptop
	remember alice phone
	run -0 lv-unenroll alice --totp --reason "new app"
	[ "$(fact alice enrolled)" = yes ]
	refused alice
	revoked alice method-removed 2
}

@test "removing a device forgets every remembered device" {
	device phone
	enrol alice --phone +15551234567 --device-key - <phone.pub
	remember alice laptop
	run -0 lv-unenroll alice --device "$(lv-status alice | awk -F '\t' '$1 == "device" { print $2 }')" --reason lost
	refused alice
	revoked alice method-removed 1
}

@test "unenrolment forgets every remembered device, for good: enrolling again brings none back" {
	enrol alice
	remember alice laptop
	run -0 lv-unenroll alice --reason "left"
	revoked alice unenrolled 1
	enrol alice
	refused alice
}

@test "signing out of the enrolling device forgets every remembered device" {
	device first
	enrol alice --device-key - <first.pub
	remember alice laptop
	run -0 bash -c "lv-device signout --key first.key alice | lv-unenroll alice --signed-out"
	revoked alice signed-out 1
	enrol alice
	refused alice
}

@test "support forgets every remembered device with --forget-devices --reason, audited and notified" {
	conf "notify = $(notifier)"
	enrol alice
	remember alice laptop
	remember alice phone
	run --separate-stderr -0 lv-unenroll alice --forget-devices --reason "ticket 12: laptop stolen"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	run -0 lv-status --log alice
	[[ "${lines[-1]}" == *" event=remember-revoke method=remembered result=ok by="*' count=2 why=support reason="ticket 12: laptop stolen"' ]]
	refused alice
	[ "$(fact alice enrolled)" = yes ]
	grep -qx devices-forgotten notified
	grep -q '^2 remembered device(s) of alice were forgotten: each will be asked for a code again.$' notified
}

@test "the user's own request (--self) forgets every remembered device without a reason" {
	enrol alice
	remember alice laptop
	run -0 lv-unenroll alice --forget-devices --self
	refused alice
	revoked alice self 1
}

@test "--forget-device ID forgets that device alone" {
	enrol alice
	remember alice laptop
	keep=$token
	remember alice phone
	id=${token:5:16}
	run -0 lv-unenroll alice --forget-device "$id" --self
	tokens=("$token")
	refused alice
	run -0 lv-verify alice --method remembered <<<"$keep"
	revoked alice self 1
	run -69 lv-unenroll alice --forget-device "$id" --self
	[ "$output" = "lv-unenroll: alice has no remembered device $id (lv-status lists them)" ]
	run -65 lv-unenroll alice --forget-device nonsense --self
	[ "$output" = "lv-unenroll: bad remembered device id (lv-status lists them)" ]
}

@test "--forget-devices with none remembered changes nothing and exits 0" {
	enrol alice
	cp "$(records alice)" before
	run -0 lv-unenroll alice --forget-devices --reason "user asked"
	cmp before "$(records alice)"
	run -0 lv-status --log alice
	[[ "$output" != *remember-revoke* ]]
}

@test "usage: --forget-devices needs --reason or --self; --self goes with forgetting only" {
	enrol alice
	run -64 lv-unenroll alice --forget-devices
	[[ "$output" == "lv-unenroll: --reason TEXT is required (why, for the audit log: a ticket, what the user said); usage: "* ]]
	run -64 lv-unenroll alice --self --reason x
	[[ "$output" == "lv-unenroll: --self goes with --forget-devices or --forget-device; usage: "* ]]
	run -64 lv-unenroll alice --forget-devices --phone --reason x
	[[ "$output" == "lv-unenroll: remove one method at a time; usage: "* ]]
	run -66 lv-unenroll bob --forget-devices --self
}
