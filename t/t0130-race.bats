#!/usr/bin/env bats
# Programs racing on one account never both spend one code.
load lib

@test "50 trials of 8 parallel lv-verify on one backup code: exactly one accepts each time" {
	conf "lock_wait_ms = $(slow 20000)"
	enrol alice
	local trial i got
	for ((trial = 1; trial <= 50; trial++)); do
		for i in 1 2 3 4 5 6 7 8; do
			(rc=0; lv-verify alice <<<"$code" 2>/dev/null || rc=$?; echo "$rc" >"rc.$i") &
		done
		wait
		got=$(sort rc.* | tr '\n' ' ')
		if [ "$got" != "0 1 1 1 1 1 1 1 " ]; then
			echo "trial $trial: exit codes $got" >&2
			return 1
		fi
		rm rc.*
		code=$(lv-backup new alice)
	done
	[ "$(lv-status alice --log | grep -c 'result=accept')" -eq 50 ]
	[ "$(lv-status alice --log | grep -c 'result=reject')" -eq 350 ]
}

@test "parallel releases never hand out two codes with one number, nor pass the limit" {
	enrol alice
	for i in 1 2 3 4 5 6 7 8; do
		(rc=0; lv-backup new alice >"code.$i" 2>/dev/null || rc=$?; echo "$rc" >"rc.$i") &
	done
	wait
	[ "$(sort rc.* | tr '\n' ' ')" = "0 0 0 0 75 75 75 75 " ]
	[ "$(fact alice backup-codes)" = 5 ]
	[ "$(cat code.* | sort -u | wc -l)" -eq 4 ]
	# Each released code got its own number in the sequence.
	[ "$(lv-backup status alice | cut -f1,2 | tr '\n\t' ' :')" = "backup-codes:5 backup-code:1 backup-code:2 backup-code:3 backup-code:4 backup-code:5 " ]
	for f in code.*; do
		[ -s "$f" ] && lv-verify alice <"$f" 2>/dev/null && ok=$((${ok:-0} + 1))
	done
	[ "${ok:-0}" -ge 1 ]
}
