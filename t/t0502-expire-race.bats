#!/usr/bin/env bats
# lv-expire in a loop beside racing logins: it rewrites accounts only under
# their lock, so no decision of lv-verify is lost.
load lib

WRONG=ZZZZ-ZZZZ-ZZZZ-ZZZZ
ROUNDS=12

# race ACCOUNT ANSWER: three lv-verify at once; prints "WINS LOSSES", and
# "other" for any other exit code.
race() {
	local pids=() pid rc wins=0 losses=0
	for _ in 1 2 3; do
		lv-verify "$1" <<<"$2" 2>/dev/null &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		rc=0
		wait "$pid" || rc=$?
		case $rc in
		0) wins=$((wins + 1)) ;;
		1) losses=$((losses + 1)) ;;
		*) echo other ;;
		esac
	done
	echo "$wins $losses"
}

# Until the file "stop" appears: lv-expire an hour ahead (so every
# temporary password below is expired for it), and temporary passwords
# that give it an account to rewrite each time. libfaketime directly: the
# faketime wrapper, started this often, trips over its own semaphores.
background() {
	local lib
	lib=$(find /usr/lib -name libfaketime.so.1 | head -n 1)
	while [ ! -e stop ]; do
		LD_PRELOAD=$lib FAKETIME="+1h" lv-expire >/dev/null 2>>expire.err
		echo $? >>expire.rc
	done &
	expirer=$!
	while [ ! -e stop ]; do
		for a in alice bob carol; do
			lv-temppass "$a" --label race --ttl 60 >/dev/null 2>&1
		done
	done &
	issuer=$!
}

audit_count() {
	grep -c -- "$2" "$(acctdir "$1")/audit"
}

@test "lv-expire looping beside racing backup and SMS codes: every decision kept" {
	printf '%s\n' 'sms_resend = 0' 'sms_daily = 0' 'sms_ttl = 86400' 'lock_after = 1000' >"$LV_CONF"
	enrol alice
	enrol bob
	enrol carol
	background
	: >codes
	for round in $(seq "$ROUNDS"); do
		code=$(lv-backup new alice)
		echo "alice $code" >>codes
		[ "$(race alice "$code")" = "1 2" ] || { echo "round $round: alice" >&2; false; }
		run -1 lv-verify bob <<<"$WRONG"
		sms=$(lv-sendcode carol | sms-code)
		echo "carol $sms" >>codes
		[ "$(race carol "$sms")" = "1 2" ] || { echo "round $round: carol" >&2; false; }
	done
	touch stop
	wait "$expirer" "$issuer"
	# lv-expire ran all along and did rewrite these accounts meanwhile
	[ "$(sort -u expire.rc)" = "0" ]
	[ ! -s expire.err ]
	[ "$(cat "$(acctdir alice)/audit" "$(acctdir bob)/audit" "$(acctdir carol)/audit" |
	    grep -c 'event=expire')" -ge 3 ]
	# and left no hint too late: a last run finds every expired password
	run -0 faketime -f "+1h" lv-expire
	run -1 grep -a -l 'temp\.race' "$(records alice)" "$(records bob)" \
	    "$(records carol)"
	# every success is in the audit log, every failure counted
	[ "$(audit_count alice 'event=verify method=backup result=accept')" -eq "$ROUNDS" ]
	[ "$(audit_count carol 'event=verify method=sms result=accept')" -eq "$ROUNDS" ]
	[ "$(audit_count bob 'event=verify method=backup result=reject')" -eq "$ROUNDS" ]
	run -0 lv-status bob
	[[ "$output" == *$'\nfailures\t'"$ROUNDS"$'\n'* ]]
	# every accepted code stays spent
	while read -r who answer; do
		run -1 lv-verify "$who" <<<"$answer"
	done <codes
}
