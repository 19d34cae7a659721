#!/usr/bin/env bats
# Free text (--reason, --label, --location, --client, --remember, --agent):
# any UTF-8 without control or formatting characters, at most 128
# characters and 512 bytes; shown as typed, on one line, wherever it goes.
# Bytes are written out (\xNN) where the test file would otherwise hide
# them.
load lib
export TZ=UTC

T="2026-04-01 10:00:00"

# Every file of the state directory and its checksum.
state_sum() {
	find "$LV_DIR" -type f -exec sha256sum {} + | sort
}

# A device-enrolled alice, and the state as it is then in $before.
alice() {
	device phone
	enrol alice --device-key - <phone.pub
	before=$(state_sum)
}

# refused TEXT WHY: --location TEXT exits 65 with "bad location: WHY", and
# nothing changed.
refused() {
	run -65 lv-requests new alice --location "$1"
	[ "$output" = "lv-requests: bad location: $2" ]
	[ "$(state_sum)" = "$before" ]
}

@test "a request from Zürich, São Paulo or 東京 says so in list, show and the audit log" {
	alice
	for place in 'Zürich' 'São Paulo' '東京'; do
		out=$(faketime -f "$T" lv-requests new alice --client 'Firefox – Straße' --location "$place")
		id=${out%%$'\t'*}
		run -0 lv-requests show alice "$id"
		[[ "$output" == "lv1-request	alice	$id	"*"	2026-04-01T10:00:00Z	-	Firefox – Straße	$place" ]]
		run -0 faketime -f "$T" lv-requests list alice
		[ "${lines[0]}" = "$id	2026-04-01T10:00:00Z	-	Firefox – Straße	$place	pending" ]
		run -0 tail -n 1 "$(acctdir alice)/audit"
		[ "$output" = "2026-04-01T10:00:00Z event=request-new method=push result=ok by=$(id -un) request=$id ip=- client=\"Firefox – Straße\" location=\"$place\"" ]
	done
}

@test "the device signs a request from 東京 and the login goes through" {
	alice
	out=$(lv-requests new alice --location '東京' --client 'Safari auf dem Mäc')
	IFS=$'\t' read -r id num tok <<<"$out"
	run -0 bash -c "lv-requests show alice $id | lv-device sign --key phone.key approve $num | lv-requests answer alice"
	run -0 lv-verify alice --request "$id" <<<"$tok"
}

@test "the longest client and location (128 characters, 512 bytes each) are kept whole everywhere" {
	alice
	long=$(printf '😀%.0s' {1..128})
	out=$(lv-requests new alice --client "$long" --location "$long")
	IFS=$'\t' read -r id num tok <<<"$out"
	run -0 lv-requests show alice "$id"
	[[ "$output" == *"	-	$long	$long" ]]
	run -0 lv-requests list alice
	[ "${lines[0]}" = "$id	${lines[0]:13:20}	-	$long	$long	pending" ]
	run -0 tail -n 1 "$(acctdir alice)/audit"
	[[ "$output" == *" client=\"$long\" location=\"$long\"" ]]
	run -0 bash -c "lv-requests show alice $id | lv-device sign --key phone.key approve $num | lv-requests answer alice"
	run -0 lv-verify alice --request "$id" <<<"$tok"
}

@test "a reason, a label and a client name in any script are kept as typed" {
	enrol alice
	faketime -f "$T" lv-unlock alice --reason 'Ticket №42: Müller, 東京'
	run -0 tail -n 1 "$(acctdir alice)/audit"
	[ "$output" = "2026-04-01T10:00:00Z event=unlock method=- result=ok by=$(id -un) reason=\"Ticket №42: Müller, 東京\"" ]
	pw=$(faketime -f "$T" lv-temppass alice --label 'Mail (Zürich) 📧')
	run -0 faketime -f "$T" lv-status alice
	[[ "$output" == *$'\ntemppass\tMail (Zürich) 📧\t2026-04-01T11:00:00Z\n'* ]]
	run -0 faketime -f "$T" lv-verify alice --client third-party <<<"$pw"
	run -0 tail -n 1 "$(acctdir alice)/audit"
	[[ "$output" == *' event=verify method=temp result=accept by='*' label="Mail (Zürich) 📧"' ]]
	faketime -f "$T" lv-unenroll alice --reason 'São Paulo: "perdeu" o telefone'
	run -66 lv-status alice
	[ "${lines[1]}" = "disabled	2026-04-01T10:00:00Z	$(id -un)	São Paulo: \\\"perdeu\\\" o telefone" ]
}

@test "control characters are refused: C0, DEL and C1" {
	alice
	refused $'tab\there' "control character U+0009 (character 4) is not allowed"
	refused $'new\nline' "control character U+000A (character 4) is not allowed"
	refused $'cr\rhere' "control character U+000D (character 3) is not allowed"
	refused $'red\e[31m' "control character U+001B (character 4) is not allowed"
	refused $'del\x7f' "control character U+007F (character 4) is not allowed"
	refused $'nel\xc2\x85' "control character U+0085 (character 4) is not allowed"
	refused $'Zürich\xc2\x9b31m' "control character U+009B (character 7) is not allowed"
}

