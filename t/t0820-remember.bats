#!/usr/bin/env bats
# Remembered devices (issue 19): lv-verify --remember issues a token after
# an accepted answer; --method remembered takes it instead of a code,
# spends it and prints its successor; an old copy revokes the series.
load lib
export TZ=UTC

T="2026-03-01 12:00:00"
TOKEN_RE='^lvr1-[0-9A-HJKMNP-TV-Z]{16}-[0-9A-HJKMNP-TV-Z]{32}$'

# remember ACCOUNT LABEL [ARGS]: a backup code accepted at $T with
# --remember LABEL; the token in $token.
remember() {
	local who=$1 label=$2 c
	shift 2
	c=$(lv-backup new "$who") || return 1
	token=$(faketime -f "${when:-$T}" lv-verify "$who" --remember "$label" "$@" <<<"$c") || return 1
}

# use ACCOUNT TOKEN [ARGS]: --method remembered at $when (default $T).
use() {
	local who=$1 tok=$2
	shift 2
	run --separate-stderr faketime -f "${when:-$T}" lv-verify "$who" --method remembered "$@" <<<"$tok"
}

@test "an accepted answer with --remember prints one token of the documented shape, and audits its issue" {
	enrol alice
	run --separate-stderr -0 lv-verify alice --remember "Firefox on laptop" --ip 192.0.2.7 \
		--agent "Mozilla/5.0 (X11)" <<<"$code"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ $TOKEN_RE ]]
	[ "$stderr" = "" ]
	id=${output:5:16}
	run -0 lv-status --log alice
	[[ "$output" == *"event=verify method=backup result=accept by="*" seq=1"* ]]
	[[ "$output" == *"event=remember-issue method=remembered result=ok by="*" id=$id seq=1 label=\"Firefox on laptop\" ip=192.0.2.7 agent=\"Mozilla/5.0 (X11)\""* ]]
}

@test "a remembered token is accepted without a code, once, and its successor works next" {
	enrol alice
	remember alice laptop
	use alice "$token"
	[ "$status" -eq 0 ]
	[[ "$output" =~ $TOKEN_RE ]]
	[ "${output:0:22}" = "${token:0:22}" ]
	[ "$output" != "$token" ]
	[ "$stderr" = "" ]
	next=$output
	use alice "$next"
	[ "$status" -eq 0 ]
	[ "${output:0:22}" = "${token:0:22}" ]
	run -0 lv-status --log alice
	[[ "$output" == *"event=verify method=remembered result=accept by="*" id=${token:5:16} seq=2 label=\"laptop\""* ]]
	[[ "$output" == *"event=verify method=remembered result=accept by="*" id=${token:5:16} seq=3 label=\"laptop\""* ]]
}

@test "case, spaces and dashes in a token are ignored, as in every answer" {
	enrol alice
	remember alice laptop
	use alice "$(tr 'A-Z-' 'a-z ' <<<"$token")"
	[ "$status" -eq 0 ]
}

@test "an old copy is refused, revokes the series so that the successor is refused too, and notifies" {
	conf "notify = $(notifier)"
	enrol alice
	remember alice laptop
	use alice "$token"
	[ "$status" -eq 0 ]
	next=$output
	use alice "$token"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: rejected: this remembered-device token was replaced already, so it is a copy: the device is forgotten and a code is needed" ]
	use alice "$next"
	[ "$status" -eq 1 ]
	[ "$stderr" = "lv-verify: rejected: this device is not remembered (forgotten, expired or never remembered): give a code" ]
	[ "$(faketime -f "$T" lv-status alice | grep -c '^remembered')" -eq 0 ]
	grep -qx remembered-token-reused notified
	grep -q "^A remembered device token of alice was used twice: someone may have copied it. That device is forgotten and will be asked for a code.\$" notified
	run -0 lv-status --log alice
	[[ "$output" == *"event=remember-reused method=remembered result=revoke by="*" id=${token:5:16} seq=2 label=\"laptop\""* ]]
	[[ "$output" == *"event=verify method=remembered result=reject by="*" id=${token:5:16}"* ]]
}

@test "a copy of a token two rotations old revokes the series as well" {
	enrol alice
	remember alice laptop
	use alice "$token" && t2=$output
	use alice "$t2" && t3=$output
	use alice "$token"
	[ "$status" -eq 1 ]
	use alice "$t3"
	[ "$status" -eq 1 ]
}

