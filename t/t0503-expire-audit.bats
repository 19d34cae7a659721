#!/usr/bin/env bats
# lv-expire trims each account's audit log of lines older than
# audit_retention days (lv.conf(5), lv-state(5)): by each line's own time,
# crash-safe, and never losing a line appended during the trim, even with
# the lock lost (t/nolock/lvnolock.c).
load lib
export TZ=UTC

T="2030-01-01 00:00:00"
T_EPOCH=1893456000
DAY=86400
NOLOCK="$BATS_TEST_DIRNAME/bin/lvnolock.so"

# A program stopped by the shim (LVFI_STOP) and left so by a failed test.
teardown() {
	[ -z "${pid:-}" ] || kill -9 "$pid" 2>/dev/null || true
}

expire() {
	local when=$1
	shift
	run --separate-stderr faketime -f "$when" lv-expire "$@"
}

# days_before DAYS [EPOCH]: the ISO time DAYS days (a decimal allowed)
# before EPOCH, by default T.
days_before() {
	date -u -d "@$(awk -v e="${2:-$T_EPOCH}" -v d="$1" 'BEGIN { printf "%d", e - d * 86400 }')" +%Y-%m-%dT%H:%M:%SZ
}

# line DAYS TEXT: an audit line written DAYS days before T.
line() {
	echo "$(days_before "$1") $2"
}

# plant ACCOUNT LINE...: the account's audit log holds these lines.
plant() {
	printf '%s\n' "${@:2}" >"$(acctdir "$1")/audit"
}

counts() {
	echo "accounts $1, codes 0, requests 0, passwords 0, audit-lines $2"
}

expire_line() {
	echo "$1 event=expire method=- result=ok by=$(id -un) codes=0 requests=0 passwords=0 audit-lines=$2"
}

@test "audit_retention takes days from 0 to 36500; anything else exits 78 naming the line" {
	enrol alice
	for bad in "x" "-1" "36501" "1.5" ""; do
		conf "# site policy" "audit_retention = $bad"
		run -78 lv-status alice
		[ "$output" = "lv-status: $LV_CONF:2: audit_retention takes a number from 0 to 36500" ]
	done
	conf "audit_retention = 36500"
	run -0 lv-status alice
}

@test "lines older than audit_retention go, judged each by its own time; the rest stay byte for byte, and one line says how many went" {
	conf "audit_retention = 400"
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	plant alice "$(line 500 'event=verify method=backup result=accept by=www seq=1')" \
		"$(line 401 'event=verify method=sms result=reject by=www')" \
		"a line without a time is kept as it is" \
		"$(line 400 'event=unlock method=- result=ok by=root reason="exactly 400 days"')" \
		"$(line 450 'event=verify method=totp result=accept by=host-with-a-late-clock')" \
		"$(line 1 'event=backup-new method=backup result=ok by=root')"
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "$(counts 1 3)" ]
	[ "$stderr" = "" ]
	[ "$(cat "$(acctdir alice)/audit")" = "a line without a time is kept as it is
$(line 400 'event=unlock method=- result=ok by=root reason="exactly 400 days"')
$(line 1 'event=backup-new method=backup result=ok by=root')
$(expire_line 2030-01-01T00:00:00Z 3)" ]
	run -0 stat -c '%a' "$(acctdir alice)/audit"
	[ "$output" = 600 ]
	expire "$T"
	[ "$output" = "$(counts 1 0)" ]
}

@test "the default retention is 400 days" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	plant alice "$(line 402 'event=a method=- result=ok by=x')" "$(line 399 'event=b method=- result=ok by=x')"
	expire "$T"
	[ "$output" = "$(counts 1 1)" ]
	[ "$(head -n 1 "$(acctdir alice)/audit")" = "$(line 399 'event=b method=- result=ok by=x')" ]
}

@test "audit_retention = 0 keeps every line, however old, and never opens a log to look" {
	conf "audit_retention = 0"
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	plant alice "$(line 3650 'event=a method=- result=ok by=x')" "$(line 1 'event=b method=- result=ok by=x')"
	cp "$(acctdir alice)/audit" before
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "$(counts 1 0)" ]
	cmp before "$(acctdir alice)/audit"
	chmod 0666 "$(acctdir alice)/audit"
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
}

@test "a log with only recent lines is not rewritten: same file, same bytes, no line added" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	plant alice "$(line 399 'event=a method=- result=ok by=x')" "$(line 1 'event=b method=- result=ok by=x')"
	cp "$(acctdir alice)/audit" before
	inode=$(stat -c %i "$(acctdir alice)/audit")
	expire "$T"
	[ "$output" = "$(counts 1 0)" ]
	expire "2030-01-02 00:00:00"
	[ "$output" = "$(counts 1 0)" ]
	[ "$(stat -c %i "$(acctdir alice)/audit")" = "$inode" ]
	cmp before "$(acctdir alice)/audit"
}

