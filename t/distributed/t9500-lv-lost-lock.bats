#!/usr/bin/env bats
# A lock lost without its holder knowing, as an operator's routine brick
# restarts lose it: lv-verify through mount A takes the account's lock,
# decides, and is stopped in the middle of its commit (the lvfi shim's
# LVFI_STOP); the three bricks restart, one after another and each healed
# before the next, or all at once. GlusterFS bricks do not make locks again
# after a restart (gluster/glusterfs#4042), so mount B then takes the same
# lock, checked below before anything relies on it: this is the case of a
# lock really lost, not of one B waits for (which would end in 75). The same
# answer through B is accepted, as A has not committed; A, continued, loses
# its link to the generation B made, reads B's state and refuses (1).
# Exactly one acceptance, and audit logs that agree, for a backup code, an
# SMS code and a request approval, each on an account of its own, all held
# across the same restarts.
bats_require_minimum_version 1.5.0
load lib

setup_file() {
	LVFI="$BATS_FILE_TMPDIR/lvfi.so"
	cc -std=gnu11 -D_GNU_SOURCE -O2 -fPIC -shared -o "$LVFI" \
		"$BATS_TEST_DIRNAME/../faultinject/lvfi.c" -ldl
	export LVFI
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	# B gives up after 5 s when the lock is not lost after all.
	lv_volume_state 'lock_wait_ms = 5000' 'lock_after = 1000'
	declare -gA HELD=() HELD_RC=()
}

teardown() {
	local pid
	for pid in "${HELD[@]}"; do
		gl_alive "$pid" && kill -KILL "$pid"
	done
	gl_restore
}

state() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1
}

# stops ACCOUNT: how many times the held lv-verify has stopped so far.
stops() {
	grep -c ' stop$' "$1.steps" 2>/dev/null
}

stopped_at() {
	[ "$(state "$1")" = T ] && [ "$(stops "$2")" = "$3" ]
}

stopped_or_gone() {
	gl_dead "$1" || stopped_at "$@"
}

# hold ACCOUNT STEP K [ARG...]: lv-verify ACCOUNT ARG... through mount A,
# ACCOUNT.answer on stdin, stopped before STEP of its K-th commit, the one
# that records its decision (a 6-digit code is counted in a commit of its
# own first). The shim stops it before that step of every commit it tries.
hold() {
	local acct=$1 step=$2 k=$3 pid i
	shift 3
	LV_DIR=$SA LD_PRELOAD=$LVFI LVFI_STOP=$step LVFI_LOG="$PWD/$acct.steps" \
		lv-verify "$acct" "$@" <"$acct.answer" >"$acct.out.A" 2>"$acct.err.A" 3>&- &
	pid=$!
	HELD[$acct]=$pid
	gl_wait 30 stopped_at "$pid" "$acct" 1
	for ((i = 2; i <= k; i++)); do
		kill -CONT "$pid"
		gl_wait 30 stopped_at "$pid" "$acct" "$i"
	done
}

# release ACCOUNT: the held lv-verify continued, again after each stop,
# until it exits; its exit code in HELD_RC[ACCOUNT].
release() {
	local acct=$1 pid=${HELD[$1]} n rc=0
	n=$(stops "$acct")
	while gl_alive "$pid"; do
		n=$((n + 1))
		kill -CONT "$pid"
		gl_wait 60 stopped_or_gone "$pid" "$acct" "$n"
	done
	wait "$pid" || rc=$?
	HELD_RC[$acct]=$rc
}

lock_of() {
	echo "$1"/*/*/"$2"/lock
}

# The three bricks stopped and started again as an operator's restart does
# (TERM), one after another, each healed before the next.
rolling_restart() {
	local n pid
	for n in 1 2 3; do
		pid=$(gl_brick_pid "$n")
		gl_stop_pid "$pid"
		gl_wait 30 gl_brick_offline "$n"
		gl_brick_start "$n"
		gl_heal_wait
	done
}