@test "a token expires after remember_days, from its issue, rotation or not" {
	enrol alice
	remember alice laptop
	when="2026-03-31 11:59:00" use alice "$token"
	[ "$status" -eq 0 ]
	cp "$(records alice)" before
	when="2026-03-31 12:00:00" use alice "$output"
	[ "$status" -eq 1 ]
	[ "$stderr" = "lv-verify: rejected: this device is not remembered (forgotten, expired or never remembered): give a code" ]
	cmp before "$(records alice)"
}

@test "remember_days sets the expiry, and lowering it shortens series issued before" {
	conf "remember_days = 7"
	enrol alice
	remember alice laptop
	[ "$(faketime -f "$T" lv-status alice | awk -F '\t' '$1 == "remembered" { print $7 }')" = 2026-03-08T12:00:00Z ]
	conf "remember_days = 2"
	when="2026-03-03 12:00:00" use alice "$token"
	[ "$status" -eq 1 ]
}

@test "remember_days = 0 turns remembering off: --remember exits 69 before the code is spent; tokens stop working" {
	enrol alice
	remember alice laptop
	conf "remember_days = 0"
	cp "$(records alice)" before
	run --separate-stderr -69 lv-verify alice --remember laptop <<<"$code"
	[ "$stderr" = "lv-verify: remembered devices are turned off here (remember_days = 0)" ]
	use alice "$token"
	[ "$status" -eq 69 ]
	[ "$stderr" = "lv-verify: remembered devices are turned off here (remember_days = 0)" ]
	cmp before "$(records alice)"
}

@test "lv-status lists remembered devices, oldest first, never the secret; --json too" {
	enrol alice
	remember alice "Firefox on laptop" --ip 192.0.2.7
	one=${token:5:16}
	when="2026-03-02 08:00:00" remember alice phone
	two=${token:5:16}
	when="2026-03-03 09:30:00" use alice "$token" --ip 2001:db8::1
	run -0 faketime -f "2026-03-04 00:00:00" lv-status alice
	[[ "$output" == *$'\nremembered\t'"$one"$'\tFirefox on laptop\t2026-03-01T12:00:00Z\t2026-03-01T12:00:00Z\t192.0.2.7\t2026-03-31T12:00:00Z\n'* ]]
	[[ "$output" == *$'\nremembered\t'"$two"$'\tphone\t2026-03-02T08:00:00Z\t2026-03-03T09:30:00Z\t2001:db8::1\t2026-04-01T08:00:00Z\n'* ]]
	run -0 faketime -f "2026-03-04 00:00:00" lv-status alice --json
	[[ "$output" == *'"remembered":[{"id":"'"$one"'","label":"Firefox on laptop","created":"2026-03-01T12:00:00Z","last-used":"2026-03-01T12:00:00Z","ip":"192.0.2.7","expires":"2026-03-31T12:00:00Z"},{"id":"'"$two"'","label":"phone","created":"2026-03-02T08:00:00Z","last-used":"2026-03-03T09:30:00Z","ip":"2001:db8::1","expires":"2026-04-01T08:00:00Z"}]'* ]]
}

@test "nothing secret in the state directory: neither the token nor its secret part" {
	enrol alice
	remember alice laptop
	use alice "$token"
	next=$output
	for t in "$token" "$next"; do
		secret=${t:22:32}
		! state_bytes | grep -qi "$secret"
		! state_bytes | grep -qi "${t:0:21}${secret:0:8}"
	done
	! lv-status alice --json --log | grep -qi "${next:22:32}"
}

@test "a locked account refuses a remembered token (75) and changes nothing" {
	enrol alice
	remember alice laptop
	fail_backup alice 5
	cp "$(records alice)" before
	use alice "$token"
	[ "$status" -eq 75 ]
	[[ "$stderr" =~ ^"lv-verify: alice is locked after too many failures: a remembered device does not work until the lock ends in "[0-9]+" s; use a backup code"$ ]]
	cmp before "$(records alice)"
	run -0 lv-unlock alice --reason "ticket 5"
	use alice "$token"
	[ "$status" -eq 0 ]
}