@test "a log is rewritten only once its first line is a day past the retention: at most once a day" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	plant alice "$(line 400.5 'event=a method=- result=ok by=x')" "$(line 400.2 'event=b method=- result=ok by=x')" \
		"$(line 1 'event=c method=- result=ok by=x')"
	cp "$(acctdir alice)/audit" before
	expire "$T"
	[ "$output" = "$(counts 1 0)" ]
	cmp before "$(acctdir alice)/audit"
	expire "2030-01-01 12:00:00"
	[ "$output" = "$(counts 1 2)" ]
	[ "$(head -n 1 "$(acctdir alice)/audit")" = "$(line 1 'event=c method=- result=ok by=x')" ]
}

@test "--dry-run counts the lines it would remove, and changes no byte" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	faketime -f "$T" lv-enroll bob --phone +15551234567 >/dev/null
	plant alice "$(line 500 'event=a method=- result=ok by=x')" "$(line 450 'event=b method=- result=ok by=x')" \
		"$(line 1 'event=c method=- result=ok by=x')"
	cp "$(acctdir alice)/audit" before
	expire "$T" --dry-run
	[ "$status" -eq 0 ]
	[ "$output" = "alice: codes 0, requests 0, passwords 0, audit-lines 2
$(counts 2 2)" ]
	cmp before "$(acctdir alice)/audit"
	[ "$(find "$LV_DIR" -name .hints)" = "" ]
	expire "$T"
	[ "$output" = "$(counts 2 2)" ]
}

@test "the trimmed log keeps the old one's owner when root trims it" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	plant alice "$(line 500 'event=a method=- result=ok by=x')" "$(line 1 'event=b method=- result=ok by=x')"
	chown -R nobody "$LV_DIR" "$LV_DIR-key"
	# Root acts as the owner, who must reach the site key's directory.
	d=$LV_DIR
	while d=$(dirname "$d") && [ "$d" != / ]; do chmod o+x "$d"; done
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "$(counts 1 1)" ]
	run -0 stat -c '%U %a' "$(acctdir alice)/audit"
	[ "$output" = "nobody 600" ]
}

@test "a sweep's hint is never later than the retention and a day from the sweep: a log made after it is trimmed in time" {
	conf "audit_retention = 10"
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	rm "$(acctdir alice)/audit"
	expire "$T"
	[ "$output" = "$(counts 1 0)" ]
	faketime -f "2030-01-02 00:00:00" lv-unlock alice --reason "a line in a new log" >/dev/null
	expire "2030-01-12 23:59:59"
	[ "$output" = "$(counts 1 0)" ]
	expire "2030-01-13 00:00:00"
	[ "$output" = "$(counts 1 1)" ]
	[ "$(cat "$(acctdir alice)/audit")" = "$(expire_line 2030-01-13T00:00:00Z 1)" ]
}

@test "a trim another trimmer has claimed is left to it; a claim or temporary file of a trimmer that died is removed" {
	faketime -f "$T" lv-enroll alice --phone +15551234567 >/dev/null
	d=$(acctdir alice)
	plant alice "$(line 500 'event=a method=- result=ok by=x')" "$(line 1 'event=b method=- result=ok by=x')"
	cp "$d/audit" before
	echo "a trimmer's" >"$d/.audit.next"
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "$(counts 1 0)" ]
	[ "$stderr" = "" ]
	cmp before "$d/audit"
	echo torn >"$d/.audit.tmp.0123456789abcdef"
	echo fresh >"$d/.audit.tmp.fedcba9876543210"
	touch -d '-2 minutes' "$d/.audit.next"
	touch -d '-2 hours' "$d/.audit.tmp.0123456789abcdef"
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "$(counts 1 1)" ]
	[ "$(ls -A "$d")" = $'.audit.tmp.fedcba9876543210\naudit\nlock\nrecords.1' ]
	[ "$(head -n 1 "$d/audit")" = "$(line 1 'event=b method=- result=ok by=x')" ]
}

