#!/usr/bin/env bats
# Two login hosts racing on one account through the two mounts of the
# volume: exactly one acceptance per code, in every trial. The trials of
# two accounts run side by side (the lock is per account), each in a
# directory of its own.
bats_require_minimum_version 1.5.0
load lib

RACERS=8

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	lv_volume_state 'lock_wait_ms = 60000' 'lock_after = 1000' 'sms_resend = 0' \
		'sms_daily = 100000' 'sms_hourly_site = 100000000' 'request_hourly = 10000'
}

# trials N FUNCTION: N trials, "FUNCTION ACCOUNT" with $ROUND set, half on
# alice and half on bob at the same time; stops at the first failure.
trials() {
	local n=$1 fn=$2 acct pids=() pid rc=0
	for acct in alice bob; do
		(
			cd "$acct" || exit 1
			for ((ROUND = 1; ROUND <= n / 2; ROUND++)); do
				"$fn" "$acct" || { echo "$acct: trial $ROUND failed" >&2; exit 1; }
			done
		) &
		pids+=("$!")
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=1
	done
	return "$rc"
}

# The mount a round's single-process steps go through, alternating.
host() {
	if [ $((ROUND % 2)) = 1 ]; then echo A; else echo B; fi
}

# one_won: the last race's exit codes are one 0 and the rest 1; the
# winner's mount goes to the file "wins" (both hosts should win some).
one_won() {
	local want
	want="0 $(printf '1 %.0s' $(seq 2 "$RACERS"))"
	if [ "$(race_summary)" != "$want" ]; then
		echo "round $ROUND: exit codes $(race_summary)" >&2
		cat race.err.* >&2
		return 1
	fi
	race_winner >>wins
}

report_wins() {
	echo "# $1: won through mount A $(cat alice/wins bob/wins | grep -c A) times," \
		"through mount B $(cat alice/wins bob/wins | grep -c B) times" >&3
}

# enrol_both INPUT ARGS...: alice and bob enrolled with ARGS, INPUT on
# stdin; each one's first backup code in its directory's "code".
enrol_both() {
	local acct input=$1
	shift
	for acct in alice bob; do
		mkdir "$acct"
		on A lv-enroll "$acct" "$@" <"$input" >"$acct/code"
	done
}

backup_trial() {
	race "$RACERS" code lv-verify "$1"
	one_won
	[ "$(sort -u race.err.*)" = "lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new" ]
	on "$(host)" lv-backup new "$1" >code
}

@test "100 trials of 8 lv-verify on one backup code across both mounts: exactly one accepts" {
	local acct
	enrol_both /dev/null --phone +15551234567
	trials 100 backup_trial
	report_wins "backup codes"
	for acct in alice bob; do
		[ "$(on A lv-status "$acct" --log | grep -c 'event=verify method=backup result=accept')" = 50 ]
		[ "$(on B lv-status "$acct" --log | grep -c 'event=verify method=backup result=reject')" = $((50 * (RACERS - 1))) ]
	done
}

sms_trial() {
	on "$(host)" lv-sendcode "$1" | sms-code >code
	[ -s code ]
	race "$RACERS" code lv-verify "$1"
	one_won
	[ "$(sort -u race.err.*)" = "lv-verify: rejected: this SMS code was used already" ]
}

@test "60 trials of 8 lv-verify on one SMS code across both mounts: exactly one accepts" {
	local acct
	enrol_both /dev/null --phone +15551234567
	trials 60 sms_trial
	report_wins "SMS codes"
	for acct in alice bob; do
		[ "$(on B lv-status "$acct" --log | grep -c 'event=verify method=sms result=accept')" = 30 ]
		run -0 on A lv-status "$acct"
		[[ "$output" == *$'sms-pending\tno\n'* ]]
	done
}

status_of() {
	on "$1" lv-requests list "$2" --all | awk -F'\t' -v id="$3" '$1 == id { print $6 }'
}