@test "a disabled account refuses a remembered token (66)" {
	enrol alice
	remember alice laptop
	lv-unenroll alice --reason "left"
	use alice "$token"
	[ "$status" -eq 66 ]
	[ "$stderr" = "lv-verify: login verification is not enabled for alice" ]
}

@test "a remembered device is not a method: not in --methods, and not enough to stay enrolled" {
	enrol alice
	remember alice laptop
	run -0 lv-verify alice --methods
	[ "$output" = "sms" ]
	run -0 lv-unenroll alice --phone --reason "lost phone"
	[ "$(fact alice enrolled)" = no ]
	use alice "$token"
	[ "$status" -eq 66 ]
}

@test "a token given as a code is refused (1) with what it is for, and nothing is counted" {
	enrol alice
	remember alice laptop
	cp "$(records alice)" before
	run --separate-stderr -1 lv-verify alice <<<"$token"
	[ "$stderr" = "lv-verify: rejected: a remembered-device token is given with --method remembered, not as a code" ]
	cmp before "$(records alice)"
	use alice "$token"
	[ "$status" -eq 0 ]
}

@test "a malformed token exits 65; an unknown one 1; neither changes the records" {
	enrol alice
	remember alice laptop
	cp "$(records alice)" before
	for bad in "${token}0" "${token:0:53}" "lvr2-${token:5}" "${token:0:10}U${token:11}" 123456; do
		use alice "$bad"
		[ "$status" -eq 65 ]
		[ "$stderr" = "lv-verify: malformed answer: not a remembered-device token" ]
	done
	use alice "lvr1-0000000000000000-${token:22}"
	[ "$status" -eq 1 ]
	[ "$stderr" = "lv-verify: rejected: this device is not remembered (forgotten, expired or never remembered): give a code" ]
	cmp before "$(records alice)"
}

@test "a wrong answer with --remember issues nothing" {
	enrol alice
	run --separate-stderr -1 lv-verify alice --remember laptop <<<"$WRONG_CODE"
	[ "$output" = "" ]
	[ "$(lv-status alice | grep -c '^remembered')" -eq 0 ]
}

@test "usage: what --remember, --ip, --agent, --grace and --method remembered go with" {
	enrol alice
	run -64 lv-verify alice --remember x --client third-party
	[[ "${lines[0]}" == "lv-verify: remembered devices are for the site's own logins: no --client third-party or --methods; usage: "* ]]
	run -64 lv-verify alice --request 0123456789ab --grace 60 --ip 192.0.2.1
	[[ "${lines[0]}" == "lv-verify: --request takes --remember, not --grace; usage: "* ]]
	run -64 lv-verify alice --method remembered --remember x
	[[ "${lines[0]}" == "lv-verify: --method remembered prints the device's next token itself; no --remember; usage: "* ]]
	run -64 lv-verify alice --ip 192.0.2.1
	[[ "${lines[0]}" == "lv-verify: --ip and --agent go with --remember, --grace or --method remembered; usage: "* ]]
	run -64 lv-verify alice --method grace --grace 60
	[[ "${lines[0]}" == "lv-verify: --grace SECONDS goes with --ip IP (and --method grace checks it); usage: "* ]]
	run -64 lv-verify alice --grace 0 --ip 192.0.2.1
	[[ "${lines[0]}" == "lv-verify: --grace takes seconds, 1 to 86400; usage: "* ]]
	run -65 lv-verify alice --remember $'a\tb' <<<"$code"
	[ "$output" = "lv-verify: bad label: control character U+0009 (character 2) is not allowed" ]
	run -65 lv-verify alice --remember x --ip 300.1.1.1 <<<"$code"
	[ "$output" = "lv-verify: bad --ip: not an IPv4 or IPv6 address" ]
}

@test "the owner hears of each device remembered" {
	conf "notify = $(notifier)"
	enrol alice
	remember alice "Firefox on laptop"
	grep -qx device-remembered notified
	grep -q '^A device ("Firefox on laptop") was remembered for logins of alice for 30 days: it will not be asked for a code.$' notified
}