# old_log ACCOUNT: a log of two lines years old and two recent ones (by the
# real clock); the recent ones alone in the file "trimmed", the whole log
# in "before". Planted behind lv's back: the hints go (lv-expire(1)).
old_log() {
	local now
	now=$(date +%s)
	plant "$1" "$(days_before 900 "$now") event=old1 method=- result=ok by=x" \
		"$(days_before 800 "$now") event=old2 method=- result=ok by=x" \
		"$(days_before 2 "$now") event=new1 method=- result=ok by=x" \
		"$(days_before 1 "$now") event=new2 method=- result=ok by=x"
	cp "$(acctdir "$1")/audit" before
	tail -n 2 before >trimmed
	find "$LV_DIR" -name .hints -delete
}

# without_expire FILE: the file's lines but lv-expire's own.
without_expire() {
	grep -v ' event=expire ' "$1"
}

@test "kill -9 at each step of the trim leaves the old log or the trimmed one, and a later run finishes it" {
	enrol alice
	d=$(acctdir alice)
	for step in open write fsync link rename dirfsync close; do
		old_log alice
		LD_PRELOAD="$(lvfi)" LVFI_STOP=$step LVFI_STOP_ONCE=1 lv-expire >/dev/null 2>&1 &
		pid=$!
		wait_stopped "$pid"
		kill -9 "$pid"
		wait "$pid" || true
		cmp -s before "$d/audit" || [ "$(without_expire "$d/audit")" = "$(cat trimmed)" ]
		run -0 lv-status --log alice
		[ -e "$d/.audit.next" ] && touch -d '-2 minutes' "$d/.audit.next"
		run -0 lv-expire
		[ "$(without_expire "$d/audit")" = "$(cat trimmed)" ] || { echo "after $step"; cat "$d/audit"; false; }
		rm -f "$d"/.audit.tmp.*
		[ "$(ls -A "$d")" = $'audit\nlock\nrecords.1' ]
	done
}

@test "each step of the trim failing: 74, the old log byte for byte, nothing of the trim left" {
	enrol alice
	d=$(acctdir alice)
	for step in open write fsync link rename; do
		old_log alice
		run --separate-stderr -74 env LD_PRELOAD="$(lvfi)" LVFI_FAIL=$step lv-expire
		[ "$output" = "$(counts 1 0)" ]
		case $step in
		link | rename) what="replace the audit log" ;;
		*) what="write the trimmed audit log" ;;
		esac
		[ "$stderr" = "lv-expire: cannot $what of alice: Input/output error" ]
		cmp before "$d/audit"
		[ "$(ls -A "$d")" = $'audit\nlock\nrecords.1' ]
	done
	run --separate-stderr -74 env LD_PRELOAD="$(lvfi)" LVFI_FAIL=dirfsync lv-expire
	[ "$stderr" = "lv-expire: cannot sync the directory of alice: Input/output error" ]
	cmp trimmed "$d/audit"
}

@test "locks lost: a line appended while the trim is stopped before it writes, before its claim, or before its rename is kept, once" {
	enrol alice
	d=$(acctdir alice)
	for step in write link rename; do
		old_log alice
		LD_PRELOAD="$NOLOCK:$(lvfi)" LVFI_STOP=$step LVFI_STOP_ONCE=1 lv-expire >out 2>err &
		pid=$!
		wait_stopped "$pid"
		run -0 env LD_PRELOAD="$NOLOCK" lv-unlock alice --reason "while stopped at $step"
		kill -CONT "$pid"
		wait "$pid"
		[ "$(cat out)" = "$(counts 1 2)" ]
		[ ! -s err ]
		[ "$(without_expire "$d/audit")" = "$(cat trimmed)
$(grep -F "reason=\"while stopped at $step\"" "$d/audit")" ]
		run -0 grep -c -F "reason=\"while stopped at $step\"" "$d/audit"
		[ "$output" = 1 ]
	done
}

@test "locks lost: a writer that opened the log before a trim replaced it appends its line to the new log, once" {
	enrol alice
	d=$(acctdir alice)
	old_log alice
	LD_PRELOAD="$NOLOCK:$(lvfi)" LVFI_STOP=append LVFI_STOP_ONCE=1 lv-unlock alice --reason "opened the old log" &
	pid=$!
	wait_stopped "$pid"
	run -0 env LD_PRELOAD="$NOLOCK" lv-expire
	[ "$output" = "$(counts 1 2)" ]
	kill -CONT "$pid"
	wait "$pid"
	[ "$(without_expire "$d/audit")" = "$(cat trimmed)
$(grep -F 'reason="opened the old log"' "$d/audit")" ]
	run -0 grep -c -F 'reason="opened the old log"' "$d/audit"
	[ "$output" = 1 ]
	[ "$(tail -n 1 "$d/audit" | grep -c -F 'reason="opened the old log"')" = 1 ]
}
