#!/usr/bin/env bats
# Push login requests: make, list, show, sign, answer, redeem.
load lib

# push ACCOUNT [ARGS]: a new login request; leaves $id, $num and $tok
push() {
	local out
	out=$(lv-requests new "$@") || return 1
	IFS=$'\t' read -r id num tok <<<"$out"
}

# answer ACCOUNT KEY approve|deny NUMBER: the signed answer line for $id
answer() {
	lv-requests show "$1" "$id" | lv-device sign --key "$2" "$3" "$4"
}

# A number that is not the one on the login screen.
wrong() {
	echo $((num == 42 ? 43 : 42))
}

status_of() {
	lv-requests list "$1" --all | awk -F'\t' -v id="$2" '$1 == id { print $6 }'
}

@test "the whole flow through pipes: new, show, sign, answer, and the login redeems it once" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice --ip 192.0.2.7 --client "Firefox on Linux" --location "Berlin"
	[[ "$id" =~ ^[0-9a-f]{12}$ ]]
	[[ "$num" =~ ^[1-9][0-9]$ ]]
	[[ "$tok" =~ ^[0-9a-f]{32}$ ]]
	run -0 --separate-stderr lv-requests show alice "$id"
	[[ "$output" =~ ^lv1-request$'\t'alice$'\t'$id$'\t'[A-Za-z0-9+/]{43}=$'\t'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'\t'192.0.2.7$'\t'Firefox\ on\ Linux$'\t'Berlin$ ]]
	run -0 bash -c "lv-requests show alice $id | lv-device sign --key phone.key approve $num | lv-requests answer alice"
	[ "$output" = "" ]
	[ "$(status_of alice "$id")" = approved ]
	run -0 lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "" ]
	[ "$(status_of alice "$id")" = redeemed ]
	run -1 lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "lv-verify: rejected: the approval was used already" ]
}

@test "a denial is recorded (exit 0) and the login is refused" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	answer alice phone.key deny "$num" >deny.line
	run -0 lv-requests answer alice <deny.line
	[ "$output" = "" ]
	run -1 lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "lv-verify: rejected: the request was denied" ]
	[ "$(status_of alice "$id")" = denied ]
}

@test "an approval with the wrong number is a denial, a failure, notified and audited as an attack" {
	device phone
	enrol alice --device-key - <phone.pub
	printf '#!/bin/sh\necho "$@" >>%s/notified\n' "$BATS_TEST_TMPDIR" >notify.sh
	chmod 755 notify.sh
	printf 'notify = %s/notify.sh\n' "$BATS_TEST_TMPDIR" >"$LV_CONF"
	push alice
	answer alice phone.key approve "$(wrong)" >approve.line
	run -0 lv-requests answer alice <approve.line
	[ "$output" = "lv-requests: the number did not match the login screen's: recorded as a denial" ]
	[ "$(status_of alice "$id")" = denied ]
	run -1 lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "lv-verify: rejected: the request was denied" ]
	[ "$(lv-status alice | grep '^failures')" = "failures	1" ]
	[ "$(cat notified)" = "wrong-number alice" ]
	grep -q "event=request-answer method=push result=wrong-number .*request=$id .*possible-attack=yes" "$(acctdir alice)/audit"
}

@test "a wrong token is refused and does not spend the approval; a malformed one is 65" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	answer alice phone.key approve "$num" | lv-requests answer alice
	run -1 lv-verify alice --request "$id" <<<"0123456789abcdef0123456789abcdef"
	[ "$output" = "lv-verify: rejected: wrong token for this request" ]
	run -65 lv-verify alice --request "$id" <<<"not a token"
	[ "$output" = "lv-verify: malformed token: the 32 hex digits lv-requests new printed expected" ]
	run -1 lv-verify alice --request 000000000000 <<<"$tok"
	[ "$output" = "lv-verify: rejected: no such request" ]
	run -0 lv-verify alice --request "$id" <<<"$tok"
}

@test "a replayed answer is refused and changes nothing, also against a newer request" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	old=$id
	answer alice phone.key deny "$num" >deny.line
	run -0 lv-requests answer alice <deny.line
	run -1 lv-requests answer alice <deny.line
	[ "$output" = "lv-requests: rejected: the request was answered already" ]
	push alice
	sed "s/$old/$id/" deny.line >moved.line
	run -1 lv-requests answer alice <moved.line
	[ "$output" = "lv-requests: rejected: the answer is for another challenge" ]
	[ "$(status_of alice "$id")" = pending ]
	[ "$(status_of alice "$old")" = denied ]
}

