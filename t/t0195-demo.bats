#!/usr/bin/env bats
# make demo: the demo walks through every situation of the help page, in its
# order, and stops when a step does not behave as shown.
load lib

DEMO="$BATS_TEST_DIRNAME/../share/lv/demo"
PARTS="$BATS_TEST_DIRNAME/../share/lv/demo.d"

# The headings, one per situation of the help page, in the demo's order.
HEADINGS="== 1. I lost my phone, and I have a backup code ==
== 2. I lost my phone, and I have no backup code ==
== 3. I deleted my phone: login verification is off ==
== 4. I have a new phone, and restored the app's key ==
== 5. I have a new phone, without the app's key ==
== 6. I didn't receive the SMS ==
== 7. I changed my phone number ==
== 8. I didn't receive the push notification ==
== 9. My backup code is inactive, or was used out of order ==
== 10. A third-party app: backup codes don't work, use a temporary password ==
== 11. I signed out of the enrolling device ==
== Beyond the help page: an authenticator app =="

# fake NAME SCRIPT: a program NAME earlier on PATH that runs SCRIPT (sh).
fake() {
	mkdir -p fake
	printf '#!/bin/sh\n%s\n' "$2" >"fake/$1"
	chmod 755 "fake/$1"
}

@test "the demo walks every situation, in order, in under 30 seconds, and exits 0" {
	local start=$SECONDS
	run --separate-stderr -0 "$DEMO"
	[ $((SECONDS - start)) -lt "$(slow 30)" ]
	[ "$stderr" = "" ]
	[ "${lines[-1]}" = "lv demo: every step behaved as shown." ]
	[ "$(grep '^== ' <<<"$output")" = "$HEADINGS" ]
}

@test "the demo shows each situation's key step" {
	run --separate-stderr -0 "$DEMO"
	# Lost phone: the device goes. No SMS: the resend refused, the late code
	# accepted. Push: listed and approved, then an SMS code instead.
	[[ "$output" == *$'\n$ lv-unenroll alice --device '[0-9a-f]*" --reason 'phone lost'"$'\n(exit 0)\n'* ]]
	# 90 s later (faketime) plus the real second or so the steps took;
	# a slow build takes many more.
	local ago='9[01]' wait='(30|29)'
	[ "${LV_TEST_SLOW:-}" = 1 ] && ago='[0-9]+' wait='[0-9]+'
	[[ "$output" =~ $'\n'"lv-sendcode: resend too soon: the last code was sent "$ago" s ago and may still arrive; wait "$wait" s before asking for another"$'\n(exit 75)\n' ]]
	[[ "$output" == *$'\nlv-verify: rejected: this SMS code was spent: another code sent with it was used\n(exit 1)\n'* ]]
	[[ "$output" == *$'\n$ lv-requests list pete\n'[0-9a-f]*$'\t'*$'\t192.0.2.7\tFirefox on Linux\tBerlin\tpending\n'* ]]
	[[ "$output" == *$'\n$ lv-sendcode pete\n+15550100077\tlv login code: '* ]]
	[[ "$output" == *$'\n$ lv-device signout --key sam-phone.key sam | lv-unenroll sam --signed-out\n(exit 0)\n'* ]]
}

@test "the authenticator app's QR code in the demo scans as its otpauth URI" {
	run --separate-stderr -0 "$DEMO" "$PARTS/80-authenticator.sh"
	"$BATS_TEST_DIRNAME/qr-image" <<<"$output" >qr.pbm
	run --separate-stderr -0 zbarimg --raw -q qr.pbm
	[[ "$output" == otpauth://totp/lv:fay\?secret=*'&issuer=lv' ]]
}

@test "a step that exits otherwise than shown stops the demo with exit 1" {
	fake lv-verify 'cat >/dev/null; exit 0'
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run -1 "$DEMO"
	[[ "$output" == *$'\ndemo: "echo '*' | lv-verify alice" exited 0, not 1' ]]
	[[ "$output" != *"every step behaved as shown"* ]]
	[[ "$output" != *"== 2. "* ]]
}

@test "a step that prints otherwise than shown stops the demo with exit 1" {
	fake lv-status 'exit 0'
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run -1 "$DEMO"
	[[ "$output" == *$'\ndemo: expected the line "backup-codes\t0"' ]]
	[[ "$output" != *"every step behaved as shown"* ]]
}

@test "a clock that does not move makes the SMS part stop" {
	fake faketime 'shift 2; exec "$@"'
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run -1 "$DEMO" "$PARTS/30-sms.sh"
	[[ "$output" == *$'\ndemo: "lv-sendcode dana" exited 75, not 0' ]]
}

@test "each part runs alone" {
	local part
	for part in "$PARTS"/*.sh; do
		run --separate-stderr -0 "$DEMO" "$part"
		[ "$stderr" = "" ]
		[ "${lines[-1]}" = "lv demo: every step behaved as shown." ]
	done
}

@test "the demo leaves no temporary directory behind" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 "$DEMO" "$PARTS/10-lost-phone.sh"
	[ "$(ls -A "$TMPDIR")" = "" ]
	run -1 "$DEMO" no-such-part.sh
	[ "$(ls -A "$TMPDIR")" = "" ]
}

@test "a part named by a relative path runs; an unknown part is refused" {
	cd "$BATS_TEST_DIRNAME/.."
	run -0 share/lv/demo share/lv/demo.d/10-lost-phone.sh
	[ "${lines[-1]}" = "lv demo: every step behaved as shown." ]
	run -1 share/lv/demo share/lv/demo.d/no-such-part.sh
	[ "${lines[-1]}" = "demo: no demo part $(pwd)/share/lv/demo.d/no-such-part.sh" ]
}

@test "the demo scripts are clean for shellcheck" {
	run -0 shellcheck -s sh "$DEMO" "$PARTS"/*.sh
}
