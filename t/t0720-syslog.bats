#!/usr/bin/env bats
# Audit events to syslog (authpriv), one parseable line each, when the
# configuration says so; read here through a socket of the test's own.
load lib

start_catcher() {
	python3 "$BATS_TEST_DIRNAME/syslog-catch.py" "$BATS_TEST_TMPDIR/log.sock" "$BATS_TEST_TMPDIR/syslog" &
	for _ in $(seq 200); do
		[ -S "$BATS_TEST_TMPDIR/log.sock" ] && return 0
		sleep 0.05
	done
	return 1
}

# Waits (bounded) for N lines, then prints them without the priority and time.
syslog_lines() {
	for _ in $(seq 200); do
		[ "$(wc -l <"$BATS_TEST_TMPDIR/syslog")" -ge "$1" ] && break
		sleep 0.05
	done
	sed -e 's/^<\([0-9]*\)>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} /<\1> /' -e 's/\[[0-9]*\]:/[PID]:/' \
		-e 's/ by=[^ ]*//' "$BATS_TEST_TMPDIR/syslog"
}

teardown() {
	rm -f "$BATS_TEST_TMPDIR/log.sock"
}

@test "with syslog = 1 each event goes to authpriv in one line a log search can parse" {
	printf 'syslog = 1\nsyslog_socket = %s\n' "$BATS_TEST_TMPDIR/log.sock" >"$LV_CONF"
	start_catcher
	enrol alice
	lv-verify alice <<<"$code"
	run -1 lv-verify alice <<<"$code"
	run -0 syslog_lines 3
	[ "$output" = "<86> lv-enroll[PID]: account=alice event=enrol method=sms result=ok phone=+1******4567
<86> lv-verify[PID]: account=alice event=verify method=backup result=accept seq=1
<86> lv-verify[PID]: account=alice event=verify method=backup result=reject" ]
}

@test "free text reaches syslog escaped, as literal text, on one line" {
	printf 'syslog = 1\nsyslog_socket = %s\n' "$BATS_TEST_TMPDIR/log.sock" >"$LV_CONF"
	start_catcher
	enrol alice
	lv-unenroll alice --reason 'said "hi"; $(reboot) \o/'
	run -0 syslog_lines 2
	[ "${lines[1]}" = '<86> lv-unenroll[PID]: account=alice event=unenrol method=all result=ok reason="said \"hi\"; $(reboot) \\o/"' ]
}

@test "free text in any script reaches syslog as typed, on one line" {
	printf 'syslog = 1\nsyslog_socket = %s\n' "$BATS_TEST_TMPDIR/log.sock" >"$LV_CONF"
	start_catcher
	enrol alice
	lv-unlock alice --reason 'Zürich: "lost" phone, 東京'
	run -0 syslog_lines 2
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = '<86> lv-unlock[PID]: account=alice event=unlock method=- result=ok reason="Zürich: \"lost\" phone, 東京"' ]
}

@test "without syslog = 1 nothing is sent" {
	printf 'syslog_socket = %s\n' "$BATS_TEST_TMPDIR/log.sock" >"$LV_CONF"
	start_catcher
	enrol alice
	lv-verify alice <<<"$code"
	run -0 cat "$BATS_TEST_TMPDIR/syslog"
	[ "$output" = "" ]
}

@test "a missing syslog socket is reported and the login still succeeds" {
	printf 'syslog = 1\nsyslog_socket = %s\n' "$BATS_TEST_TMPDIR/none.sock" >"$LV_CONF"
	enrol alice 2>/dev/null
	run -0 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: cannot send to syslog at $BATS_TEST_TMPDIR/none.sock: No such file or directory" ]
}
