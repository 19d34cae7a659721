#!/usr/bin/env bats
# lv-expire looping on one login host while logins run on the other: every
# decision is kept, and what the other host made due is expired.
bats_require_minimum_version 1.5.0
load lib

ROUNDS=12

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	lv_volume_state 'lock_wait_ms = 60000' 'lock_after = 1000' 'sms_resend = 0' \
		'sms_daily = 0' 'sms_ttl = 86400'
	rm -f stop
}

teardown() {
	touch stop
	[ -z "${expirer:-}" ] || gl_wait 60 gl_dead "$expirer"
	[ -z "${issuer:-}" ] || gl_wait 60 gl_dead "$issuer"
}

# race ACCOUNT ANSWER: three lv-verify at once through mount B; prints
# "WINS LOSSES", and "other" for any other exit code.
race() {
	local pids=() pid rc wins=0 losses=0
	for _ in 1 2 3; do
		on B lv-verify "$1" <<<"$2" 2>/dev/null &
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

# Until the file "stop" shows: lv-expire an hour ahead through mount A (so
# every temporary password below is expired for it), and through mount B
# temporary passwords that give it accounts to rewrite, and hints to lower.
background() {
	while [ ! -e stop ]; do
		on A faketime -f "+1h" lv-expire >/dev/null 2>>expire.err
		echo $? >>expire.rc
	done 3>&- &
	expirer=$!
	while [ ! -e stop ]; do
		for a in alice bob carol; do
			on B lv-temppass "$a" --label race --ttl 60 >/dev/null 2>>temppass.err
		done
	done 3>&- &
	issuer=$!
}

audit_count() {
	on A lv-status "$1" --log | grep -c -- "$2"
}

# The newest generation of every account (lv-state(5)): older ones may
# still hold what a later change removed.
newest_generations() {
	local d
	for d in $(find "$SB" -mindepth 3 -maxdepth 3 -type d); do
		echo "$d/$(ls "$d" | grep -x 'records\.[1-9][0-9]*' | sort -t. -k2 -n | tail -n 1)"
	done
}

@test "lv-expire looping through one mount beside logins racing through the other: every decision kept, nothing left unexpired" {
	local round code sms a
	for a in alice bob carol; do
		on A lv-enroll "$a" --phone +15551234567 >/dev/null
	done
	background
	: >codes
	for ((round = 1; round <= ROUNDS; round++)); do
		code=$(on B lv-backup new alice)
		echo "alice $code" >>codes
		[ "$(race alice "$code")" = "1 2" ] || { echo "round $round: alice" >&2; false; }
		run -1 on B lv-verify bob <<<"0000-0000-0000-0000"
		sms=$(on B lv-sendcode carol | sms-code)
		echo "carol $sms" >>codes
		[ "$(race carol "$sms")" = "1 2" ] || { echo "round $round: carol" >&2; false; }
	done
	touch stop
	gl_wait 60 gl_dead "$expirer"
	gl_wait 60 gl_dead "$issuer"
	echo "# lv-expire ran $(wc -l <expire.rc) times through mount A" >&3
	[ ! -s temppass.err ]
	[ "$(sort -u expire.rc)" = 0 ]
	[ ! -s expire.err ]
	[ "$(cat <(audit_count alice event=expire) <(audit_count bob event=expire) \
		<(audit_count carol event=expire) | paste -sd+ | bc)" -ge 3 ]
	# A last run through A finds every password made through B expired: no
	# hint written through B was read too late through A.
	run -0 on A faketime -f "+1h" lv-expire
	run -1 grep -a -l 'temp\.race' $(newest_generations)
	[ "$(audit_count alice 'event=verify method=backup result=accept')" = "$ROUNDS" ]
	[ "$(audit_count carol 'event=verify method=sms result=accept')" = "$ROUNDS" ]
	[ "$(audit_count bob 'event=verify method=backup result=reject')" = "$ROUNDS" ]
	while read -r a code; do
		run -1 on A lv-verify "$a" <<<"$code"
	done <codes
}

@test "a hint lowered through one mount is seen through the other: each lv-expire finds the password made just before" {
	local round m other
	on A lv-enroll alice --phone +15551234567 >/dev/null
	for ((round = 1; round <= 8; round++)); do
		if [ $((round % 2)) = 1 ]; then m=A other=B; else m=B other=A; fi
		# The expiring host has just read the hints; the other lowers one.
		run -0 on "$other" faketime -f "+1h" lv-expire
		on "$m" lv-temppass alice --label "r$round" --ttl 60 >/dev/null
		run -0 on "$other" faketime -f "+1h" lv-expire
		[ "$output" = "accounts 1, codes 0, requests 0, passwords 1, audit-lines 0" ] ||
			{ echo "round $round: made through $m, expired through $other: $output" >&2; return 1; }
	done
}
