#!/usr/bin/env bats
# Backup codes: a numbered sequence, at most five unused, used in order;
# using one invalidates every earlier one; reset starts over.
load lib

INACTIVE="lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new"

@test "a backup code works once; used again it is inactive" {
	enrol alice
	run -0 lv-verify alice <<<"$code"
	run -1 lv-verify alice <<<"$code"
	[ "$output" = "$INACTIVE" ]
	[ "$(fact alice backup-codes)" = 0 ]
}

@test "lv-backup new releases the next code, alone on a line" {
	enrol alice
	run --separate-stderr -0 lv-backup new alice
	[[ "$output" =~ ^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$ ]]
	[ "$stderr" = "" ]
	[ "$output" != "$code" ]
	[ "$(fact alice backup-codes)" = 2 ]
	run -0 lv-verify alice <<<"$output"
}

@test "using a code out of order invalidates every earlier code, not later ones" {
	enrol alice
	local c1=$code c2 c3 c4
	c2=$(lv-backup new alice)
	c3=$(lv-backup new alice)
	c4=$(lv-backup new alice)
	run -0 lv-verify alice <<<"$c3"
	[ "$(fact alice backup-codes)" = 1 ]
	run -1 lv-verify alice <<<"$c1"
	[ "$output" = "$INACTIVE" ]
	run -1 lv-verify alice <<<"$c2"
	[ "$output" = "$INACTIVE" ]
	run -1 lv-verify alice <<<"$c3"
	[ "$output" = "$INACTIVE" ]
	run -0 lv-verify alice <<<"$c4"
}

@test "codes used in order each work" {
	enrol alice
	local c2 c3
	c2=$(lv-backup new alice)
	c3=$(lv-backup new alice)
	run -0 lv-verify alice <<<"$code"
	run -0 lv-verify alice <<<"$c2"
	run -0 lv-verify alice <<<"$c3"
}

@test "at most five unused codes: the enrolment code counts, a sixth exits 75 and says so" {
	enrol alice
	for i in 2 3 4 5; do
		lv-backup new alice >"c$i"
	done
	[ "$(fact alice backup-codes)" = 5 ]
	cp "$(records alice)" before
	run --separate-stderr -75 lv-backup new alice
	[ "$output" = "" ]
	[ "$stderr" = "lv-backup: alice has 5 unused backup codes already: use one, or reset them" ]
	cmp before "$(records alice)"
	run -75 lv-backup new alice --print
	# Using the fifth spends all five; new codes can be released again.
	run -0 lv-verify alice <c5
	[ "$(fact alice backup-codes)" = 0 ]
	run -0 lv-backup new alice
}

@test "using an early code frees one place under the limit" {
	enrol alice
	for i in 2 3 4 5; do
		lv-backup new alice >/dev/null
	done
	run -0 lv-verify alice <<<"$code"
	run -0 lv-backup new alice
	run -75 lv-backup new alice
}

@test "backup_max in the configuration sets the limit" {
	conf "backup_max = 2"
	enrol alice
	run -0 lv-backup new alice
	run -75 lv-backup new alice
	[ "$output" = "lv-backup: alice has 2 unused backup codes already: use one, or reset them" ]
}

@test "reset invalidates every code and prints a new first code" {
	enrol alice
	local c2 c3 fresh
	c2=$(lv-backup new alice)
	c3=$(lv-backup new alice)
	run --separate-stderr -0 lv-backup reset alice
	fresh=$output
	[ "${#lines[@]}" -eq 1 ]
	[ "$(fact alice backup-codes)" = 1 ]
	for c in "$code" "$c2" "$c3"; do
		run -1 lv-verify alice <<<"$c"
		[ "$output" = "$INACTIVE" ]
	done
	run -0 lv-verify alice <<<"$fresh"
}

@test "reset works with five unused codes" {
	enrol alice
	for i in 2 3 4 5; do
		lv-backup new alice >/dev/null
	done
	run -0 lv-backup reset alice
	[ "$(fact alice backup-codes)" = 1 ]
	run -0 lv-verify alice <<<"$output"
}

@test "status shows how many codes are active and when each was released" {
	faketime -f "2026-01-01 00:00:00" lv-enroll alice --phone +15551234567 >c1
	faketime -f "2026-01-02 12:30:00" lv-backup new alice >c2
	faketime -f "2026-01-03 08:00:00" lv-backup new alice >c3
	run --separate-stderr -0 lv-backup status alice
	[ "$output" = $'backup-codes\t3\nbackup-code\t1\t2026-01-01T00:00:00Z\nbackup-code\t2\t2026-01-02T12:30:00Z\nbackup-code\t3\t2026-01-03T08:00:00Z' ]
	lv-verify alice <c2
	run -0 lv-backup status alice
	[ "$output" = $'backup-codes\t1\nbackup-code\t3\t2026-01-03T08:00:00Z' ]
}