# race_answers ACCOUNT: half the racers send the approval, half the denial,
# each kind through both mounts. Leaves the winner's kind in $kind.
race_answers() {
	local i pids=()
	RC=() VIA=() kind=""
	for ((i = 0; i < RACERS; i++)); do
		if [ $(((i / 2 + ROUND) % 2)) = 1 ]; then VIA[i]=A; else VIA[i]=B; fi
		if [ $((i % 2)) = 0 ]; then KIND[i]=approve; else KIND[i]=deny; fi
		on "${VIA[i]}" lv-requests answer "$1" <"${KIND[i]}.line" 2>"race.err.$i" 3>&- &
		pids[i]=$!
	done
	for i in "${!pids[@]}"; do
		RC[i]=0
		wait "${pids[i]}" || RC[i]=$?
		[ "${RC[i]}" != 0 ] || kind=${KIND[i]}
	done
}

# An approval redeemed by 8 racing logins is accepted once; after a denial
# no login gets in, through either mount.
request_trial() {
	local id num tok recorded
	IFS=$'\t' read -r id num tok < <(on "$(host)" lv-requests new "$1")
	on A lv-requests show "$1" "$id" | lv-device sign --key ../phone.key approve "$num" >approve.line
	on B lv-requests show "$1" "$id" | lv-device sign --key ../phone.key deny "$num" >deny.line
	race_answers "$1"
	one_won
	[ "$(sort -u race.err.*)" = "lv-requests: rejected: the request was answered already" ]
	echo "$kind" >>answers
	if [ "$kind" = approve ]; then recorded=approved; else recorded=denied; fi
	[ "$(status_of A "$1" "$id")" = "$recorded" ]
	[ "$(status_of B "$1" "$id")" = "$recorded" ]
	echo "$tok" >token
	if [ "$kind" = approve ]; then
		race "$RACERS" token lv-verify "$1" --request "$id"
		one_won
		[ "$(status_of B "$1" "$id")" = redeemed ]
	else
		race 2 token lv-verify "$1" --request "$id"
		[ "$(race_summary)" = "1 1 " ] || { echo "round $ROUND: denied, then $(race_summary)" >&2; return 1; }
	fi
}

@test "60 trials of approvals racing denials across both mounts: exactly one answer is recorded, an approval redeemed once" {
	local acct log approved
	lv-device keygen --key phone.key >phone.pub
	enrol_both phone.pub --device-key -
	trials 60 request_trial
	report_wins "request answers and redemptions"
	for acct in alice bob; do
		approved=$(grep -c approve "$acct/answers")
		echo "# $acct: $approved of 30 requests approved" >&3
		log=$(on A lv-status "$acct" --log)
		[ "$(grep -c 'event=request-answer method=push result=approved' <<<"$log")" = "$approved" ]
		[ "$(grep -c 'event=request-answer method=push result=denied' <<<"$log")" = $((30 - approved)) ]
		[ "$(grep -c 'event=verify method=push result=accept' <<<"$log")" = "$approved" ]
	done
}

# init_both N: two first lv-enroll --init of one new state directory at
# once, one through each mount, each as pid 1 of a PID namespace of its own
# (two containers: the same pid on both hosts).
init_both() {
	local a b ra=0 rb=0
	mkdir "$LV_MNT_A/init-$1"
	unshare --pid --fork lv-enroll --init -d "$LV_MNT_A/init-$1/state" 2>err.a 3>&- &
	a=$!
	unshare --pid --fork lv-enroll --init -d "$LV_MNT_B/init-$1/state" 2>err.b 3>&- &
	b=$!
	wait "$a" || ra=$?
	wait "$b" || rb=$?
	[ "$ra $rb" = "0 0" ] || { echo "trial $1: exit $ra and $rb: $(cat err.a err.b)" >&2; return 1; }
}

@test "20 trials of two first lv-enroll --init at once through both mounts, with the same pid: both make or take the one key" {
	local t code
	for ((t = 1; t <= 20; t++)); do
		init_both "$t"
		run -0 ls -A "$LV_MNT_B/init-$t/state-key"
		[ "$output" = site.key ]
		run -0 ls -A "$LV_MNT_B/init-$t/state"
		[ "$output" = "" ]
	done
	code=$(lv-enroll -d "$LV_MNT_A/init-20/state" alice --phone +15551234567)
	run -0 lv-verify -d "$LV_MNT_B/init-20/state" alice <<<"$code"
}