@test "bidirectional overrides, isolates and marks are refused" {
	alice
	refused $'exe.\xe2\x80\xaetxt' "bidirectional control U+202E (character 5) is not allowed"
	refused $'\xe2\x80\xaaa' "bidirectional control U+202A (character 1) is not allowed"
	refused $'a\xe2\x80\xadb' "bidirectional control U+202D (character 2) is not allowed"
	refused $'a\xe2\x81\xa6b' "bidirectional control U+2066 (character 2) is not allowed"
	refused $'a\xe2\x81\xa9' "bidirectional control U+2069 (character 2) is not allowed"
	refused $'a\xe2\x80\x8f' "bidirectional control U+200F (character 2) is not allowed"
	refused $'a\xd8\x9c' "bidirectional control U+061C (character 2) is not allowed"
}

@test "invisible formatting characters and line separators are refused" {
	alice
	refused $'Z\xe2\x80\x8bürich' "invisible formatting character U+200B (character 2) is not allowed"
	refused $'a\xe2\x80\x8db' "invisible formatting character U+200D (character 2) is not allowed"
	refused $'a\xe2\x81\xa0' "invisible formatting character U+2060 (character 2) is not allowed"
	refused $'a\xe2\x81\xa4' "invisible formatting character U+2064 (character 2) is not allowed"
	refused $'\xef\xbb\xbfBerlin' "invisible formatting character U+FEFF (character 1) is not allowed"
	refused $'Ber\xc2\xadlin' "invisible formatting character U+00AD (character 4) is not allowed"
	refused $'a\xe1\xa0\x8e' "invisible formatting character U+180E (character 2) is not allowed"
	refused $'a\xf3\xa0\x80\x81' "invisible formatting character U+E0001 (character 2) is not allowed"
	refused $'a\xe2\x80\xa8b' "line or paragraph separator U+2028 (character 2) is not allowed"
}

@test "invalid UTF-8 is refused: overlong, surrogate, beyond U+10FFFF, truncated, stray bytes" {
	alice
	refused $'a\xc0\xaf' "not valid UTF-8 (byte 2)"
	refused $'ab\xe0\x80\xaf' "not valid UTF-8 (byte 3)"
	refused $'a\xed\xa0\x80' "not valid UTF-8 (byte 2)"
	refused $'a\xf4\x90\x80\x80' "not valid UTF-8 (byte 2)"
	refused $'a\xf8\x88\x80\x80\x80' "not valid UTF-8 (byte 2)"
	refused $'東\xe4\xba' "not valid UTF-8 (byte 4)"
	refused $'a\xe4\xbaz' "not valid UTF-8 (byte 2)"
	refused $'a\x80' "not valid UTF-8 (byte 2)"
	refused $'caf\xe9' "not valid UTF-8 (byte 4)"
}

@test "at most 128 characters and 512 bytes" {
	enrol alice
	run -0 lv-unlock alice --reason "$(printf '東%.0s' {1..128})"
	run -0 lv-unlock alice --reason "$(printf '😀%.0s' {1..128})"
	[ "$(tail -n 1 "$(acctdir alice)/audit" | wc -c)" -gt 512 ]
	before=$(state_sum)
	run -65 lv-unlock alice --reason "$(printf '東%.0s' {1..129})"
	[ "$output" = "lv-unlock: bad reason: longer than 128 characters or 512 bytes" ]
	run -65 lv-unlock alice --reason "$(printf 'x%.0s' {1..129})"
	[ "$output" = "lv-unlock: bad reason: longer than 128 characters or 512 bytes" ]
	[ "$(state_sum)" = "$before" ]
}

@test "every option of free text refuses the same classes, before any change" {
	alice
	for bad in $'a\x01' $'a\xc2\x85' $'a\xe2\x80\xae' $'a\xe2\x80\x8b' $'a\xff' $'a\xed\xa0\x80'; do
		run -65 lv-unlock alice --reason "$bad"
		run -65 lv-unenroll alice --reason "$bad"
		run -65 lv-backup new alice --reason "$bad"
		run -65 lv-backup reset alice --reason "$bad"
		run -65 lv-temppass alice --label "$bad"
		run -65 lv-temppass alice --label mail --reason "$bad"
		run -65 lv-requests new alice --client "$bad"
		run -65 lv-requests new alice --location "$bad"
		run -65 lv-enroll --update alice --key - --label "$bad" </dev/null
		[[ "$output" == "lv-enroll: bad label: "* ]] # not the empty answer's 65
		run -65 lv-enroll --update alice --key-label 0123abcd --label "$bad"
		run -65 lv-verify alice --remember "$bad" <<<"$WRONG_CODE"
		run -65 lv-verify alice --remember laptop --agent "$bad" <<<"$WRONG_CODE"
	done
	[ "$(state_sum)" = "$before" ]
}

@test "a request line with a refused character is not signed" {
	alice
	out=$(lv-requests new alice --location 'Zürich')
	IFS=$'\t' read -r id num tok <<<"$out"
	lv-requests show alice "$id" >line
	run -0 lv-device sign --key phone.key approve "$num" <line
	sed 's/Zürich/Z\xe2\x80\xaeürich/' line >bidi
	run -65 lv-device sign --key phone.key approve "$num" <bidi
	sed 's/Zürich/Z\xfcrich/' line >latin1
	run -65 lv-device sign --key phone.key approve "$num" <latin1
}
