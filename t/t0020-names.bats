#!/usr/bin/env bats
# Account names, phone numbers and free text are checked before any file is
# touched: anything else exits 65.
load lib

# Every program that takes an account, with that account and what else it
# needs to get as far as checking the name.
each_program() {
	local name=$1
	run -"$2" lv-enroll "$name" --phone +15551234567
	run -"$2" lv-verify "$name" <<<"$WRONG_CODE"
	run -"$2" lv-backup new "$name"
	run -"$2" lv-status "$name"
	run -"$2" lv-unlock "$name" --reason x
	run -"$2" lv-unenroll "$name" --reason x
}

@test "a path in the account name exits 65 in every program and creates nothing" {
	each_program ../x 65
	[ "$output" = "lv-unenroll: bad account name" ]
	each_program a/b 65
	[ ! -e "$LV_DIR" ]
}

@test "a name starting with - is an unknown option before --, a bad name after it" {
	run -64 lv-status -x
	[[ "$output" == "lv-status: unknown option -x; usage: "* ]]
	lv-enroll --init
	run -65 lv-status -- -x
	[ "$output" = "lv-status: bad account name" ]
	run -65 lv-enroll --phone +15551234567 -- -x
	run -65 lv-unlock --reason x -- -x
}

@test "names starting with . or @, empty names and odd bytes exit 65" {
	lv-enroll --init
	for n in .alice @alice "" "al ice" "al:ice" 'al$ice' "al*" "alice/" "al%ice"; do
		run -65 lv-status "$n"
	done
}

@test "a name of 64 bytes is an account, 65 bytes exits 65" {
	local n64 n65
	n64=$(printf 'a%.0s' {1..64})
	n65=$(printf 'a%.0s' {1..65})
	enrol "$n64"
	run -0 lv-verify "$n64" <<<"$code"
	run -65 lv-enroll "$n65" --phone +15551234567
	run -65 lv-status "$n65"
	[ "$(lv-status --list)" = "$n64" ]
}

@test "a non-ASCII name exits 65 and creates nothing" {
	each_program "alicé" 65
	each_program $'ali\tce' 65
	[ ! -e "$LV_DIR" ]
}

@test "the whole alphabet of names is accepted: letters, digits, . _ @ -" {
	enrol "A.b_c@d-e.9"
	run -0 lv-status "A.b_c@d-e.9"
	run -0 lv-verify "A.b_c@d-e.9" <<<"$code"
}

@test "Alice and alice are two accounts" {
	enrol Alice
	local upper=$code
	enrol alice --phone +15559876543
	run -1 lv-verify alice <<<"$upper"
	[ "$output" = "lv-verify: rejected: wrong backup code" ]
	run -0 lv-verify Alice <<<"$upper"
	run -0 lv-verify alice <<<"$code"
	[ "$(lv-status --list)" = $'Alice\nalice' ]
	[ "$(fact Alice phone)" = "+1******4567" ]
	[ "$(fact alice phone)" = "+1******6543" ]
}

@test "a bad phone number exits 65 and creates nothing" {
	for p in 15551234567 +0555123456 +1555123 +1234567890123456 +1555abc4567 "+1 5551234567" ""; do
		run -65 lv-enroll alice --phone "$p"
		[ "$output" = "lv-enroll: bad phone number: E.164 expected, like +15551234567" ]
	done
	[ ! -e "$LV_DIR" ]
	run -0 lv-enroll alice --phone +12345678
	run -0 lv-enroll bob --phone +123456789012345
}

@test "a reason with a tab, a newline, 129 characters, bytes that are not UTF-8 or nothing exits 65" {
	enrol alice
	local r128 r129
	r128=$(printf 'r%.0s' {1..128})
	r129=$(printf 'r%.0s' {1..129})
	for r in $'a\tb' $'a\nb' "$r129" "" $'caf\xe9' $'a\x7fb'; do
		run -65 lv-unlock alice --reason "$r"
		[[ "$output" == "lv-unlock: bad reason: "* ]]
		[ "${#lines[@]}" -eq 1 ]
		run -65 lv-unenroll alice --reason "$r"
		[[ "$output" == "lv-unenroll: bad reason: "* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
	run -65 lv-unlock alice --reason ""
	[ "$output" = "lv-unlock: bad reason: empty; say why, for the audit log" ]
	run -65 lv-unlock alice --reason $'a\tb'
	[ "$output" = "lv-unlock: bad reason: control character U+0009 (character 2) is not allowed" ]
	[ "$(fact alice enrolled)" = yes ]
	run -0 lv-unlock alice --reason "$r128"
	run -0 lv-unlock alice --reason "café"
	run -0 lv-unenroll alice --reason "$r128"
}

@test "a bad name is refused before the state directory is even looked at" {
	mkdir -m 777 "$LV_DIR"
	run -65 lv-status ../x
	run -77 lv-status alice
}
