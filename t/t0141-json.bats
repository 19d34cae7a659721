#!/usr/bin/env bats
# --json (lv-status, lv-requests list): one line of JSON that parses, the
# raw values typed: numbers as numbers, yes/no as booleans, absent as null,
# times as ISO 8601 strings. Hostile text comes back from a JSON parser
# (python3's json module, jq) exactly as it was given.
load lib
load seckey
export TZ=UTC

T="2026-05-06 07:08:00"

# parsed FILTER EXPR: what jq -r FILTER and python3's strict json module
# (EXPR on the parsed d) find in $output; fails unless both agree.
parsed() {
	local by_jq by_python
	by_jq=$(jq -r "$1" <<<"$output") || return 1
	by_python=$(/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))
v = eval(sys.argv[1])
sys.stdout.write(v if isinstance(v, str) else json.dumps(v))' "$2" <<<"$output") || return 1
	[ "$by_jq" = "$by_python" ] || return 1
	echo "$by_jq"
}

# valid: $output is one line that python3 -m json.tool and jq both accept.
valid() {
	[ "${#lines[@]}" -eq 1 ]
	/usr/bin/python3 -m json.tool <<<"$output" >/dev/null
	jq . <<<"$output" >/dev/null
}

H1='user said "lost" C:\phone'
H2='Mail \ "wörk" \n \u0041 {"x":1} </script>'
H3='São Paulo \\ \" // \t'
H4='東京 – Zürich 😀 '"'quoted'"

@test "lv-status --json of an enrolled account, exactly" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	device one
	device two
	faketime -f "$T" lv-enroll --update alice --device-key - <one.pub >/dev/null
	faketime -f "2026-05-06 07:09:00" lv-enroll --update alice --device-key - <two.pub >/dev/null
	faketime -f "$T" lv-enroll --update alice --totp >/dev/null
	faketime -f "$T" lv-sendcode alice >/dev/null
	faketime -f "$T" lv-temppass alice --label 'Mail "work"' >/dev/null
	faketime -f "$T" bash -c '. "$1"; fail_backup alice 5' _ "$BATS_TEST_DIRNAME/lib.bash"
	read -r -d '' one two < <(lv-status alice | awk -F '\t' '$1 == "device" { print $2 }') || true
	run --separate-stderr -0 faketime -f "2026-05-06 07:08:30" lv-status alice --json
	[ "$output" = '{"enrolled":true,"phone":"+1******4567","sms-last-sent":"2026-05-06T07:08:00Z","sms-pending":true,"device":[{"id":"'"$one"'","time":"2026-05-06T07:08:00Z","enrolling":true},{"id":"'"$two"'","time":"2026-05-06T07:09:00Z","enrolling":false}],"totp":true,"security-key":[],"backup-codes":1,"temppass":[{"label":"Mail \"work\"","expires":"2026-05-06T08:08:00Z"}],"pending-requests":0,"remembered":[],"remembered-host":[],"failures":5,"third-party-failures":0,"locked-until":"2026-05-06T07:09:00Z"}' ]
	[ "$stderr" = "" ]
	valid
}

@test "lv-status --json: nothing sent, no phone, no device: null, false and empty lists" {
	faketime -f "$T" lv-enroll alice --totp >/dev/null
	run -0 faketime -f "$T" lv-status alice --json
	[ "$output" = '{"enrolled":true,"phone":null,"sms-last-sent":null,"sms-pending":false,"device":[],"totp":true,"security-key":[],"backup-codes":1,"temppass":[],"pending-requests":0,"remembered":[],"remembered-host":[],"failures":0,"third-party-failures":0,"locked-until":null}' ]
	run -0 faketime -f "$T" lv-status alice
	[[ "$output" != *phone* && "$output" != *device* ]]
}

