#!/usr/bin/env bats
load lib

# The test helper that turns the drawing back into a picture.
qr_image() {
	"$BATS_TEST_DIRNAME/qr-image" "$@"
}

@test "--qr draws a QR code that decodes back to the otpauth URI" {
	run --separate-stderr -0 lv-enroll alice --totp --qr
	uri=${lines[1]}
	[[ "$uri" =~ ^otpauth://totp/lv:alice\?secret=[A-Z2-7]{32}\&issuer=lv$ ]]
	[ "${#lines[@]}" -gt 12 ]
	qr_image <<<"$output" >qr.pbm
	run --separate-stderr -0 zbarimg --raw -q qr.pbm
	[ "$output" = "$uri" ]
}

@test "the QR code of a long issuer and account still decodes" {
	printf 'totp_issuer = %s\n' "Example Corporation: Staff Logins (North)" >"$LV_CONF"
	run --separate-stderr -0 lv-enroll first.last@mail.example.com --totp --qr
	uri=${lines[1]}
	qr_image <<<"$output" >qr.pbm
	run --separate-stderr -0 zbarimg --raw -q qr.pbm
	[ "$output" = "$uri" ]
}

@test "--update --totp --qr draws the new secret's code" {
	enrol alice
	run --separate-stderr -0 lv-enroll --update alice --totp --qr
	uri=${lines[0]}
	[[ "$uri" == otpauth://* ]]
	qr_image <<<"$output" >qr.pbm
	run --separate-stderr -0 zbarimg --raw -q qr.pbm
	[ "$output" = "$uri" ]
}

@test "without --qr nothing but the backup code and the URI is printed" {
	run --separate-stderr -0 lv-enroll alice --totp
	[ "${#lines[@]}" -eq 2 ]
	run -1 qr_image <<<"$output"
	[ "$output" = "qr-image: no QR code on standard input" ]
}

@test "--qr goes with --totp" {
	run -64 lv-enroll alice --phone +15551234567 --qr
	[[ "$output" == "lv-enroll: --qr goes with --totp; usage: "* ]]
}
