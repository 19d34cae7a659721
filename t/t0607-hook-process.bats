#!/usr/bin/env bats
# A hook's process is lv's, not the caller's: what it prints goes to syslog
# (bounded, escaped, the SMS code redacted), never to the caller's stdout or
# stderr; it starts with lv's umask, directory, descriptors and signals;
# and its exit is judged right whatever the caller did with SIGCHLD.
load lib

start_catcher() {
	python3 "$BATS_TEST_DIRNAME/syslog-catch.py" "$BATS_TEST_TMPDIR/log.sock" "$BATS_TEST_TMPDIR/syslog" 3>&- &
	for _ in $(seq 200); do
		[ -S "$BATS_TEST_TMPDIR/log.sock" ] && return 0
		sleep 0.05
	done
	return 1
}

# Waits (bounded) for N lines, then prints each without its priority, time,
# program and pid.
syslog_lines() {
	for _ in $(seq 200); do
		[ "$(wc -l <"$BATS_TEST_TMPDIR/syslog")" -ge "$1" ] && break
		sleep 0.05
	done
	sed 's/^<86>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} lv-[a-z]*\[[0-9]*\]: //' "$BATS_TEST_TMPDIR/syslog"
}

teardown() {
	rm -f "$BATS_TEST_TMPDIR/log.sock"
}

# The code must not appear as a number on its own.
no_code_in() {
	! grep -qE "(^|[^0-9])$1([^0-9]|\$)"
}

# A gateway that answers as an HTTP client does: the reply, holding the
# message (and so the code), on stdout, a trace on stderr, and a line long
# enough that the code straddles where a logged line is cut (byte 200).
talking_gateway() {
	cat >gateway <<-EOF
	#!/bin/sh
	msg=\$(cat)
	printf '%s\n' "\$msg" >"$BATS_TEST_TMPDIR/sent"
	code=\$(printf '%s\n' "\$msg" | grep -oE '[0-9]{6}')
	echo "{\"to\":\"\$1\",\"body\":\"\$msg\",\"status\":\"queued\"}"
	echo "curl: sent code \$code" >&2
	printf '%197s%s tail\n' '' "\$code"
	EOF
	chmod 755 gateway
}