@test "a flipped bit anywhere in the signed answer is refused (1 or 65), never an approval" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	line=$(answer alice phone.key approve "$num")
	for ((i = 0; i < ${#line}; i++)); do
		printf -v c '%d' "'${line:i:1}"
		for bit in $((1 << (i % 8))) 1; do
			printf -v hex '\\x%02x' $((c ^ bit))
			rc=0
			printf "%s${hex}%s\n" "${line:0:i}" "${line:i+1}" | lv-requests answer alice 2>/dev/null || rc=$?
			if [ "$rc" != 1 ] && [ "$rc" != 65 ]; then
				echo "position $i bit $bit: exit $rc"
				return 1
			fi
		done
	done
	[ "$(status_of alice "$id")" = pending ]
	run -0 lv-requests answer alice <<<"$line"
	[ "$(status_of alice "$id")" = approved ]
}

@test "another device's key cannot answer" {
	device phone
	device stranger
	enrol alice --device-key - <phone.pub
	enrol bob --device-key - <stranger.pub
	push alice
	answer alice stranger.key approve "$num" >approve.line
	run -1 lv-requests answer alice <approve.line
	[ "$output" = "lv-requests: rejected: bad signature, or a key that is not enrolled for this account" ]
	run -1 lv-requests answer bob <approve.line
	[ "$output" = "lv-requests: rejected: the answer is for another account" ]
	[ "$(status_of alice "$id")" = pending ]
	grep -q "event=request-answer method=push result=reject .*request=$id" "$(acctdir alice)/audit"
}

@test "a request is pending for 10 minutes, then expired" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	answer alice phone.key approve "$num" >approve.line
	run -75 at +590s lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "lv-verify: request $id is still pending: no answer from the device yet" ]
	run -1 at +601s lv-requests answer alice <approve.line
	[ "$output" = "lv-requests: rejected: the request expired" ]
	run -1 at +601s lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "lv-verify: rejected: the request expired" ]
	run -0 at +601s lv-requests list alice
	[[ "$output" =~ $'\t'expired$ ]]
	[ "$(at +601s lv-status alice | grep pending-requests)" = "pending-requests	0" ]
}

@test "an approval not redeemed within the request's lifetime no longer lets the login in" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	answer alice phone.key approve "$num" | lv-requests answer alice
	run -1 at +601s lv-verify alice --request "$id" <<<"$tok"
	[ "$output" = "lv-verify: rejected: the approval was not redeemed in time: log in again" ]
	run -0 at +590s lv-verify alice --request "$id" <<<"$tok"
}

@test "at most 3 pending requests: the fourth waits (75) until one is answered or expires" {
	device phone
	enrol alice --device-key - <phone.pub
	push alice
	first=$id firstnum=$num
	push alice
	push alice
	run -75 lv-requests new alice
	[[ "$output" =~ ^"lv-requests: 3 login requests of alice are pending already: answer one, or wait "[0-9]+" s for one to expire"$ ]]
	[ "$(lv-status alice | grep pending-requests)" = "pending-requests	3" ]
	id=$first
	answer alice phone.key deny "$firstnum" | lv-requests answer alice
	run -0 lv-requests new alice
	run -75 lv-requests new alice
	run -0 at +601s lv-requests new alice
}

@test "at most 10 new requests an hour, counted across unenrolment" {
	device phone
	enrol alice --device-key - <phone.pub
	printf 'request_pending_max = 100\n' >"$LV_CONF"
	for i in 1 2 3 4 5 6 7 8 9 10; do lv-requests new alice >/dev/null; done
	run -75 lv-requests new alice
	[[ "$output" =~ ^"lv-requests: 10 login requests of alice in the last hour, the most allowed: try again in "[0-9]+" s"$ ]]
	lv-unenroll alice --reason "lost phone"
	enrol alice --device-key - <phone.pub
	run -75 lv-requests new alice
	run -0 at +3601s lv-requests new alice
}

