#!/usr/bin/env bats
# lv-expire: what it expires and when, its counts, --dry-run, exit codes.
load lib
export TZ=UTC

# The tests run years after the enrolments, whose audit lines would be
# trimmed (audit_retention, t0503): every line is kept here.
setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	conf "audit_retention = 0"
}

# faketime -f with an absolute time freezes the clock there: exact seconds.
T="2030-01-01 00:00:00"

# expire WHEN [ARGS]: lv-expire at that time, stdout apart from stderr.
expire() {
	local when=$1
	shift
	run --separate-stderr faketime -f "$when" lv-expire "$@"
}

# Every file of the state directory with a checksum of its bytes.
snapshot() {
	(cd "$LV_DIR" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# A device key in phone.key/phone.pub, and alice enrolled with it.
enrol_device() {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
}

# The status of login request $1 of alice as stored (not as shown).
stored_status() {
	tr '\0' '\n' <"$(records alice)" | grep -ao "req\.$1.*" | cut -f3
}

@test "an SMS code expires 10 minutes and 1 second after it was sent" {
	enrol alice
	faketime -f "$T" lv-sendcode alice >/dev/null
	expire "2030-01-01 00:10:00"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	expire "2030-01-01 00:10:01"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "" ]
	run -0 grep -a -c $'\texpired\t' "$(records alice)"
	run -0 lv-status --log alice
	[[ "$output" == *$'sms-pending\tno'* ]]
	[[ "$output" == *"2030-01-01T00:10:01Z event=expire method=- result=ok by="*" codes=1 requests=0 passwords=0 audit-lines=0"* ]]
	expire "2030-01-01 00:10:02"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
}

@test "an expired SMS code is forgotten a day after it expired" {
	enrol alice
	faketime -f "$T" lv-sendcode alice >/dev/null
	expire "2030-01-01 00:10:01"
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	expire "2030-01-02 00:10:00"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	run -0 grep -a -c 'sms\.code\.' "$(records alice)"
	expire "2030-01-02 00:10:01"
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	run -1 grep -a -c 'sms\.code\.' "$(records alice)"
}

@test "a temporary password is removed when its time is over" {
	enrol alice
	faketime -f "$T" lv-temppass alice --label mail --ttl 60 >/dev/null
	expire "2030-01-01 00:00:59"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	run -0 lv-status alice
	[[ "$output" == *$'temppass\tmail'* ]]
	expire "2030-01-01 00:01:00"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 1, audit-lines 0" ]
	run -1 grep -a -c 'temp\.mail' "$(records alice)"
}

@test "a pending login request is marked expired after request_ttl" {
	enrol_device
	id=$(faketime -f "$T" lv-requests new alice | cut -f1)
	expire "2030-01-01 00:09:59"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	[ "$(stored_status "$id")" = "pending" ]
	expire "2030-01-01 00:10:00"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 1, codes 0, requests 1, passwords 0, audit-lines 0" ]
	[ "$(stored_status "$id")" = "expired" ]
}

@test "a request is removed once older than request_retention" {
	conf "audit_retention = 0" "request_retention = 3600"
	enrol_device
	id=$(faketime -f "$T" lv-requests new alice | cut -f1)
	expire "2030-01-01 00:10:00"
	[ "$output" = "accounts 1, codes 0, requests 1, passwords 0, audit-lines 0" ]
	expire "2030-01-01 01:00:00"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	expire "2030-01-01 01:00:01"
	[ "$output" = "accounts 1, codes 0, requests 1, passwords 0, audit-lines 0" ]
	[ "$(stored_status "$id")" = "" ]
	run -0 lv-requests list alice --all
	[ "$output" = "" ]
}

@test "the default retention period is 30 days" {
	enrol_device
	faketime -f "$T" lv-requests new alice >/dev/null
	expire "2030-01-31 00:00:00"
	[ "$output" = "accounts 1, codes 0, requests 1, passwords 0, audit-lines 0" ]
	run -0 lv-requests list alice --all
	[ "${#lines[@]}" -eq 1 ]
	expire "2030-01-31 00:00:01"
	[ "$output" = "accounts 1, codes 0, requests 1, passwords 0, audit-lines 0" ]
	run -0 lv-requests list alice --all
	[ "$output" = "" ]
}

@test "the counts add up over accounts and kinds; accounts counts every account seen" {
	enrol_device
	enrol bob
	enrol carol
	enrol dave
	faketime -f "$T" lv-requests new alice >/dev/null
	faketime -f "$T" lv-sendcode bob >/dev/null
	faketime -f "$T" lv-temppass carol --label a --ttl 60 >/dev/null
	faketime -f "$T" lv-temppass carol --label b --ttl 60 >/dev/null
	lv-unenroll dave --reason "left" >/dev/null
	expire "2030-01-01 00:11:00"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 4, codes 1, requests 1, passwords 2, audit-lines 0" ]
	[ "$stderr" = "" ]
	expire "2030-01-01 00:11:00"
	[ "$output" = "accounts 4, codes 0, requests 0, passwords 0, audit-lines 0" ]
}

@test "--dry-run changes no byte and says what it would do" {
	enrol alice
	enrol bob
	faketime -f "$T" lv-sendcode alice >/dev/null
	faketime -f "$T" lv-temppass bob --ttl 60 >/dev/null
	snapshot >before
	expire "2030-01-01 00:10:01" --dry-run
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "accounts 2, codes 1, requests 0, passwords 1, audit-lines 0" \
	    "alice: codes 1, requests 0, passwords 0, audit-lines 0" "bob: codes 0, requests 0, passwords 1, audit-lines 0")" ]
	[ "${lines[2]}" = "accounts 2, codes 1, requests 0, passwords 1, audit-lines 0" ]
	[ "$stderr" = "" ]
	snapshot >after
	cmp before after
	expire "2030-01-01 00:10:01"
	[ "$output" = "accounts 2, codes 1, requests 0, passwords 1, audit-lines 0" ]
	expire "2030-01-01 00:10:01" --dry-run
	[ "$output" = "accounts 2, codes 0, requests 0, passwords 0, audit-lines 0" ]
}

