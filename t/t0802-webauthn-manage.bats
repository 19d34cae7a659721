#!/usr/bin/env bats
# Security keys for support: lv-status lists them, lv-enroll --key-label
# renames one, lv-unenroll --key removes one (turning verification off when
# it was the last method).
load lib
load seckey

setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	webauthn_conf
}

# keyid ACCOUNT [N]: the id of the account's Nth key (1: the oldest).
keyid() {
	lv-status "$1" | awk -F '\t' -v n="${2:-1}" '$1 == "security-key" && ++i == n { print $2 }'
}

@test "lv-status --json lists each key with its facts, never its key or credential id" {
	key_enrol alice k1 eddsa
	run -0 lv-status alice --json
	echo "$output" | jq -e --arg id "$(keyid alice)" '.["security-key"] == [{"id": $id, "label": "security key",
		"algorithm": "EdDSA", "sign-count": 0, "backup": "single-device", "time": .["security-key"][0].time}]'
	[[ "$output" != *"$(jq -r .id k1)"* ]]
	enrol bob
	lv-status bob --json | jq -e '.["security-key"] == []'
}

@test "--key-label renames a key; the label is free text" {
	key_enrol alice k1
	id=$(keyid alice)
	run -0 lv-enroll --update alice --key-label "$id" --label "Büro key"
	lv-status alice | grep -q "^security-key	$id	Büro key	ES256	"
	grep -q " event=key-label method=key result=ok by=[^ ]* key=$id label=\"Büro key\"$" "$(acctdir alice)/audit"
	run -65 lv-enroll --update alice --key-label "$id" --label "$(printf 'a\tb')"
	run -65 lv-enroll --update alice --key-label nothex00 --label x
	[ "$output" = "lv-enroll: bad security key id: 8 hex digits (lv-status lists them)" ]
	run -69 lv-enroll --update alice --key-label 00000000 --label x
	[ "$output" = "lv-enroll: alice has no security key 00000000 (lv-status lists them)" ]
	run -64 lv-enroll --update alice --key-label "$id"
	run -64 lv-enroll alice --key-label "$id" --label x
}

@test "lv-unenroll --key removes one key, audited with the reason and notified" {
	webauthn_conf "notify = $(notifier)"
	key_enrol alice k1
	seckey new k2 es256
	lv-enroll --update alice --key-options | seckey create k2 >answer
	lv-enroll --update alice --key - --label spare <answer
	id=$(keyid alice 1)
	run -0 lv-unenroll alice --key "$id" --reason "lost on a train"
	[ "$(lv-status alice | grep -c '^security-key')" = 1 ]
	[ "$(fact alice enrolled)" = yes ]
	grep -q " event=remove-method method=key result=ok by=[^ ]* key=$id reason=\"lost on a train\"$" "$(acctdir alice)/audit"
	grep -qx method-removed notified
	# The removed key logs in no more.
	key_answer alice k1
	run -1 lv-verify alice --method key <k1.assert
	[ "$output" = "lv-verify: rejected: this security key is not registered for this account" ]
}

@test "removing the last key turns verification off; the other methods stay otherwise" {
	key_enrol alice k1
	run -0 lv-unenroll alice --key "$(keyid alice)" --reason "ticket 12"
	run -66 lv-status alice
	[[ "${lines[1]}" == "disabled	"*"	last method removed: ticket 12" ]]
	key_enrol bob k2
	lv-enroll --update bob --phone +15551234567
	lv-unenroll bob --key "$(keyid bob)" --reason x
	[ "$(fact bob enrolled)" = yes ]
	run -0 lv-verify bob --methods
	[ "$output" = "$(printf 'sms\nbackup')" ]
}

@test "lv-unenroll --key: a bad id exits 65, an unknown one 69, no reason 64" {
	key_enrol alice k1
	run -65 lv-unenroll alice --key ZZ --reason x
	[ "$output" = "lv-unenroll: bad security key id: 8 hex digits (lv-status lists them)" ]
	run -69 lv-unenroll alice --key 00000000 --reason x
	[ "$output" = "lv-unenroll: alice has no security key 00000000 (lv-status lists them)" ]
	run -64 lv-unenroll alice --key "$(keyid alice)"
	run -64 lv-unenroll alice --key "$(keyid alice)" --totp --reason x
}

@test "unenrolling removes every key and the user handle" {
	key_enrol alice k1
	uh=$(jq -r .user.id k1.create)
	lv-unenroll alice --reason "account closed"
	! lv-records dump "$(records alice)" | grep -q '^seckey'
	! state_bytes | grep -qF "$uh"
}

@test "a key is a method: an account enrolled with a key alone lists key and backup" {
	key_enrol alice k1
	run -0 lv-verify alice --methods
	[ "$output" = "$(printf 'key\nbackup')" ]
	# With security keys turned off in lv.conf the key is not offered.
	conf
	run -0 lv-verify alice --methods
	[ "$output" = backup ]
	run -78 lv-verify alice --key-options
}

@test "lv-enroll --key limits an account to webauthn_keys_max keys" {
	webauthn_conf "webauthn_keys_max = 1"
	key_enrol alice k1
	seckey new k2 es256
	lv-enroll --update alice --key-options | seckey create k2 >answer
	run -75 lv-enroll --update alice --key - <answer
	[ "$output" = "lv-enroll: alice has 1 security keys, the most allowed: remove one first (lv-unenroll --key ID)" ]
}