@test "lv-status --json of an unenrolled account, exactly, and its log" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	faketime -f "$T" lv-unenroll alice --reason "$H1"
	run -66 lv-status alice --json
	[ "$output" = '{"enrolled":false,"disabled":{"time":"2026-05-06T07:08:00Z","by":"'"$(id -un)"'","reason":"user said \"lost\" C:\\phone"}}' ]
	run -66 lv-status alice --json --log
	valid
	[ "$(parsed '.disabled.reason' 'd["disabled"]["reason"]')" = "$H1" ]
	[ "$(parsed '.log | length' 'len(d["log"])')" = 2 ]
	[ "$(parsed '.log[1]' 'd["log"][1]')" = "$(tail -n 1 "$(acctdir alice)/audit")" ]
}

@test "hostile text comes back from python3 and jq exactly as given" {
	device phone
	enrol alice --device-key - <phone.pub
	lv-temppass alice --label "$H2" >/dev/null
	lv-requests new alice --client "$H3" --location "$H4" >/dev/null
	run -0 lv-status alice --json
	valid
	[ "$(parsed '.temppass[0].label' 'd["temppass"][0]["label"]')" = "$H2" ]
	run -0 lv-requests list alice --json
	valid
	[ "$(parsed '.[0].client' 'd[0]["client"]')" = "$H3" ]
	[ "$(parsed '.[0].location' 'd[0]["location"]')" = "$H4" ]
	[ "$(parsed '.[0].ip' 'd[0]["ip"]')" = null ]
	lv-unenroll alice --reason "$H4"
	run -66 lv-status alice --json
	valid
	[ "$(parsed '.disabled.reason' 'd["disabled"]["reason"]')" = "$H4" ]
}

@test "the labels of a security key and a remembered device come back from python3 and jq exactly as given" {
	webauthn_conf
	key_enrol alice k1
	id=$(lv-status alice | awk -F '\t' '$1 == "security-key" { print $2 }')
	lv-enroll --update alice --key-label "$id" --label "$H2"
	lv-verify alice --remember "$H4" <<<"$code" >/dev/null
	run -0 lv-status alice --json
	valid
	[ "$(parsed '.["security-key"][0].label' 'd["security-key"][0]["label"]')" = "$H2" ]
	[ "$(parsed '.remembered[0].label' 'd["remembered"][0]["label"]')" = "$H4" ]
}

@test "control characters never reach the JSON: refused on the way in" {
	device phone
	enrol alice --device-key - <phone.pub
	run -65 lv-temppass alice --label $'a\x01b'
	run -65 lv-requests new alice --client $'a\x1b[2Jb'
	run -65 lv-unenroll alice --reason $'a\xe2\x80\xaeb'
	run -0 lv-status alice --json
	[ "$(parsed '.temppass | length' 'len(d["temppass"])')" = 0 ]
	run -0 lv-requests list alice --json
	[ "$output" = "[]" ]
}

@test "a damaged audit line that is not UTF-8 still makes JSON that parses" {
	enrol alice
	printf '2026-05-06T07:08:00Z event=x \xff\xfe "q" \\ y\n' >>"$(acctdir alice)/audit"
	run -0 lv-status alice --json --log
	valid
	[ "$(parsed '.log[1]' 'd["log"][1]')" = '2026-05-06T07:08:00Z event=x \xff\xfe \"q\" \\ y' ]
}

@test "lv-requests list --json, exactly: the newest first, null for what is unknown" {
	device phone
	enrol alice --device-key - <phone.pub
	a=$(faketime -f "$T" lv-requests new alice --ip 192.0.2.7 --client 'Firefox "ESR"' --location 'Zürich')
	b=$(faketime -f "2026-05-06 07:09:00" lv-requests new alice)
	run -0 faketime -f "2026-05-06 07:10:00" lv-requests list alice --json
	[ "$output" = '[{"id":"'"${b%%$'\t'*}"'","time":"2026-05-06T07:09:00Z","ip":null,"client":null,"location":null,"status":"pending"},{"id":"'"${a%%$'\t'*}"'","time":"2026-05-06T07:08:00Z","ip":"192.0.2.7","client":"Firefox \"ESR\"","location":"Zürich","status":"pending"}]' ]
	valid
	run -0 faketime -f "2026-05-06 07:30:00" lv-requests list alice --json
	[ "$(parsed '[.[].status] | join(" ")' '" ".join(r["status"] for r in d)')" = "expired expired" ]
}