@test "an empty state directory has no accounts" {
	lv-enroll --init
	run -0 --separate-stderr lv-expire
	[ "$output" = "accounts 0, codes 0, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "" ]
}

@test "a missing state directory exits 78, an unsafe one 77" {
	run -78 --separate-stderr lv-expire
	[ "$output" = "" ]
	[ "$stderr" = "lv-expire: state directory $LV_DIR is missing (lv-enroll --init creates it)" ]
	lv-enroll --init
	chmod 0777 "$LV_DIR"
	run -77 --separate-stderr lv-expire
	[ "$output" = "" ]
	[[ "$stderr" == "lv-expire: unsafe state directory: mode 0777 gives access to others" ]]
}

@test "damaged records of one account: reported, the others expired, exit 74, every time" {
	enrol alice
	enrol bob
	faketime -f "$T" lv-sendcode alice >/dev/null
	faketime -f "$T" lv-sendcode bob >/dev/null
	: >"$(records bob)"
	expire "2030-01-01 00:10:01"
	[ "$status" -eq 74 ]
	[ "$output" = "accounts 2, codes 1, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "lv-expire: damaged records of bob (generation 2; 1 is intact): restore them from a backup" ]
	expire "2030-01-01 00:10:02"
	[ "$status" -eq 74 ]
	[ "$output" = "accounts 2, codes 0, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "lv-expire: damaged records of bob (generation 2; 1 is intact): restore them from a backup" ]
}

@test "an unsafe bucket is reported and passed over (77); the others are expired" {
	enrol alice
	enrol bob
	faketime -f "$T" lv-sendcode alice >/dev/null
	faketime -f "$T" lv-sendcode bob >/dev/null
	leaf=$(dirname "$(acctdir alice)")
	chmod 0777 "$leaf"
	expire "2030-01-01 00:10:01"
	[ "$status" -eq 77 ]
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "lv-expire: unsafe bucket directory ${leaf#"$LV_DIR"/}: mode 0777 gives access to others" ]
	chmod 0700 "$leaf"
	expire "2030-01-01 00:10:01"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 2, codes 1, requests 0, passwords 0, audit-lines 0" ]
}

@test "no progress bar when stderr is not a terminal; one on a terminal" {
	enrol alice
	run -0 --separate-stderr lv-expire
	[ "$stderr" = "" ]
	run -0 script -qec "lv-expire 2>&1 >/dev/null" /dev/null
	[[ "$output" == *"lv-expire: [########################################] 100% 1 accounts"* ]]
}

@test "usage: no operands, --dry-run the only option" {
	run -64 lv-expire alice
	[[ "$output" == "lv-expire: too many operands"*"; usage: lv-expire [-d DIR] [-c FILE] [--dry-run]" ]]
	run -64 lv-expire --force
	[ "$output" = "lv-expire: unknown option --force; usage: lv-expire [-d DIR] [-c FILE] [--dry-run]" ]
	run -0 lv-expire --help
	[ "$output" = "usage: lv-expire [-d DIR] [-c FILE] [--dry-run]" ]
}

@test "the cron example runs lv-expire every minute as the owner and logs the counts" {
	enrol alice
	line=$(grep '^\*' "$BATS_TEST_DIRNAME/../share/lv/lv-expire.cron")
	[ "$(cut -f1 <<<"$line")" = "* * * * *" ]
	[ "$(cut -f2 <<<"$line")" = "_lv" ]
	mkdir fake
	printf '#!/bin/sh\necho "$@" >logged\ncat >>logged\n' >fake/logger
	chmod 755 fake/logger
	PATH="$PWD/fake:$PATH" sh -c "$(cut -f3 <<<"$line")"
	[ "$(cat logged)" = "$(printf '%s\n' "-t lv-expire -p authpriv.info" \
	    "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0")" ]
}