restart_all() {
	local n pids=()
	for n in 1 2 3; do
		pids+=("$(gl_brick_pid "$n")")
	done
	for n in 0 1 2; do
		gl_stop_pid "${pids[n]}"
	done
	for n in 1 2 3; do
		gl_wait 30 gl_brick_offline "$n"
	done
	gl_brick_start 1
	gl_wait 30 gl_brick_online 2
	gl_wait 30 gl_brick_online 3
	gl_wait 30 gl_all_connected
	gl_heal_wait
}

# alice with a backup code, bob with an SMS code, carol with an approved
# login request; each one's answer in ACCOUNT.answer.
enrol_three() {
	local id num tok
	on A lv-enroll alice --phone +15551234567 >alice.answer
	on A lv-enroll bob --phone +15551234567 >/dev/null
	on A lv-sendcode bob | sms-code >bob.answer
	[ -s bob.answer ]
	lv-device keygen --key phone.key >phone.pub
	on A lv-enroll carol --device-key - <phone.pub
	IFS=$'\t' read -r id num tok < <(on A lv-requests new carol)
	on B lv-requests show carol "$id" | lv-device sign --key phone.key approve "$num" |
		on B lv-requests answer carol
	echo "$tok" >carol.answer
	REQ=$id
}

# scenario RESTART STEP_BACKUP STEP_SMS STEP_REQUEST: the three held at
# those steps, the bricks restarted by RESTART, the answers through B, the
# held ones continued.
scenario() {
	local acct
	enrol_three
	hold alice "$2" 1
	hold bob "$3" 2
	hold carol "$4" 1 --request "$REQ"
	for acct in alice bob carol; do
		run -1 fstool lock "$(lock_of "$SB" "$acct")" </dev/null
		[ "$output" = busy ]
	done
	"$1"
	# Lost: no brick holds A's locks any more.
	for acct in alice bob carol; do
		run -0 fstool lock "$(lock_of "$SB" "$acct")" </dev/null
		[ "$output" = locked ]
	done
	run -0 on B lv-verify alice <alice.answer
	run -0 on B lv-verify bob <bob.answer
	run -0 on B lv-verify carol --request "$REQ" <carol.answer
	for acct in alice bob carol; do
		[ "$(state "${HELD[$acct]}")" = T ]
		release "$acct"
		[ "${HELD_RC[$acct]}" = 1 ]
	done
	[ "$(cat alice.err.A)" = "lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new" ]
	[ "$(cat bob.err.A)" = "lv-verify: rejected: this SMS code was used already" ]
	[ "$(cat carol.err.A)" = "lv-verify: rejected: the approval was used already" ]
	# Each commit A tried stopped once: the lost one and, deciding again,
	# the refusal's (a refused redemption changes nothing to commit).
	[ "$(stops alice)" = 2 ]
	[ "$(stops bob)" = 3 ]
	[ "$(stops carol)" = 1 ]
	agreed alice backup backup
	agreed bob sms sms
	agreed carol push push
	run -1 on A lv-verify alice <alice.answer
	run -1 on A lv-verify bob <bob.answer
	run -1 on A lv-verify carol --request "$REQ" <carol.answer
}

# agreed ACCOUNT METHOD REFUSED: one acceptance (by METHOD) and one refusal
# (A's, by REFUSED: a 6-digit code spent is refused as an SMS or TOTP code)
# in the audit log, the same through both mounts and on every brick.
agreed() {
	local log
	log=$(on A lv-status "$1" --log)
	echo "$1's audit log:"$'\n'"$log" >&2
	[ "$(on B lv-status "$1" --log)" = "$log" ]
	[ "$(grep -c "event=verify method=$2 result=accept" <<<"$log")" = 1 ]
	[ "$(grep -c "event=verify method=$3 result=reject" <<<"$log")" = 1 ]
	[ "$(grep -c 'event=verify' <<<"$log")" = 2 ]
	[ "$(md5sum "$GL_TOP"/bricks/[123]/"${SA#"$LV_MNT_A"/}"/*/*/"$1"/audit |
		cut -d' ' -f1 | sort -u | wc -l)" = 1 ]
}

@test "bricks restarted one after another while a login holds the lock: the same answer through the other mount is accepted once, the held login refuses" {
	scenario rolling_restart link fsync open
}

@test "all three bricks restarted at once while a login holds the lock: the same answer through the other mount is accepted once, the held login refuses" {
	scenario restart_all open link fsync
}
