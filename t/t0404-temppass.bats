#!/usr/bin/env bats
load lib
export TZ=UTC

T="2026-03-01 12:00:10"

# temppass ACCOUNT [ARGS]: issues one at $T and leaves it in $pw.
temppass() {
	pw=$(faketime -f "$T" lv-temppass "$@") || return 1
}

verify3() {
	run faketime -f "${when:-$T}" lv-verify "$1" --client third-party <<<"$2"
}

@test "lv-temppass prints 20 letters a-z in five groups of four" {
	enrol alice
	run --separate-stderr -0 lv-temppass alice
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^[a-z]{4}( [a-z]{4}){4}$ ]]
	[ "$stderr" = "" ]
}

@test "a temporary password is accepted once with --client third-party" {
	enrol alice
	temppass alice --label mail
	verify3 alice "$pw"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	verify3 alice "$pw"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: wrong temporary password, or one used or replaced already" ]
	run -0 lv-status --log alice
	[[ "$output" == *'event=temppass method=temp result=ok by='*' label="mail" ttl=3600'* ]]
	[[ "$output" == *'event=verify method=temp result=accept by='*' label="mail"'* ]]
}

@test "--reason is audited beside the label; a bad one exits 65 before any change" {
	enrol alice
	run -0 lv-temppass alice --label mail --reason "app lost its key; ticket 77"
	run -0 lv-status alice --log
	[[ "${lines[-1]}" == *' event=temppass method=temp result=ok by='*' label="mail" ttl=3600 reason="app lost its key; ticket 77"' ]]
	cp "$(records alice)" before
	run -65 lv-temppass alice --label mail --reason $'a\tb'
	[ "$output" = "lv-temppass: bad reason: control character U+0009 (character 2) is not allowed" ]
	run -65 lv-temppass alice --reason ""
	[ "$output" = "lv-temppass: bad reason: empty; say why, for the audit log" ]
	cmp before "$(records alice)"
	run -0 lv-temppass alice --label "Zürich office" --reason "São Paulo, ticket 78"
	run -0 lv-status alice --log
	[[ "${lines[-1]}" == *' label="Zürich office" ttl=3600 reason="São Paulo, ticket 78"' ]]
}

@test "case, spaces and dashes in a temporary password are ignored" {
	enrol alice
	temppass alice
	verify3 alice "$(tr 'a-z ' 'A-Z-' <<<"$pw")"
	[ "$status" -eq 0 ]
}

@test "without --client third-party a temporary password is refused, and says what it is for" {
	enrol alice
	temppass alice
	run -1 faketime -f "$T" lv-verify alice <<<"$pw"
	[ "$output" = "lv-verify: rejected: a temporary password is for password-only (third-party) clients: use it there, or give a code here" ]
	run -1 faketime -f "$T" lv-verify alice --client first-party <<<"$pw"
	verify3 alice "$pw"
	[ "$status" -eq 0 ]
}

@test "third-party clients get nothing for a backup code or a 6-digit code" {
	enrol alice
	verify3 alice "$code"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: third-party clients accept only a temporary password (lv-temppass); codes are for the site's own login" ]
	run -0 lv-verify alice <<<"$code"
}

@test "a temporary password is refused after its time to live" {
	enrol alice
	temppass alice
	when="2026-03-01 13:00:09" verify3 alice "$pw"
	[ "$status" -eq 0 ]
	temppass alice
	when="2026-03-01 13:00:11" verify3 alice "$pw"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: this temporary password expired: issue a new one with lv-temppass" ]
}

@test "--ttl and temppass_ttl set the time to live" {
	enrol alice
	temppass alice --ttl 60
	when="2026-03-01 12:01:11" verify3 alice "$pw"
	[ "$status" -eq 1 ]
	printf 'temppass_ttl = 600\n' >"$LV_CONF"
	temppass alice
	when="2026-03-01 12:10:09" verify3 alice "$pw"
	[ "$status" -eq 0 ]
	temppass alice
	when="2026-03-01 12:10:11" verify3 alice "$pw"
	[ "$status" -eq 1 ]
}

@test "a new temporary password replaces the old one of its label; other labels stay" {
	enrol alice
	temppass alice --label mail
	old=$pw
	temppass alice --label calendar
	cal=$pw
	temppass alice --label mail
	[ "$pw" != "$old" ]
	verify3 alice "$old"
	[ "$status" -eq 1 ]
	verify3 alice "$pw"
	[ "$status" -eq 0 ]
	verify3 alice "$cal"
	[ "$status" -eq 0 ]
	run -0 lv-status --log alice
	[[ "$output" == *'label="mail" ttl=3600 replaced'* ]]
}

