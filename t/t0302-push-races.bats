#!/usr/bin/env bats
# Push across processes: a login waiting for the answer, and racing answers.
load lib

push() {
	local out
	out=$(lv-requests new "$@") || return 1
	IFS=$'\t' read -r id num tok <<<"$out"
}

answer() {
	lv-requests show "$1" "$id" | lv-device sign --key "$2" "$3" "$4"
}

status_of() {
	lv-requests list "$1" --all | awk -F'\t' -v id="$2" '$1 == id { print $6 }'
}

@test "--wait returns as soon as an answer arrives from another process" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
	push alice
	answer alice phone.key approve "$num" >approve.line
	lv-verify alice --request "$id" --wait 60 <<<"$tok" >waiter.out 2>&1 &
	waiter=$!
	lv-requests answer alice <approve.line
	rc=0
	wait "$waiter" || rc=$?
	[ "$rc" = 0 ]
	[ "$(cat waiter.out)" = "" ]
	[ "$(status_of alice "$id")" = redeemed ]
}

@test "--wait ends with the denial, and with 75 when nobody answers in time" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
	push alice
	answer alice phone.key deny "$num" >deny.line
	lv-verify alice --request "$id" --wait 60 <<<"$tok" >waiter.out 2>&1 &
	waiter=$!
	lv-requests answer alice <deny.line
	rc=0
	wait "$waiter" || rc=$?
	[ "$rc" = 1 ]
	[ "$(cat waiter.out)" = "lv-verify: rejected: the request was denied" ]
	push alice
	run -75 lv-verify alice --request "$id" --wait 1 <<<"$tok"
	[ "$output" = "lv-verify: request $id is still pending: no answer from the device yet" ]
	run -75 faketime -f "$(date "+%Y-%m-%d %H:%M:%S")" lv-verify alice --request "$id" --wait 1 <<<"$tok"
}

@test "50 trials of an approval racing a denial: exactly one is recorded" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
	printf 'request_hourly = 1000\n' >"$LV_CONF"
	for trial in $(seq 50); do
		push alice
		answer alice phone.key approve "$num" >approve.line
		answer alice phone.key deny "$num" >deny.line
		lv-requests answer alice <approve.line 2>/dev/null &
		a=$!
		lv-requests answer alice <deny.line 2>/dev/null &
		d=$!
		ra=0 rd=0
		wait "$a" || ra=$?
		wait "$d" || rd=$?
		got=$(status_of alice "$id")
		if ! { [ "$ra$rd" = 01 ] && [ "$got" = approved ]; } &&
			! { [ "$ra$rd" = 10 ] && [ "$got" = denied ]; }; then
			echo "trial $trial: approve $ra, deny $rd, recorded $got"
			return 1
		fi
	done
}
