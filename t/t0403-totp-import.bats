#!/usr/bin/env bats
load lib
export TZ=UTC

T="2026-03-01 12:00:10"

# A file written by the real google-authenticator, as a user would have.
ga_file() {
	google-authenticator -t -d -f -r 3 -R 30 -w 3 -q -s "$BATS_TEST_TMPDIR/ga" "$@" >/dev/null
	secret=$(head -n 1 "$BATS_TEST_TMPDIR/ga")
}

totp_at() {
	faketime -f "$1" oathtool --totp -b "$secret"
}

@test "a google-authenticator file is imported and its codes verify" {
	ga_file
	run --separate-stderr -0 lv-enroll alice --import-ga ga
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$ ]]
	run -0 faketime -f "$T" lv-verify alice <<<"$(totp_at "$T")"
	[ "$output" = "" ]
	run -1 faketime -f "$T" lv-verify alice <<<"$(totp_at "$T")"
	run -0 faketime -f "$T" lv-verify alice --method totp <<<"$(totp_at "2026-03-01 12:00:40")"
	run -0 lv-status alice
	[[ "$output" == *$'\ntotp\tyes\n'* ]]
}

@test "only the secret is taken: the file's scratch codes are not accepted" {
	ga_file
	scratch=$(sed -n 6p ga)
	[[ "$scratch" =~ ^[0-9]{8}$ ]]
	run -0 lv-enroll alice --import-ga ga
	run -65 lv-verify alice <<<"$scratch"
	[ "$output" = "lv-verify: malformed answer: not a 6-digit code, a backup code or a temporary password" ]
}

@test "a file with a minimal window and no rate limit imports too" {
	google-authenticator -t -d -f -W -u -q -s "$BATS_TEST_TMPDIR/ga" >/dev/null
	secret=$(head -n 1 ga)
	run -0 lv-enroll alice --import-ga ga
	run -0 faketime -f "$T" lv-verify alice <<<"$(totp_at "$T")"
}

@test "--update --import-ga replaces the secret and prints nothing" {
	enrol alice
	ga_file
	run --separate-stderr -0 lv-enroll --update alice --import-ga ga
	[ "$output" = "" ]
	run -0 faketime -f "$T" lv-verify alice <<<"$(totp_at "$T")"
}

@test "a counter-based (HOTP) file is refused with a clear message" {
	google-authenticator -c -f -r 3 -R 30 -w 3 -q -s "$BATS_TEST_TMPDIR/ga" >/dev/null
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga:4: a counter-based (HOTP) google-authenticator file: lv checks time-based codes only; enrol with --totp and scan the new code" ]
	[ ! -e "$LV_DIR" ]
}

@test "a file whose codes change every 60 s is refused" {
	google-authenticator -t -d -f -S 60 -u -w 3 -q -s "$BATS_TEST_TMPDIR/ga" >/dev/null
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga:3: codes change every 30 s in lv, not as this file says; enrol with --totp and scan the new code" ]
}

@test "a malformed file exits 65 naming the line" {
	printf 'JBSWY3DPEHPK3PXPJBSWY3DPEH\n" TOTP_AUTH\n12345678\nnot an option\n' >ga
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga:4: malformed google-authenticator file: neither an option nor a scratch code" ]
	printf 'JBSWY3DP-EHPK3PXP\n" TOTP_AUTH\n' >ga
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga:1: malformed google-authenticator file: a base32 secret of 16 to 102 characters expected" ]
	printf 'JBSWY3DP\n' >ga
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga:1: malformed google-authenticator file: a base32 secret of 16 to 102 characters expected" ]
	: >ga
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga:1: malformed google-authenticator file: a base32 secret of 16 to 102 characters expected" ]
	printf 'JBSWY3DPEHPK3PXP\n\001\n' >ga
	run -65 lv-enroll alice --import-ga ga
	[ "$output" = "lv-enroll: ga: malformed google-authenticator file: not text, or longer than 4096 bytes" ]
	[ ! -e "$LV_DIR" ]
}

@test "the file is not followed through a symbolic link, and must exist" {
	ga_file
	ln -s ga link
	run -77 lv-enroll alice --import-ga link
	[ "$output" = "lv-enroll: unsafe link: a symbolic link" ]
	run -66 lv-enroll alice --import-ga missing
	[ "$output" = "lv-enroll: cannot open missing: No such file or directory" ]
	run -65 lv-enroll alice --import-ga /
	[ "$output" = "lv-enroll: / is not a regular file" ]
}

@test "--import-ga and --totp together are refused" {
	ga_file
	run -64 lv-enroll alice --totp --import-ga ga
	[[ "$output" == "lv-enroll: --totp makes a new secret; --import-ga takes an old one: choose one; usage: "* ]]
}

@test "the imported secret is never in the state directory in the clear" {
	ga_file
	run -0 lv-enroll alice --import-ga ga
	hex=$(python3 -c 'import base64,sys; s=sys.argv[1]; print(base64.b32decode(s + "=" * (-len(s) % 8)).hex())' "$secret")
	run -0 state_bytes
	[[ "$output" != *"$secret"* ]]
	[[ "${output,,}" != *"$hex"* ]]
}
