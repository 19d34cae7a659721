#!/usr/bin/env bats
load lib

@test "the demo part for TOTP and temporary passwords runs alone and shows its steps" {
	run --separate-stderr -0 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/40-totp-temppass.sh"
	[ "$stderr" = "" ]
	[ "$(grep -c '^== ' <<<"$output")" -eq 3 ]
	[[ "$output" == *$'\n== An authenticator app, enrolled with a QR code ==\n'* ]]
	[[ "$output" == *$'\n== A third-party app logs in with a temporary password ==\n'* ]]
	[ "$(grep -c '^(exit 0)$' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^(exit 1)$' <<<"$output")" -eq 4 ]
	"$BATS_TEST_DIRNAME/qr-image" <<<"$output" >qr.pbm
	run --separate-stderr -0 zbarimg --raw -q qr.pbm
	[[ "$output" == otpauth://totp/lv:erin\?secret=* ]]
}

@test "the demo part exits non-zero when a step misbehaves" {
	mkdir fakebin
	printf '#!/bin/sh\nexit 0\n' >fakebin/lv-verify
	chmod 755 fakebin/lv-verify
	PATH="$BATS_TEST_TMPDIR/fakebin:$PATH" run -1 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/40-totp-temppass.sh"
	[[ "$output" == *$'\ndemo: expected exit 1, got 0' ]]
}