@test "an account keeps at most 32 series: a 33rd forgets the least recently used" {
	enrol alice
	remember alice first
	first=$token
	for i in $(seq 2 32); do
		when="2026-03-01 12:$(printf %02d "$i"):00" remember alice "device $i"
	done
	when="2026-03-01 13:00:00" use alice "$first"
	[ "$status" -eq 0 ]
	when="2026-03-01 13:01:00" remember alice "device 33"
	[ "$(faketime -f "$T" lv-status alice | grep -c '^remembered')" -eq 32 ]
	run -0 faketime -f "$T" lv-status alice
	[[ "$output" != *$'\tdevice 2\t'* ]]
	[[ "$output" == *$'\tfirst\t'* ]]
}

@test "--grace records an accepted answer's address; --method grace accepts within it, changes nothing; ended graces go" {
	enrol alice
	c=$(lv-backup new alice)
	faketime -f "$T" lv-verify alice --grace 60 --ip 192.0.2.7 <<<"$c"
	cp "$(records alice)" before # a grace login changes no record: it does not extend the grace
	run --separate-stderr -0 faketime -f "2026-03-01 12:00:59" lv-verify alice --method grace --grace 60 --ip 192.0.2.7 </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	run -0 lv-status --log alice
	[[ "${lines[-1]}" == *" event=verify method=grace result=accept by="*" ip=192.0.2.7 verified=59s-ago" ]]
	cmp before "$(records alice)"
	run --separate-stderr -1 faketime -f "2026-03-01 12:01:00" lv-verify alice --method grace --grace 60 --ip 192.0.2.7
	[ "$stderr" = "lv-verify: rejected: no login from 192.0.2.7 was verified in the last 60 s" ]
	run --separate-stderr -1 faketime -f "2026-03-01 12:00:30" lv-verify alice --method grace --grace 60 --ip 192.0.2.8
	cmp before "$(records alice)"
	c=$(lv-backup new alice)
	faketime -f "2026-03-01 12:01:00" lv-verify alice --grace 60 --ip 192.0.2.8 <<<"$c"
	run -0 lv-records dump "$(records alice)"
	[[ "$output" != *remember-host.192.0.2.7* ]]
	[[ "$output" == *remember-host.192.0.2.8* ]]
	run -0 lv-status alice
	[[ "$output" == *$'\nremembered-host\t192.0.2.8\t2026-03-01T12:01:00Z\n'* ]]
	[[ "$output" != *192.0.2.7* ]]
	run -0 lv-status alice --json
	[[ "$output" == *'"remembered-host":[{"ip":"192.0.2.8","verified":"2026-03-01T12:01:00Z"}]'* ]]
}

@test "a push approval redeemed with --remember remembers the device in the same commit; a refused one issues nothing" {
	device phone
	enrol alice --device-key - <phone.pub
	IFS=$'\t' read -r rid num tok < <(lv-requests new alice)
	run --separate-stderr -75 lv-verify alice --request "$rid" --remember laptop <<<"$tok"
	[ "$output" = "" ]
	[ "$(lv-status alice | grep -c '^remembered')" -eq 0 ]
	lv-requests show alice "$rid" | lv-device sign --key phone.key approve "$num" | lv-requests answer alice
	run --separate-stderr -0 lv-verify alice --request "$rid" --remember laptop --ip 192.0.2.7 --agent "Firefox on Linux" <<<"$tok"
	[[ "$output" =~ ^lvr1-[0-9A-HJKMNP-TV-Z]{16}-[0-9A-HJKMNP-TV-Z]{32}$ ]]
	token=$output
	id=${token:5:16}
	[ "$(lv-status alice | grep '^remembered' | cut -f1-3,6)" = "remembered	$id	laptop	192.0.2.7" ]
	run -0 bash -c "lv-status alice --log | tail -n 2 | cut -d' ' -f2-"
	[ "$output" = "event=verify method=push result=accept by=$(id -un) request=$rid
event=remember-issue method=remembered result=ok by=$(id -un) id=$id seq=1 label=\"laptop\" ip=192.0.2.7 agent=\"Firefox on Linux\"" ]
	# the redeemed approval again: refused, and nothing more remembered
	run --separate-stderr -1 lv-verify alice --request "$rid" --remember laptop <<<"$tok"
	[ "$output" = "" ]
	[ "$(lv-status alice | grep -c '^remembered')" -eq 1 ]
	run --separate-stderr -0 lv-verify alice --method remembered <<<"$token"
}
