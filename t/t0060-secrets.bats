#!/usr/bin/env bats
# Nothing in the state directory alone lets a reader log in: issued codes
# are kept only as keyed hashes, the audit log holds only masked numbers,
# and no program shows a secret it did not just issue.
load lib

# absent TEXT: TEXT appears nowhere in the state directory, in any spelling
# a code can take (with or without dashes, any case).
absent() {
	local bytes plain
	bytes=$(state_bytes)
	plain=${1//-/}
	[[ "${bytes^^}" != *"${1^^}"* ]] && [[ "${bytes^^}" != *"${plain^^}"* ]]
}

@test "no issued backup code appears anywhere in the state directory" {
	enrol alice
	local codes=("$code")
	codes+=("$(lv-backup new alice)")
	codes+=("$(lv-backup new alice --print | sed -n 4p | tr -d ' ')")
	codes+=("$(lv-backup reset alice)")
	codes+=("$(lv-backup new alice)")
	lv-verify alice <<<"${codes[4]}"
	[ "${#codes[@]}" -eq 5 ]
	for c in "${codes[@]}"; do
		[[ "$c" =~ ^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$ ]]
		absent "$c"
	done
}

@test "the raw bits of a code are not stored either, in hex or base32" {
	enrol alice
	local hex
	hex=$(python3 -c '
import sys
a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
s = sys.argv[1].replace("-", "")
n = 0
for ch in s:
    n = n * 32 + a.index(ch)
print("%020x" % n)' "$code")
	[ "${#hex}" -eq 20 ]
	[[ "$(state_bytes)" != *"$hex"* ]]
	[[ "$(state_bytes)" != *"${hex^^}"* ]]
}

@test "a code is stored as a keyed hash: the same code hashes differently for another account" {
	enrol alice
	enrol bob
	local a b
	a=$(lv-records dump "$(records alice)" | awk -F '\t' '$1 == "backup.00000001" { print $3 }')
	b=$(lv-records dump "$(records bob)" | awk -F '\t' '$1 == "backup.00000001" { print $3 }')
	[[ "$a" =~ ^[0-9a-f]{64}$ ]]
	[ "$a" != "$b" ]
}

@test "the full phone number is kept only in the records, never in the audit log" {
	conf "notify = $(notifier)"
	enrol alice --phone +15551234567
	lv-enroll --update alice --phone +15557654321
	lv-verify alice <<<"$code"
	lv-unenroll alice --phone --reason "lost phone"
	local audit
	audit=$(cat "$(acctdir alice)/audit")
	[[ "$audit" == *"phone=+1******4567"* ]]
	[[ "$audit" == *"phone=+1******4321"* ]]
	[[ "$audit" != *5551234567* && "$audit" != *5557654321* ]]
	run -66 lv-status alice --log
	[[ "$output" != *5551234567* && "$output" != *5557654321* ]]
	[[ "$(cat notified)" != *5551234567* && "$(cat notified)" != *5557654321* ]]
}

@test "after unenrolment the full phone number is gone from the state directory" {
	enrol alice --phone +15551234567
	[[ "$(state_bytes)" == *15551234567* ]]
	lv-unenroll alice --reason "moved"
	[[ "$(state_bytes)" != *5551234567* ]]
}

@test "lv-status shows no secret: no code, no hash, no full number" {
	enrol alice
	lv-backup new alice >/dev/null
	local hash out
	hash=$(lv-records dump "$(records alice)" | awk -F '\t' '$1 == "backup.00000001" { print $3 }')
	out=$(lv-status alice; lv-status alice --json --log; lv-backup status alice)
	[[ "$out" != *"$hash"* && "$out" != *"${hash:0:16}"* ]]
	[[ "$out" != *"$code"* ]]
	[[ "$out" != *5551234567* ]]
}

@test "issued codes go to stdout only; stderr stays empty" {
	run --separate-stderr -0 lv-enroll alice --phone +15551234567
	[ "$stderr" = "" ]
	code=$output
	run --separate-stderr -0 lv-backup new alice
	[ "$stderr" = "" ]
	run --separate-stderr -0 lv-backup reset alice --print
	[ "$stderr" = "" ]
}

@test "a refused code is not echoed in any message" {
	enrol alice
	lv-verify alice <<<"$code"
	run -1 lv-verify alice <<<"$code"
	[[ "$output" != *"$code"* && "$output" != *"${code//-/}"* ]]
	run -1 lv-verify alice --client third-party <<<"$code"
	[[ "$output" != *"$code"* ]]
	[[ "$(cat "$(acctdir alice)/audit")" != *"${code:0:4}-"* ]]
}
