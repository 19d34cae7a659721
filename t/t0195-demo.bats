#!/usr/bin/env bats
# make demo: the demo walks through the help page's situations and stops
# when a step does not behave as shown.
load lib

@test "the demo runs every part and exits 0" {
	run --separate-stderr -0 "$BATS_TEST_DIRNAME/../share/lv/demo"
	[ "${lines[-1]}" = "lv demo: every step behaved as shown." ]
	[[ "$output" == *"== Alice lost her phone: she logs in with a backup code =="* ]]
	[[ "$stderr" != *"demo:"* ]]
}

@test "the demo leaves no temporary directory behind" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 "$BATS_TEST_DIRNAME/../share/lv/demo" "$BATS_TEST_DIRNAME/../share/lv/demo.d/10-lost-phone.sh"
	[ "$(ls -A "$TMPDIR")" = "" ]
}

@test "the demo stops with an error when a step does not behave as shown" {
	mkdir fake
	printf '#!/bin/sh\ncat >/dev/null\nexit 0\n' >fake/lv-verify
	chmod 755 fake/lv-verify
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run -1 "$BATS_TEST_DIRNAME/../share/lv/demo" "$BATS_TEST_DIRNAME/../share/lv/demo.d/10-lost-phone.sh"
	[[ "$output" == *"demo: \"echo "*" | lv-verify alice\" exited 0, not 1"* ]]
	[[ "$output" != *"every step behaved as shown"* ]]
}

@test "a part named by a relative path runs" {
	cd "$BATS_TEST_DIRNAME/.."
	run -0 share/lv/demo share/lv/demo.d/10-lost-phone.sh
	[ "${lines[-1]}" = "lv demo: every step behaved as shown." ]
	run -1 share/lv/demo share/lv/demo.d/no-such-part.sh
	[ "${lines[-1]}" = "demo: no demo part $(pwd)/share/lv/demo.d/no-such-part.sh" ]
}

@test "the lost-phone part runs alone too" {
	LV_DIR="$BATS_TEST_TMPDIR/alone" run -0 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/10-lost-phone.sh"
	[[ "$output" == *"== Bob lost his phone and has no backup code =="* ]]
}

@test "the demo scripts are clean for shellcheck" {
	run -0 shellcheck -s sh "$BATS_TEST_DIRNAME/../share/lv/demo" "$BATS_TEST_DIRNAME"/../share/lv/demo.d/*.sh
}