@test "--print lays the code out for paper: account, date, number, the rule of order" {
	enrol alice
	run --separate-stderr -0 faketime -f "2026-03-04 05:06:07" lv-backup new alice --print
	[ "$stderr" = "" ]
	local printed=${lines[2]// /}
	[ "${lines[0]}" = "Backup code for alice" ]
	[ "${lines[1]}" = "Released 2026-03-04T05:06:07Z, number 2 in the sequence" ]
	[[ "${lines[2]}" =~ ^\ \ \ \ [0-9A-Z]{4}(-[0-9A-Z]{4}){3}$ ]]
	[ "${lines[3]}" = "Use backup codes in order: using this code invalidates every earlier one." ]
	[ "${lines[4]}" = "Each code works once. Keep this paper away from your phone." ]
	[ "${#lines[@]}" -eq 5 ]
	run -0 lv-verify alice <<<"$printed"
}

@test "reset --print prints the new first code for paper" {
	enrol alice
	lv-backup new alice >/dev/null
	run -0 lv-backup reset alice --print
	[ "${lines[0]}" = "Backup code for alice" ]
	[[ "${lines[1]}" == *", number 3 in the sequence" ]]
	run -0 lv-verify alice <<<"${lines[2]}"
	run -1 lv-verify alice <<<"$code"
}

@test "lv-backup on an account that is not there or not enrolled exits 66" {
	enrol alice
	run -66 lv-backup new bob
	[ "$output" = "lv-backup: no such account: bob" ]
	lv-unenroll alice --reason x
	for v in new status reset; do
		run -66 lv-backup "$v" alice
		[ "$output" = "lv-backup: login verification is not enabled for alice" ]
	done
}

@test "new and reset are audited; the audit names no code" {
	enrol alice
	lv-backup new alice >/dev/null
	lv-backup reset alice >/dev/null
	lv-verify alice <<<"$code" || true
	run -0 lv-status alice --log
	[[ "${lines[-3]}" == *" event=backup-new method=backup result=ok by=$(id -un)" ]]
	[[ "${lines[-2]}" == *" event=backup-reset method=backup result=ok by=$(id -un)" ]]
	[[ "${lines[-1]}" == *" event=verify method=backup result=reject by=$(id -un)" ]]
}

@test "new and reset take a --reason that ties the code to its ticket in the audit log" {
	enrol alice
	run --separate-stderr -0 lv-backup new alice --reason "lost phone, ticket 4711"
	[[ "$output" =~ ^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$ ]]
	run -0 lv-backup reset alice --print --reason 'said "reset", C:\codes'
	run -0 lv-status alice --log
	[[ "${lines[-2]}" == *" event=backup-new method=backup result=ok by=$(id -un) reason=\"lost phone, ticket 4711\"" ]]
	[[ "${lines[-1]}" == *" event=backup-reset method=backup result=ok by=$(id -un) reason=\"said \\\"reset\\\", C:\\\\codes\"" ]]
}

@test "a bad --reason exits 65 and --reason with status 64, before any change" {
	enrol alice
	cp "$(records alice)" before
	run -65 lv-backup new alice --reason ""
	[ "$output" = "lv-backup: bad reason: empty; say why, for the audit log" ]
	for r in $'a\tb' $'a\nb' "$(printf 'r%.0s' {1..129})"; do
		run -65 lv-backup new alice --reason "$r"
		[[ "$output" == "lv-backup: bad reason: "*" is not allowed" || "$output" == "lv-backup: bad reason: longer than 128 characters or 512 bytes" ]]
	done
	run -64 lv-backup status alice --reason x
	[ "$output" = "lv-backup: --reason goes with new or reset; usage: lv-backup [-d DIR] [-c FILE] new|reset ACCOUNT [--print] [--reason TEXT] | lv-backup status ACCOUNT" ]
	cmp before "$(records alice)"
}

@test "backup codes carry 80 random bits: 200 codes, all different, every symbol used" {
	enrol alice
	for i in $(seq 200); do lv-backup reset alice; done >codes
	[ "$(sort -u codes | wc -l)" -eq 200 ]
	[ "$(tr -d '\n-' <codes | fold -w1 | sort -u | tr -d '\n')" = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" ]
}

@test "a code of another account, or of this account before a reset, never works" {
	enrol alice
	enrol bob
	local bobs=$code
	run -1 lv-verify alice <<<"$bobs"
	[ "$output" = "lv-verify: rejected: wrong backup code" ]
	run -0 lv-verify bob <<<"$bobs"
}

@test "a long run of resets keeps the records small" {
	enrol alice
	for i in $(seq 60); do lv-backup reset alice >/dev/null; done
	[ "$(lv-records dump "$(records alice)" | grep -c '^backup-spent\.')" -le 20 ]
	[ "$(fact alice backup-codes)" = 1 ]
}
