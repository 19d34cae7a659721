#!/usr/bin/env bats
# lv programs on both login hosts killed at random instants: every account
# reads cleanly afterwards and holds the old or the new state. And a signal
# never interrupts a lock request (GlusterFS 10's client can deadlock on
# that).
bats_require_minimum_version 1.5.0
load lib

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	lv_volume_state 'lock_wait_ms = 60000' 'lock_after = 1000' 'sms_resend = 0' \
		'sms_daily = 100000' 'sms_hourly_site = 100000000' 'backup_max = 100'
}

teardown() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	[ -z "${GL_HOLD_PID:-}" ] || kill -KILL "$GL_HOLD_PID" 2>/dev/null || true
	gl_cli volume reset "$GL_VOL" diagnostics.client-log-level >/dev/null
}

# setlk_interrupts: how many lock requests mount A's client was told were
# interrupted (logged at level DEBUG).
setlk_interrupts() {
	grep -c 'SETLK unique [0-9]*: interrupt handler triggered' "$GL_TOP/log/mnt-a.log" || true
}

# logs_debug_since N: mount A's client logs at level DEBUG: after line N of
# its log, a lookup through it gave a DEBUG line.
logs_debug_since() {
	ls "$SA" >/dev/null && tail -n "+$1" "$GL_TOP/log/mnt-a.log" | grep -q '^\[[^]]*\] D '
}

debug_logging() {
	local lines
	lines=$(wc -l <"$GL_TOP/log/mnt-a.log")
	gl_cli volume set "$GL_VOL" diagnostics.client-log-level DEBUG >/dev/null
	gl_wait 30 logs_debug_since "$lines"
}

# waiting PID...: each has alice's lock file open, as lv's programs do just
# before they wait for the lock.
waiting() {
	local pid
	for pid in "$@"; do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q '/alice/lock$' || return 1
	done
}

# spawn A|B INPUT CMD...: CMD in the background through that mount, as
# itself (exec), so that its pid is the program's; its description goes to
# WHAT[] and its pid to PIDS[].
spawn() {
	local dir=$SA n=${#PIDS[@]}
	[ "$1" = A ] || dir=$SB
	(LV_DIR=$dir exec "${@:3}") <"$2" >"out.$n" 2>"err.$n" 3>&- &
	PIDS[n]=$!
	WHAT[n]="$1: ${*:3}"
}

# The account's directory on brick 1, where a commit's temporary file shows.
on_brick1() {
	find "$GL_TOP/bricks/1/${SA#"$LV_MNT_A"/}" -mindepth 3 -maxdepth 3 -type d -name "$1"
}

# kill_all: SIGKILL to every program still running, either at a random
# instant within 400 ms (odd rounds) or as soon as a commit of alice or bob
# is under way on brick 1 (even rounds; a bounded wait of 2 s), then the
# exit codes into EXIT[].
kill_all() {
	local i end
	if [ $((ROUND % 2)) = 1 ]; then
		sleep "0.$(printf '%03d' $((RANDOM % 400)))"
	else
		end=$((${EPOCHREALTIME/./} + 2000000))
		until compgen -G "$BRICK_alice/.records.tmp.*" >/dev/null ||
			compgen -G "$BRICK_bob/.records.tmp.*" >/dev/null || [ "${EPOCHREALTIME/./}" -ge "$end" ]; do
			:
		done
	fi
	kill -KILL "${PIDS[@]}" 2>/dev/null || true
	for i in "${!PIDS[@]}"; do
		EXIT[i]=0
		wait "${PIDS[i]}" || EXIT[i]=$?
		case ${EXIT[i]} in
		137) killed=$((killed + 1)) ;;
		0 | 1 | 75) finished=$((finished + 1)) ;;
		*) echo "round $ROUND: ${WHAT[i]} exited ${EXIT[i]}: $(cat "err.$i")" >&2; return 1 ;;
		esac
	done
}