@test "a gateway's reply, with the code, reaches syslog redacted and never the caller" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock"
	start_catcher
	enrol alice
	talking_gateway
	run -0 --separate-stderr lv-sendcode alice --exec "$BATS_TEST_TMPDIR/gateway"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	sms=$(sms-code <sent)
	[ ${#sms} -eq 6 ]
	run -0 syslog_lines 3
	[ "$output" = "hook sms-gateway said: {\\\"to\\\":\\\"+15551234567\\\",\\\"body\\\":\\\"lv login code: ******. It expires in 10 minutes.\\\",\\\"status\\\":\\\"queued\\\"}
hook sms-gateway said: curl: sent code ******
hook sms-gateway said: $(printf '%197s' '')***..." ]
	no_code_in "$sms" <syslog
	run -0 lv-verify alice <<<"$sms"
}

@test "a notify hook's output goes to syslog whether or not syslog = 1, escaped, at most 8 lines" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock"
	start_catcher
	enrol alice
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock" \
		"notify = /usr/bin/perl -e print(qq(\\x1b[31m\\n));print(qq(line\\t\$_\\n))for(1..12) -"
	run -0 --separate-stderr lv-verify alice <<<"$code"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	run -0 syslog_lines 9
	[ "$output" = 'hook notify said: \x1b[31m
hook notify said: line\x091
hook notify said: line\x092
hook notify said: line\x093
hook notify said: line\x094
hook notify said: line\x095
hook notify said: line\x096
hook notify said: line\x097
hook notify: 5 more lines not logged' ]
}

@test "a hook's UTF-8 reaches syslog as it is, a bidirectional override escaped" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock"
	start_catcher
	enrol alice
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock" \
		"notify = /usr/bin/perl -e print(qq(Z\\xc3\\xbcrich:\\xe2\\x80\\xaegpj.exe\\xff\\n)) -"
	run -0 --separate-stderr lv-verify alice <<<"$code"
	run -0 syslog_lines 1
	[ "$output" = 'hook notify said: Zürich:\xe2\x80\xaegpj.exe\xff' ]
}

@test "a push hook's output goes to syslog as well, never to lv-requests' caller" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock"
	start_catcher
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
	run -0 --separate-stderr lv-requests new alice --exec "/bin/echo pushed"
	[ "$stderr" = "" ]
	IFS=$'\t' read -r id num tok <<<"$output"
	[ ${#tok} -eq 32 ]
	run -0 syslog_lines 1
	[ "$output" = "hook push said: pushed alice $id" ]
}

@test "a missing syslog socket drops a hook's output silently" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/none.sock" "notify = /bin/echo"
	enrol alice
	run -0 --separate-stderr lv-verify alice <<<"$code"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "a hook that floods its output is cut off after 64 KiB and cannot hold the program" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock"
	start_catcher
	enrol alice
	# 4.2 MB, more than the pipe holds after lv stops reading, then a
	# minute's sleep it never reaches: the closed pipe stops it (SIGPIPE).
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock" "hook_timeout = $(slow 5)" \
		"notify = /usr/bin/perl -e print(qq(flood\\n)x700000);sleep(60)"
	SECONDS=0
	run -0 --separate-stderr lv-verify alice <<<"$code"
	[ "$SECONDS" -lt "$(slow 5)" ]
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: notify command failed for alice event backup-used" ]
	run -0 syslog_lines 9
	[ ${#lines[@]} -eq 9 ]
	[ "$(printf '%s\n' "${lines[@]:0:8}" | sort -u)" = "hook notify said: flood" ]
	# 65536 bytes: 10922 lines of 6 bytes, then a piece of one.
	[ "${lines[8]}" = "hook notify: 10915 more lines not logged, and nothing after the first 65536 bytes read" ]
}

# A gateway that prints a line every 0.2 s and never exits.
ticking_gateway() {
	printf '#!/usr/bin/perl\n$| = 1;\nwhile (1) { print "tick\\n"; select(undef, undef, undef, 0.2); }\n' >gateway
	chmod 755 gateway
}

@test "a gateway that prints forever is killed at hook_timeout, even with the clock frozen" {
	conf "syslog_socket = $BATS_TEST_TMPDIR/log.sock" "hook_timeout = 1"
	start_catcher
	enrol alice
	ticking_gateway
	for clock in real frozen; do
		SECONDS=0
		if [ $clock = real ]; then
			run -75 --separate-stderr lv-sendcode alice --exec "$BATS_TEST_TMPDIR/gateway"
		else
			run -75 --separate-stderr faketime -f "2030-01-01 00:00:00" \
				lv-sendcode alice --exec "$BATS_TEST_TMPDIR/gateway"
		fi
		[ "$SECONDS" -lt "$(slow 10)" ]
		[ "$output" = "" ]
		[[ "${stderr_lines[0]}" =~ ^"lv-sendcode: hook "[0-9]+" timed out after 1 s and was killed"$ ]]
		[ "${stderr_lines[1]}" = "lv-sendcode: the SMS gateway failed to send to +1******4567; the code is withdrawn and no wait applies: try again" ]
		[ ${#stderr_lines[@]} -eq 2 ]
	done
	run -0 syslog_lines 2
	[ "${lines[0]}" = "hook sms-gateway said: tick" ]
	[ "$(sed 's/^.*\]: //' syslog | sort -u)" = "hook sms-gateway said: tick" ]
}

@test "a caller that ignores SIGCHLD still gets a working code, and the resend wait holds" {
	enrol alice
	mkdir rec
	gw="$BATS_TEST_DIRNAME/bin/record-sms $PWD/rec ok"
	at0=(faketime -f "2030-01-01 00:00:00")
	# bash passes an ignored SIGCHLD on to what it runs (bit 17 of SigIgn);
	# sh (the faketime wrapper) would not, so bash comes after it.
	ignoring=(bash -c 'trap "" CHLD; exec "$@"' -)
	ign=$("${at0[@]}" "${ignoring[@]}" awk '/^SigIgn/ { print $2 }' /proc/self/status)
	(( 0x$ign & 0x10000 ))
	run -0 --separate-stderr "${at0[@]}" "${ignoring[@]}" lv-sendcode alice --exec "$gw"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	sms=$(sms-code <rec/stdin)
	run -75 "${at0[@]}" "${ignoring[@]}" lv-sendcode alice --exec "$gw"
	[ "$output" = "lv-sendcode: resend too soon: the last code was sent 0 s ago and may still arrive; wait 120 s before asking for another" ]
	run -0 "${at0[@]}" lv-verify alice <<<"$sms"
}

# hostile DIR CMD...: runs CMD with umask 0777, in DIR, with a descriptor
# on /etc/hostname at 7, SIGTERM, SIGINT and SIGPIPE ignored and SIGTERM,
# SIGUSR1 and SIGALRM blocked.
hostile() {
	python3 -c '
import os, signal, sys
os.umask(0o777)
os.chdir(sys.argv[1])
fd = os.open("/etc/hostname", os.O_RDONLY)
os.dup2(fd, 7)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1, signal.SIGALRM})
os.execvp(sys.argv[2], sys.argv[2:])
' "$@"
}

@test "a hook gets lv's umask, directory, descriptors and signals, not the caller's" {
	# Perl ignores SIGFPE itself at startup: that bit is masked out.
	cat >hook <<-EOF
	#!/usr/bin/perl
	open(my \$st, "<", "/proc/self/status") or die;
	my @st = grep { /^(Umask|SigBlk|SigIgn):/ } <\$st>;
	close(\$st);
	s/^(SigIgn:\\s*)(\\w+)/sprintf("%s%016x", \$1, hex(\$2) & ~0x80)/e for @st;
	my @fds = grep { defined readlink("/proc/self/fd/\$_") } 0 .. 1023;
	open(my \$out, ">", "$BATS_TEST_TMPDIR/seen") or die;
	print \$out @st, "fds @fds\n", "cwd ", readlink("/proc/self/cwd"), "\n";
	EOF
	chmod 755 hook
	conf "notify = $BATS_TEST_TMPDIR/hook"
	enrol alice
	mkdir elsewhere
	hostile "$BATS_TEST_TMPDIR/elsewhere" "$BATS_TEST_TMPDIR/hook" # the caller's state, as a hook would get it
	grep -qx 'Umask:	0777' seen
	grep -qx 'SigBlk:	0000000000006200' seen
	grep -q '^fds 0 1 2 .*7' seen
	grep -qx "cwd $BATS_TEST_TMPDIR/elsewhere" seen
	rm seen
	run -0 --separate-stderr hostile "$BATS_TEST_TMPDIR/elsewhere" lv-verify alice <<<"$code"
	[ "$stderr" = "" ]
	[ "$(cat seen)" = "Umask:	0077
SigBlk:	0000000000000000
SigIgn:	0000000000000000
fds 0 1 2
cwd /" ]
}