@test "new checks its input before touching anything, and needs a device" {
	device phone
	enrol alice --device-key - <phone.pub
	enrol bob
	run -65 lv-requests new alice --ip 300.1.2.3
	[ "$output" = "lv-requests: bad --ip: an IPv4 or IPv6 address expected" ]
	run -65 lv-requests new alice --client $'tab\there'
	[ "$output" = "lv-requests: bad client: control character U+0009 (character 4) is not allowed" ]
	run -65 lv-requests new alice --location "$(printf 'x%.0s' {1..129})"
	[ "$output" = "lv-requests: bad location: longer than 128 characters or 512 bytes" ]
	run -65 lv-requests new '.alice'
	run -69 lv-requests new bob
	[ "$output" = "lv-requests: bob has no device for push requests (lv-enroll --update bob --device-key -)" ]
	run -66 lv-requests new carol
	run -64 lv-requests push alice
	run -64 lv-requests new alice --bogus
	run -64 lv-requests new
	run -0 lv-requests --help
	[[ "$output" =~ ^"usage: lv-requests " ]]
	run -64 lv-requests list alice --ip 192.0.2.1
	run -65 lv-requests show alice NOTANID
	[ "$(lv-status alice | grep pending-requests)" = "pending-requests	0" ]
}

@test "--exec notifies the device after the commit: account and id as arguments, the show line on stdin" {
	device phone
	enrol alice --device-key - <phone.pub
	printf '#!/bin/sh\necho "$@" >%s/args\ncat >%s/stdin\nlv-requests -d %s show "$1" "$2" >%s/seen 2>&1\n' \
		"$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR" "$LV_DIR" "$BATS_TEST_TMPDIR" >pushd.sh
	sed -i "2i PATH=$PATH" pushd.sh
	chmod 755 pushd.sh
	push alice --exec "$BATS_TEST_TMPDIR/pushd.sh" --client "App"
	[ "$(cat args)" = "alice $id" ]
	[ "$(cat stdin)" = "$(lv-requests show alice "$id")" ]
	[ "$(cat seen)" = "$(cat stdin)" ]
}

@test "a failed push still prints the request and keeps it listed" {
	device phone
	enrol alice --device-key - <phone.pub
	run -0 --separate-stderr lv-requests new alice --exec /bin/false
	[[ "$output" =~ ^[0-9a-f]{12}$'\t'[1-9][0-9]$'\t'[0-9a-f]{32}$ ]]
	[ "$stderr" = "lv-requests: could not notify the device of alice; request ${output:0:12} stays listed (lv-requests list)" ]
	[ "$(status_of alice "${output:0:12}")" = pending ]
}

@test "list is newest first, recent by default, everything with --all, and --json" {
	device phone
	enrol alice --device-key - <phone.pub
	at -2d lv-requests new alice --client old >/dev/null
	push alice --client "a \"quoted\" one"
	a=$id
	push alice --ip 2001:db8::1
	b=$id
	run -0 lv-requests list alice
	[ "${lines[0]}" = "$b	${lines[0]:13:20}	2001:db8::1	-	-	pending" ]
	[ "${lines[1]}" = "$a	${lines[1]:13:20}	-	a \\\"quoted\\\" one	-	pending" ]
	[ "${#lines[@]}" = 2 ]
	run -0 lv-requests list alice --all
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[2]}" =~ $'\t'old$'\t'-$'\t'expired$ ]]
	run -0 lv-requests list alice --json
	[[ "$output" =~ ^\[\{\"id\":\"$b\",\"time\":\"[0-9TZ:-]{20}\",\"ip\":\"2001:db8::1\",\"client\":null,\"location\":null,\"status\":\"pending\"\},\{\"id\":\"$a\".*\"client\":\"a\ \\\"quoted\\\"\ one\".*\}\]$ ]]
	[ "$(jq -r '.[1].client' <<<"$output")" = 'a "quoted" one' ]
}

@test "lv-status shows the devices in enrolment order, the first marked enrolling, and pending requests" {
	device one
	device two
	enrol alice --device-key - <one.pub
	lv-enroll --update alice --device-key - <two.pub
	push alice
	id1=$(lv-status alice --json | jq -r '.device[0].id')
	run -0 lv-status alice
	[[ "$output" =~ $'\n'device$'\t'[0-9a-f]{8}$'\t'[0-9TZ:-]{20}$'\t'enrolling$'\n'device$'\t'[0-9a-f]{8}$'\t'[0-9TZ:-]{20}$'\n' ]]
	[[ "$output" =~ $'\n'pending-requests$'\t'1$'\n' ]]
	[[ "$output" =~ device$'\t'$id1 ]]
}