@test "third-party failures are counted apart and lock nothing" {
	enrol alice --totp
	secret=$(sed -n 's/.*secret=\([A-Z2-7]*\).*/\1/p' <<<"$code")
	backup=$(head -n 1 <<<"$code")
	for i in 1 2 3 4 5 6 7; do
		verify3 alice "abcd efgh ijkl mnop qrst"
		[ "$status" -eq 1 ]
	done
	run -0 faketime -f "$T" lv-status alice
	[[ "$output" == *$'\nfailures\t0\nthird-party-failures\t7\nlocked-until\tno' ]]
	run -0 faketime -f "$T" lv-verify alice <<<"$(faketime -f "$T" oathtool --totp -b "$secret")"
	run -0 lv-verify alice <<<"$backup"
}

@test "first-party failures do not show as third-party ones" {
	enrol alice
	run -1 lv-verify alice <<<"0000-0000-0000-0000"
	run -0 lv-status alice
	[[ "$output" == *$'\nfailures\t1\nthird-party-failures\t0\n'* ]]
}

@test "lv-status lists labels and expiry times, never the password" {
	enrol alice
	temppass alice --label 'Mail "work"'
	p1=$pw
	temppass alice --label calendar --ttl 7200
	p2=$pw
	run -0 faketime -f "2026-03-01 12:30:00" lv-status alice
	# by label, byte by byte
	[[ "$output" == *$'backup-codes\t1\ntemppass\tMail \\"work\\"\t2026-03-01T13:00:10Z\ntemppass\tcalendar\t2026-03-01T14:00:10Z\n'* ]]
	[[ "${output,,}" != *"${p1// /}"* && "$output" != *"$p1"* && "$output" != *"$p2"* ]]
	run -0 faketime -f "2026-03-01 13:30:00" lv-status alice
	[ "$(grep -c '^temppass' <<<"$output")" -eq 1 ]
	run -0 faketime -f "2026-03-01 13:30:00" lv-status --json alice
	[[ "$output" == *'"temppass":[{"label":"calendar","expires":"2026-03-01T14:00:10Z"}]'* ]]
}

@test "no temporary password is in the state directory in the clear" {
	enrol alice
	temppass alice --label mail
	run -0 state_bytes
	up=$(tr 'a-z' 'A-Z' <<<"${pw// /}")
	[[ "$output" != *"$pw"* && "$output" != *"${pw// /}"* && "$output" != *"$up"* ]]
	[[ "$output" != *"${pw:0:4} "* ]]
}

@test "lv-unenroll removes every temporary password" {
	enrol alice
	temppass alice --label mail
	run -0 lv-unenroll alice --reason "lost phone"
	verify3 alice "$pw"
	[ "$status" -eq 66 ]
	enrol alice
	verify3 alice "$pw"
	[ "$status" -eq 1 ]
	run -0 faketime -f "$T" lv-status alice
	[[ "$output" != *temppass* ]]
}

@test "bad labels exit 65, bad --ttl 64, unknown accounts 66, all before any change" {
	enrol alice
	run -65 lv-temppass alice --label ""
	[ "$output" = "lv-temppass: bad label: empty; say what it is" ]
	run -65 lv-temppass alice --label $'a\tb'
	run -65 lv-temppass alice --label "$(printf 'x%.0s' {1..129})"
	run -0 lv-temppass alice --label "$(printf 'x%.0s' {1..128})"
	run -64 lv-temppass alice --ttl 0
	[[ "$output" == "lv-temppass: --ttl takes seconds, 1 to 31536000; usage: "* ]]
	run -64 lv-temppass alice --ttl 1h
	run -64 lv-temppass alice --ttl 31536001
	run -65 lv-temppass -- -alice
	run -66 lv-temppass bob
	[ "$output" = "lv-temppass: no such account: bob" ]
	run -0 lv-unenroll alice --reason "lost phone"
	run -66 lv-temppass alice
	[ "$output" = "lv-temppass: login verification is not enabled for alice" ]
	run -64 lv-temppass alice extra
	run -0 lv-temppass --help
	[[ "$output" == "usage: lv-temppass "* ]]
}

@test "issuing a temporary password runs the notify command" {
	printf '#!/bin/sh\n{ echo "$1 $2"; cat; } >>"%s/notified"\n' "$BATS_TEST_TMPDIR" >notify.sh
	chmod 755 notify.sh
	printf 'notify = %s/notify.sh\n' "$BATS_TEST_TMPDIR" >"$LV_CONF"
	enrol alice
	rm -f notified
	temppass alice --label mail
	[ "$(cat notified)" = "temppass-issued alice
A temporary password for \"mail\" was issued for alice; it works once, for 3600 s." ]
}