# check_account ACCOUNT: reads cleanly through both mounts; its code is
# spent if any racer accepted it, and is otherwise usable once (the old
# state) or already spent (a racer killed after its commit).
check_account() {
	local acct=$1 i accepted=0 rc
	for i in "${!WHAT[@]}"; do
		[ "${WHAT[i]#*: }" != "lv-verify $acct" ] || [ "${EXIT[i]}" != 0 ] || accepted=1
	done
	run -0 on A lv-status "$acct"
	run -0 on B lv-status "$acct"
	rc=0
	on "$(host)" lv-verify "$acct" <"$acct.code" 2>/dev/null || rc=$?
	if [ "$accepted$rc" = 10 ] || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; }; then
		echo "round $ROUND: $acct's code accepted by a racer, then exit $rc" >&2
		return 1
	fi
	# at most the newest four generations after the next change, whatever
	# the kills left (lv-state(5))
	on "$(host)" lv-backup new "$acct" >"$acct.code"
	[ "$(find "$(on_brick1 "$acct")" -maxdepth 1 -name 'records.[1-9]*' | wc -l)" -le 4 ]
}

host() {
	if [ $((ROUND % 2)) = 1 ]; then echo A; else echo B; fi
}

@test "30 rounds of lv programs on both mounts killed at random instants: every account reads cleanly, old or new" {
	local acct killed=0 finished=0 rc n
	for acct in alice bob; do
		on A lv-enroll "$acct" --phone +15551234567 >"$acct.code"
		printf -v "BRICK_$acct" '%s' "$(on_brick1 "$acct")"
	done
	for ((ROUND = 1; ROUND <= 30; ROUND++)); do
		PIDS=() WHAT=() EXIT=()
		for acct in alice bob; do
			spawn A "$acct.code" lv-verify "$acct"
			spawn B "$acct.code" lv-verify "$acct"
			spawn B /dev/null lv-backup new "$acct"
			spawn A /dev/null lv-sendcode "$acct"
		done
		spawn "$(host)" /dev/null lv-enroll "new$ROUND" --phone +15551234567
		kill_all
		for acct in alice bob; do
			check_account "$acct"
		done
		rc=0
		on A lv-status "new$ROUND" >/dev/null 2>&1 || rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 66 ] || { echo "round $ROUND: new$ROUND: lv-status exited $rc" >&2; return 1; }
	done
	echo "# $killed programs killed, $finished finished first" >&3
	[ "$killed" -gt 0 ]
	n=$(find "$GL_TOP/bricks/1/${SA#"$LV_MNT_A"/}" -name '.records.tmp.*' | wc -l)
	echo "# $n temporary files left by killed writers (ignored; removed once an hour old)" >&3
	# killed writers leave entries for the self-heal daemon, whose own crawl
	# may be ten minutes away: start an index heal, as an operator would
	gl_heal_wait
	# every generation the same on the three bricks
	for acct in alice bob; do
		for f in "$GL_TOP"/bricks/1/"${SA#"$LV_MNT_A"/}"/*/*/"$acct"/records.[1-9]*; do
			[ "$(md5sum "$GL_TOP"/bricks/[123]/"${SA#"$LV_MNT_A"/}"/*/*/"$acct/${f##*/}" |
				cut -d' ' -f1 | sort -u | wc -l)" = 1 ]
		done
	done
}

@test "lv programs waiting through one mount for a lock held through the other, sent SIGTERM: none of their lock requests is interrupted, and the mount lives" {
	local lock round i
	on A lv-enroll alice --phone +15551234567 >code
	lock=$(find "$SB" -path '*/alice/lock')
	debug_logging
	[ "$(setlk_interrupts)" = 0 ]
	for ((round = 1; round <= 20; round++)); do
		gl_lock_hold "$lock"
		PIDS=()
		for ((i = 0; i < 16; i++)); do
			spawn A code lv-verify alice
		done
		gl_wait 30 waiting "${PIDS[@]}"
		kill -TERM "${PIDS[@]}"
		for i in "${!PIDS[@]}"; do
			gl_wait 30 gl_dead "${PIDS[i]}"
		done
		gl_lock_release
		wait
	done
	[ "$(setlk_interrupts)" = 0 ]
	run -0 on A lv-verify alice <code
}
