#!/usr/bin/env bats
# Racing lv-verify processes on one SMS code: the account's lock makes
# exactly one of them win, every time.
load lib

@test "8 racers on one SMS code: exactly one accepted, in each of 50 trials" {
	printf '%s\n' 'sms_resend = 0' 'sms_daily = 0' 'lock_after = 1000' >"$LV_CONF"
	enrol alice
	for trial in $(seq 50); do
		sms=$(lv-sendcode alice | sms-code)
		pids=()
		for racer in 1 2 3 4 5 6 7 8; do
			lv-verify alice <<<"$sms" 2>"err.$racer" &
			pids+=($!)
		done
		wins=0 losses=0
		for pid in "${pids[@]}"; do
			rc=0
			wait "$pid" || rc=$?
			case $rc in
			0) wins=$((wins + 1)) ;;
			1) losses=$((losses + 1)) ;;
			*) echo "trial $trial: a racer exited $rc" >&2 ;;
			esac
		done
		[ "$wins" -eq 1 ] || { echo "trial $trial: $wins accepted" >&2; false; }
		[ "$losses" -eq 7 ]
		[ "$(sort -u err.*)" = "lv-verify: rejected: this SMS code was used already" ]
	done
	run -0 lv-status alice
	[[ "$output" == *$'sms-pending\tno\n'* ]]
}
