#!/usr/bin/env bats
# The push part of make demo runs alone and every step behaves as shown.
load lib

@test "the push demo part runs standalone and exits 0" {
	run -0 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/30-push.sh"
	[[ "$output" == *"== I didn't receive the push notification =="* ]]
	[[ "$output" == *"== I bought a new phone =="* ]]
	[[ "$output" == *"== Signing out of the enrolling device =="* ]]
	[[ "$output" != *"demo:"* ]]
}

@test "the push demo part stops with an error when a step misbehaves" {
	mkdir fake
	printf '#!/bin/sh\nexit 0\n' >fake/lv-verify
	chmod 755 fake/lv-verify
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run -1 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/30-push.sh"
	[[ "$output" == *'demo: "echo '*' | lv-verify nina --request '*'" exited 0, not 1'* ]]
}
