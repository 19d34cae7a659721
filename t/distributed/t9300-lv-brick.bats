#!/usr/bin/env bats
# A storage node lost while logins run on both login hosts, then brought
# back and healed: no accepted code becomes usable again, no decision is
# lost, every account reads cleanly.
bats_require_minimum_version 1.5.0
load lib

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	lv_volume_state 'lock_wait_ms = 60000' 'lock_after = 1000' 'backup_max = 100'
	rm -f stop
	declare -gA MARK=()
}

teardown() {
	local pid
	touch stop
	for pid in "${WORKERS[@]}"; do
		gl_wait 60 gl_dead "$pid" || kill -KILL "$pid"
	done
	gl_restore
}

# worker A|B ACCOUNT: until the file "stop" shows, a new backup code
# through that mount, the login with it there, and, when it was accepted,
# the same code at once through the other mount. One line per step in
# log.ACCOUNT.MOUNT: "new RC", "verify CODE RC", "again CODE RC".
worker() {
	local m=$1 other=B acct=$2 log="log.$2.$1" code rc
	[ "$m" = A ] || other=A
	while [ ! -e stop ]; do
		rc=0
		code=$(on "$m" lv-backup new "$acct" 2>>"err.$acct.$m") || rc=$?
		echo "new $rc" >>"$log"
		[ "$rc" = 0 ] || continue
		rc=0
		on "$m" lv-verify "$acct" <<<"$code" 2>>"err.$acct.$m" || rc=$?
		echo "verify $code $rc" >>"$log"
		[ "$rc" = 0 ] || continue
		rc=0
		on "$other" lv-verify "$acct" <<<"$code" 2>/dev/null || rc=$?
		echo "again $code $rc" >>"$log"
	done
}

# Every worker has logged at least N more lines than at the last mark.
progressed() {
	local f
	for f in log.*; do
		[ "$(wc -l <"$f")" -ge $((${MARK[$f]:-0} + $1)) ] || return 1
	done
}

mark() {
	local f
	for f in log.*; do
		MARK[$f]=$(wc -l <"$f")
	done
}

enrol_all() {
	local acct
	for acct in alice bob carol dave; do
		on A lv-enroll "$acct" --phone +15551234567 >/dev/null
	done
}

# Two workers on each mount: alice and bob shared by both hosts, carol on
# A and dave on B alone. Their logs go on.
start_workers() {
	local w
	WORKERS=()
	rm -f stop
	for w in "A alice" "B alice" "A bob" "B bob" "A carol" "B dave"; do
		set -- $w
		touch "log.$2.$1"
		worker "$1" "$2" 3>&- &
		WORKERS+=("$!")
	done
}

stop_workers() {
	local pid
	touch stop
	for pid in "${WORKERS[@]}"; do
		gl_wait 60 gl_dead "$pid"
	done
	WORKERS=()
}

# brick_copy N ACCOUNT: the account's records on brick N (the newest
# generation there).
brick_copy() {
	local d
	d=$(echo "$GL_TOP"/bricks/"$1"/"${SA#"$LV_MNT_A"/}"/*/*/"$2")
	echo "$d/$(ls "$d" | grep -x 'records\.[1-9][0-9]*' | sort -t. -k2 -n | tail -n 1)"
}

# accepted: "ACCOUNT CODE" for every code a login accepted.
accepted() {
	local f acct
	for f in log.*; do
		acct=${f#log.}
		awk -v a="${acct%.*}" '$1 == "verify" && $3 == 0 { print a, $2 }' "$f"
	done
}

# none_usable_again WHEN: each accepted code, tried again through one
# mount or the other in turn, is refused (1) every time.
none_usable_again() {
	local acct code rc m=A
	while read -r acct code; do
		rc=0
		on "$m" lv-verify "$acct" <<<"$code" 2>/dev/null || rc=$?
		[ "$rc" = 1 ] || { echo "$1: $acct's accepted code $code: exit $rc through $m" >&2; return 1; }
		if [ "$m" = A ]; then m=B; else m=A; fi
	done < <(accepted)
}

@test "a brick killed while logins run on both mounts, then back and healed: no code accepted twice, every decision in the audit log, the copies equal" {
	local acct n log errors
	enrol_all
	start_workers
	gl_wait 60 progressed 4
	gl_heal_daemon off
	mark
	gl_brick_kill 2
	gl_wait 60 progressed 6
	stop_workers
	gl_brick_start 2
	# Back, and not healed: its copies are those it had when it died.
	n=0
	for acct in alice bob carol dave; do
		cmp -s "$(brick_copy 1 "$acct")" "$(brick_copy 2 "$acct")" || n=$((n + 1))
	done
	[ "$n" = 4 ]
	none_usable_again "with the stale brick back"
	mark
	start_workers
	gl_wait 60 progressed 6
	stop_workers
	gl_heal_daemon on
	gl_heal_wait
	none_usable_again "after the heal"
	[ "$(cat log.* | awk '$1 == "again" && $3 != 1' | wc -l)" = 0 ]
	for acct in alice bob carol dave; do
		run -0 on A lv-status "$acct"
		run -0 on B lv-status "$acct"
		log=$(on B lv-status "$acct" --log)
		n=$(cat log."$acct".* | awk '$1 == "verify" && $3 == 0' | wc -l)
		[ "$(grep -c 'event=verify method=backup result=accept' <<<"$log")" = "$n" ]
		n=$(cat log."$acct".* | awk '$1 == "new" && $2 == 0' | wc -l)
		[ "$(grep -c 'event=backup-new' <<<"$log")" = "$n" ]
		[ "$(md5sum "$(brick_copy 1 "$acct")" "$(brick_copy 2 "$acct")" "$(brick_copy 3 "$acct")" \
			"$GL_TOP"/bricks/[123]/"${SA#"$LV_MNT_A"/}"/*/*/"$acct"/audit |
			cut -d' ' -f1 | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')" = "3 3 " ]
	done
	errors=$(cat log.* | awk '($1 == "new" && $2 != 0) || ($1 == "verify" && $3 != 0 && $3 != 1)' | wc -l)
	echo "# $(accepted | wc -l) codes accepted, $(cat log.* | awk '$1 == "verify" && $3 == 1' | wc -l) refused" \
		"(a later code of the account was used), $errors failed (74 or 75)" >&3
	[ "$errors" = 0 ] || { cat err.* >&2; return 1; }
}
