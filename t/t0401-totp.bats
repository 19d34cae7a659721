#!/usr/bin/env bats
load lib
export TZ=UTC

T="2026-03-01 12:00:10"

# The secret of the otpauth URI on line 2 of an enrolment's output.
uri_secret() {
	sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$1"
}

# totp_at WHEN: the code oathtool makes for $secret at WHEN.
totp_at() {
	faketime -f "$1" oathtool --totp -b "$secret"
}

# verify_at WHEN ACCOUNT CODE [ARGS]: lv-verify at WHEN, via bats' run.
verify_at() {
	local when=$1 who=$2 answer=$3
	shift 3
	run faketime -f "$when" lv-verify "$who" "$@" <<<"$answer"
}

totp_enrol() {
	run --separate-stderr -0 lv-enroll "$1" --totp
	secret=$(uri_secret "$output")
	[ -n "$secret" ]
}

@test "enrolment with --totp prints the backup code, then the otpauth URI alone on a line" {
	run --separate-stderr -0 lv-enroll alice --totp
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$ ]]
	[[ "${lines[1]}" =~ ^otpauth://totp/lv:alice\?secret=[A-Z2-7]{32}\&issuer=lv$ ]]
	[ "$stderr" = "" ]
	run -0 lv-status alice
	[[ "$output" == *$'\ntotp\tyes\n'* ]]
}

@test "the issuer comes from the configuration, percent-encoded" {
	printf 'totp_issuer = Example Co: Mail\n' >"$LV_CONF"
	run --separate-stderr -0 lv-enroll a.b@example.org --totp
	[[ "${lines[1]}" =~ ^otpauth://totp/Example%20Co%3A%20Mail:a.b%40example.org\?secret=[A-Z2-7]{32}\&issuer=Example%20Co%3A%20Mail$ ]]
}

@test "an oathtool code for the current step verifies" {
	totp_enrol alice
	verify_at "$T" alice "$(totp_at "$T")"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run -0 lv-status --log alice
	[[ "$output" == *"event=verify method=totp result=accept"* ]]
}

@test "codes one step either side verify, two steps either side do not" {
	totp_enrol alice
	verify_at "$T" alice "$(totp_at "2026-03-01 11:59:10")"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: wrong code" ]
	verify_at "$T" alice "$(totp_at "2026-03-01 12:01:10")" --method totp
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: wrong code" ]
	verify_at "$T" alice "$(totp_at "2026-03-01 11:59:40")"
	[ "$status" -eq 0 ]
	verify_at "$T" alice "$(totp_at "$T")"
	[ "$status" -eq 0 ]
	verify_at "$T" alice "$(totp_at "2026-03-01 12:00:40")" --method totp
	[ "$status" -eq 0 ]
}

@test "a code is accepted once: its replay is refused" {
	totp_enrol alice
	code6=$(totp_at "$T")
	verify_at "$T" alice "$code6"
	[ "$status" -eq 0 ]
	verify_at "2026-03-01 12:00:20" alice "$code6"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: this authenticator code was used already, or a newer one was: wait for the next code" ]
}

@test "after a newer step is accepted, an older step's code is refused" {
	totp_enrol alice
	verify_at "$T" alice "$(totp_at "2026-03-01 12:00:40")"
	[ "$status" -eq 0 ]
	verify_at "$T" alice "$(totp_at "$T")"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: this authenticator code was used already, or a newer one was: wait for the next code" ]
	verify_at "$T" alice "$(totp_at "2026-03-01 11:59:40")"
	[ "$status" -eq 1 ]
	verify_at "2026-03-01 12:01:10" alice "$(totp_at "2026-03-01 12:01:10")"
	[ "$status" -eq 0 ]
}

@test "spaces and dashes inside a TOTP code are ignored" {
	totp_enrol alice
	c=$(totp_at "$T")
	verify_at "$T" alice "${c:0:3} ${c:3:3}"
	[ "$status" -eq 0 ]
}

@test "wrong TOTP codes count toward the lock-out; while locked even the right code exits 75" {
	totp_enrol alice
	good=$(totp_at "$T")
	bad=$(printf '%06d' $(( (10#$good + 1) % 1000000 )))
	for i in 1 2 3 4 5; do
		verify_at "$T" alice "$bad"
		[ "$status" -eq 1 ]
	done
	run -0 faketime -f "$T" lv-status alice
	[[ "$output" == *$'\nfailures\t5\n'* ]]
	verify_at "$T" alice "$good"
	[ "$status" -eq 75 ]
	[ "$output" = "lv-verify: alice is locked after too many failures: try again in 60 s, or use a backup code" ]
	verify_at "2026-03-01 12:01:11" alice "$(totp_at "2026-03-01 12:01:11")"
	[ "$status" -eq 0 ]
	run -0 lv-status alice
	[[ "$output" == *$'\nfailures\t0\n'* ]]
}

@test "a TOTP code is checked together with SMS codes when the account has both" {
	run --separate-stderr -0 lv-enroll alice --phone +15551234567 --totp
	secret=$(uri_secret "$output")
	verify_at "$T" alice "$(totp_at "$T")"
	[ "$status" -eq 0 ]
	run -0 lv-status --log alice
	[[ "$output" == *"event=verify method=totp result=accept"* ]]
}

@test "--method totp on an account without TOTP exits 69" {
	enrol alice
	run -69 lv-verify alice --method totp <<<"123456"
	[ "$output" = "lv-verify: alice has no TOTP" ]
}

@test "--update --totp replaces the secret and starts the replay rule afresh" {
	totp_enrol alice
	old=$secret
	verify_at "$T" alice "$(totp_at "$T")"
	[ "$status" -eq 0 ]
	run --separate-stderr -0 faketime -f "$T" lv-enroll --update alice --totp
	[ "${#lines[@]}" -eq 1 ]
	secret=$(uri_secret "$output")
	[ "$secret" != "$old" ]
	verify_at "$T" alice "$(secret=$old totp_at "2026-03-01 12:00:40")"
	[ "$status" -eq 1 ]
	verify_at "$T" alice "$(totp_at "$T")"
	[ "$status" -eq 0 ]
}

@test "lv-unenroll --totp removes the method alone; the last method turns verification off" {
	run --separate-stderr -0 lv-enroll alice --phone +15551234567 --totp
	secret=$(uri_secret "$output")
	run -0 lv-unenroll alice --totp --reason "new phone, no app yet"
	run -0 lv-status alice
	[[ "$output" == *$'\ntotp\tno\n'* ]]
	verify_at "$T" alice "$(totp_at "$T")" --method totp
	[ "$status" -eq 69 ]
	run -69 lv-unenroll alice --totp --reason "new phone, no app yet"
	[ "$output" = "lv-unenroll: alice has no TOTP" ]
	totp_enrol bob
	run -0 lv-unenroll bob --totp --reason "app removed"
	run -66 lv-status bob
	[[ "$output" == *"last method removed"* ]]
}

@test "the TOTP secret is never in the state directory in the clear" {
	totp_enrol alice
	hex=$(python3 -c 'import base64,sys; print(base64.b32decode(sys.argv[1]).hex())' "$secret")
	b64=$(python3 -c 'import base64,sys; print(base64.b64encode(base64.b32decode(sys.argv[1])).decode())' "$secret")
	raw=$(python3 -c 'import base64,sys; sys.stdout.buffer.write(base64.b32decode(sys.argv[1]))' "$secret" | tr -c '[:print:]\n' '.')
	run -0 state_bytes
	[[ "$output" != *"$secret"* ]]
	[[ "${output,,}" != *"$hex"* ]]
	[[ "$output" != *"$b64"* ]]
	[[ "$output" != *"$raw"* ]]
	run -1 grep -rl -- "$secret" "$LV_DIR"
}

@test "with a phone and TOTP, a replayed TOTP code is refused with the TOTP reason" {
	run --separate-stderr -0 lv-enroll alice --phone +15551234567 --totp
	secret=$(uri_secret "$output")
	code=$(totp_at "$T")
	verify_at "$T" alice "$code"
	[ "$status" -eq 0 ]
	verify_at "$T" alice "$code"
	[ "$status" -eq 1 ]
	[ "$output" = "lv-verify: rejected: this authenticator code was used already, or a newer one was: wait for the next code" ]
}

@test "a TOTP secret that cannot be opened fails closed with 74; the guess was counted before the check" {
	totp_enrol alice
	code=$(totp_at "$T")
	lv-records set "$(records alice)" totp.secret "AAAA"
	verify_at "$T" alice "$code"
	[ "$status" -eq 74 ]
	[ "$output" = "lv-verify: the TOTP secret of alice cannot be opened: damaged records or another site key" ]
	[ "$(fact alice failures)" = 1 ]
}
