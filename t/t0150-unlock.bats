#!/usr/bin/env bats
# lv-unlock: support clears a lock-out and the failure count at once,
# with a reason for the audit log.
load lib

@test "lv-unlock clears a lock-out and the failure count at once" {
	enrol alice
	fail_backup alice 6
	run -75 lv-verify alice <<<123456
	run --separate-stderr -0 lv-unlock alice --reason "ticket 42: owner called"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	[ "$(fact alice failures)" = 0 ]
	[ "$(fact alice locked-until)" = no ]
	run -1 lv-verify alice <<<123456
	# The count starts again from zero: four more do not lock.
	fail_backup alice 3
	run -1 lv-verify alice <<<123456
}

@test "lv-unlock also clears the third-party failure count" {
	enrol alice
	lv-verify alice --client third-party <<<"$WRONG_CODE" || true
	[ "$(fact alice third-party-failures)" = 1 ]
	lv-unlock alice --reason x
	[ "$(fact alice third-party-failures)" = 0 ]
}

@test "lv-unlock is audited with its reason and who ran it" {
	enrol alice
	fail_backup alice 5
	lv-unlock alice --reason "ticket 42"
	run -0 lv-status alice --log
	[[ "${lines[-1]}" =~ ^[0-9T:-]+Z\ event=unlock\ method=-\ result=ok\ by=$(id -un)\ reason=\"ticket\ 42\"$ ]]
}

@test "lv-unlock keeps the backup codes and the phone" {
	enrol alice
	lv-unlock alice --reason x
	[ "$(fact alice backup-codes)" = 1 ]
	[ "$(fact alice phone)" = "+1******4567" ]
	run -0 lv-verify alice <<<"$code"
}

@test "lv-unlock without --reason exits 64 and changes nothing" {
	enrol alice
	fail_backup alice 5
	cp "$(records alice)" before
	run --separate-stderr -64 lv-unlock alice
	[ "$stderr" = "lv-unlock: --reason is required (it goes to the audit log); usage: lv-unlock [-d DIR] [-c FILE] ACCOUNT --reason TEXT" ]
	cmp before "$(records alice)"
}

@test "lv-unlock with a bad reason exits 65 and changes nothing" {
	enrol alice
	fail_backup alice 5
	cp "$(records alice)" before
	run -65 lv-unlock alice --reason $'two\nlines'
	run -65 lv-unlock alice --reason $'a\ttab'
	run -65 lv-unlock alice --reason "$(printf 'x%.0s' {1..129})"
	cmp before "$(records alice)"
	[ "$(fact alice failures)" = 5 ]
}

@test "lv-unlock on an account that is not there or not enrolled exits 66" {
	enrol alice
	run -66 lv-unlock bob --reason x
	[ "$output" = "lv-unlock: no such account: bob" ]
	lv-unenroll alice --reason x
	run -66 lv-unlock alice --reason x
	[ "$output" = "lv-unlock: login verification is not enabled for alice" ]
}
