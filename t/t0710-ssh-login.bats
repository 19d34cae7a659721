#!/usr/bin/env bats
# lv-login behind a real OpenSSH server on 127.0.0.1 with a configuration of
# its own, logged into with the real ssh client and key authentication.
# The server runs with a /dev/log of the test's own (t/with-syslog), so
# what lv-login tells the administrator is in $D/syslog. A second port runs
# lv-login --nullok, a third a misspelt option. Needs root (a test user,
# sshd), as CI runs.
load lib

user=lvsshtest

setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	D=$(mktemp -d /tmp/lv-ssh.XXXXXX)
	chmod 755 "$D"
	export D
	id "$user" >/dev/null 2>&1 || useradd -M -d "$D" -p '*' -s /bin/sh "$user"
	mkdir -p "$D/bin" "$D/work" /run/sshd
	chown "$user" "$D/work"
	cp "$top"/bin/lv-* "$top/t/bin/record-sms" "$D/bin/"
	cp "$top/share/lv/lv-login" "$D/lv-login"
	chmod 755 "$D/bin" "$D"/bin/* "$D/lv-login"
	ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$D/clientkey"
	cp "$D/clientkey.pub" "$D/authorized_keys"
	chmod 644 "$D/authorized_keys"
	port=$(free_port)
	nullok_port=$(free_port)
	badopt_port=$(free_port)
	export port nullok_port badopt_port
	write_sshd_config
	"$top/t/with-syslog" "$D/syslog" /usr/sbin/sshd -D -f "$D/sshd_config" -E "$D/sshd.log" 3>&- &
	syslogged=$!
	export syslogged
	for _ in $(seq 200); do
		[ -s "$D/sshd.pid" ] && break
		sleep 0.05
	done
	[ -s "$D/sshd.pid" ]
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_sshd_config() {
	cat >"$D/sshd_config" <<-EOF
	Port $port
	Port $nullok_port
	Port $badopt_port
	ListenAddress 127.0.0.1
	HostKey $D/hostkey
	PidFile $D/sshd.pid
	AuthorizedKeysFile $D/authorized_keys
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	AllowUsers $user
	ForceCommand $D/lv-login
	SetEnv LV_DIR=$D/work/state LV_CONF=$D/lv.conf PATH=$D/bin:/usr/bin:/bin
	AllowTcpForwarding no
	PermitTunnel no
	PermitUserRC no
	X11Forwarding no
	Match LocalPort $nullok_port
	    ForceCommand $D/lv-login --nullok
	Match LocalPort $badopt_port
	    ForceCommand $D/lv-login --nulok
	EOF
}

teardown_file() {
	[ -s "$D/sshd.pid" ] && kill "$(cat "$D/sshd.pid")"
	for _ in $(seq 200); do
		kill -0 "$syslogged" 2>/dev/null || break
		sleep 0.05
	done
	userdel "$user" 2>/dev/null || true
	rm -rf "$D"
}

setup() {
	rm -rf "$D/work/state" "$D/work/phone.key" "$D/work/rec" "$D/lv.conf"
	: >"$D/syslog"
	cd "$D/work" || return 1
}

teardown() {
	[ ! -e "$D/bin/lv-verify.real" ] || mv "$D/bin/lv-verify.real" "$D/bin/lv-verify"
}

# Runs an lv program as the test user on the server's state directory.
as_user() {
	runuser -u "$user" -- env LV_DIR="$D/work/state" LV_CONF="$D/lv.conf" PATH="$D/bin:/usr/bin:/bin" "$@"
}

# ssh_in ARGS...: ssh to the server, on $ssh_port when set.
ssh_in() {
	ssh -F /dev/null -i "$D/clientkey" -p "${ssh_port:-$port}" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "$@"
}

await_number() {
	for _ in $(seq 200); do
		number=$(sed -n 's/.*pick \([0-9][0-9]\)\..*/\1/p' "$1")
		[ -n "$number" ] && return 0
		sleep 0.05
	done
	return 1
}

answer_push() {
	local id
	id=$(as_user lv-requests list "$user" | cut -f1)
	as_user lv-requests show "$user" "$id" | as_user lv-device sign --key "$D/work/phone.key" "$1" "$number" |
		as_user lv-requests answer "$user"
}

enrol_phone_app() {
	as_user lv-device keygen --key "$D/work/phone.key" >"$D/phone.pub"
	code=$(as_user lv-enroll "$user" --device-key - <"$D/phone.pub")
}

@test "ssh login: the push is approved from another process and the command runs, its standard input untouched" {
	enrol_phone_app
	printf 'line one\nline two\n' | ssh_in "$user@127.0.0.1" 'cat; echo ran-the-command' >out 2>err &
	client=$!
	await_number err
	answer_push approve
	rc=0
	wait "$client" || rc=$?
	[ "$rc" = 0 ]
	[ "$(cat out)" = "line one
line two
ran-the-command" ]
	[ "$(cat err)" = "A login request was sent to your phone: approve it there and pick $number." ]
	as_user lv-requests list "$user" --all | cut -f3 | grep -qx 127.0.0.1
}

@test "ssh login: a denied push leaves the user outside" {
	enrol_phone_app
	ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null >out 2>err &
	client=$!
	await_number err
	answer_push deny
	rc=0
	wait "$client" || rc=$?
	[ "$rc" = 1 ]
	[ "$(cat out)" = "" ]
	[ "$(tail -1 err)" = "Login verification failed." ]
}

@test "ssh login on a terminal: wrong codes leave the user outside, each with lv's reason; syslog gets exit code and line" {
	enrol_phone_app
	rc=0
	printf '0000-0000-0000-0000\n0000-0000-0000-0001\n0000-0000-0000-0002\n' |
		ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' >out 2>&1 || rc=$?
	[ "$rc" = 1 ]
	grep -q "Login verification failed." out
	run -1 grep -q ran-the-command out
	[ "$(grep -c "^rejected: wrong backup code" out)" = 3 ]
	run -0 login_log 3
	[ "$output" = "<85> lv-verify for $user exited 1: lv-verify: rejected: wrong backup code
<85> lv-verify for $user exited 1: lv-verify: rejected: wrong backup code
<85> lv-verify for $user exited 1: lv-verify: rejected: wrong backup code" ]
}

@test "ssh login on a terminal: a backup code typed instead of the push lets the user in" {
	enrol_phone_app
	rc=0
	printf '%s\n' "$code" | ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' >out 2>&1 || rc=$?
	[ "$rc" = 0 ]
	grep -q "ran-the-command" out || { cat -A out; false; }
}

@test "ssh login on a terminal: a locked account says so and still takes a backup code" {
	as_user lv-device keygen --key "$D/work/phone.key" >"$D/work/phone.pub"
	code=$(as_user lv-enroll "$user" --phone +15551234567 --device-key - <"$D/work/phone.pub")
	for _ in 1 2 3 4 5; do
		as_user lv-verify "$user" <<<"0000-0000-0000-0000" 2>/dev/null || true
	done
	rc=0
	printf '123456\n%s\n' "$code" | ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' >out 2>&1 || rc=$?
	[ "$rc" = 0 ]
	grep -q "$user is locked after too many failures: try again in [0-9]* s, or use a backup code" out
	grep -q "ran-the-command" out
}

# lv-login's lines in the server's syslog: priority, then the message
# after the time; waits (bounded) for N of them.
login_log() {
	for _ in $(seq 100); do
		[ "$(grep -c ' lv-login: ' "$D/syslog")" -ge "$1" ] && break
		sleep 0.05
	done
	sed -n 's/^<\([0-9]*\)>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} lv-login: /<\1> /p' "$D/syslog"
}

totp_enrol() {
	run --separate-stderr -0 as_user lv-enroll "$user" --totp
	code=${lines[0]}
	secret=$(sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"${lines[1]}")
	[ -n "$secret" ]
}

@test "ssh login on a terminal: a TOTP-only user is asked for the app's code, with no push and no hint for the administrator" {
	totp_enrol
	rc=0
	oathtool --totp -b "$secret" | ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' >out 2>&1 || rc=$?
	[ "$rc" = 0 ]
	[ "$(grep -c "code: " out)" = 1 ] || { cat -A out; false; }
	grep -q "^Authenticator app code or backup code: " out
	grep -q "^ran-the-command" out
	run -1 grep -Ei "push|request|device|lv-enroll|approve" out
	run -0 login_log 0
	[ "$output" = "" ]
}

@test "ssh login on a terminal: an inactive backup code is refused without the administrator's command, which syslog keeps" {
	totp_enrol
	as_user lv-verify "$user" <<<"$code"
	rc=0
	printf '%s\n' "$code" "$code" "$code" | ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' >out 2>&1 || rc=$?
	[ "$rc" = 1 ]
	[ "$(tr -d '\r' <out | grep -cx "rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order)")" = 3 ] || { cat -A out; false; }
	run -1 grep -q -e lv-backup -e ran-the-command out
	run -0 login_log 3
	[ "${lines[2]}" = "<85> lv-verify for $user exited 1: lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new" ]
}

@test "ssh remote command without a terminal: a 69 (the device gone between question and push) shows lv's reason without the administrator's command" {
	# A stand-in lv-verify that claims a device, as if one were removed
	# between the question and the push: lv-requests then exits 69. The
	# real one is put back by teardown.
	mv "$D/bin/lv-verify" "$D/bin/lv-verify.real"
	cat >"$D/bin/lv-verify" <<-EOF
	#!/bin/sh
	case " \$* " in *" --methods "*) echo push; exit 0 ;; esac
	exec "$D/bin/lv-verify.real" "\$@"
	EOF
	chmod 755 "$D/bin/lv-verify"
	totp_enrol
	run -1 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "$user has no device for push requests
Login verification failed." ]
	run -0 login_log 1
	[ "$output" = "<85> lv-requests for $user exited 69: lv-requests: $user has no device for push requests (lv-enroll --update $user --device-key -)" ]
}

@test "ssh remote command without a terminal, TOTP only: refused with one line, the command never runs, syslog says why" {
	totp_enrol
	run -1 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "Without a terminal only a push to your phone app can verify this login, and your account has none: log in with a terminal to type a code.
Login verification failed." ]
	run -0 login_log 1
	[ "$output" = "<85> no terminal and no device for $user: refused" ]
	[ "$(as_user lv-requests list "$user" --all)" = "" ]
}

@test "ssh login on a terminal: typing sms sends a code through the gateway, and the code lets the user in" {
	mkdir -m 700 "$D/work/rec"
	chown "$user" "$D/work/rec"
	printf 'sms_gateway = %s\n' "$D/bin/record-sms $D/work/rec ok" >"$D/lv.conf"
	as_user lv-enroll "$user" --phone +15551234567 >/dev/null
	mkfifo in
	ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' <in >out 2>&1 &
	client=$!
	exec 4>in
	echo sms >&4
	for _ in $(seq 200); do
		[ -s "$D/work/rec/stdin" ] && break
		sleep 0.05
	done
	echo "$(sms-code <"$D/work/rec/stdin")" >&4
	rc=0
	wait "$client" || rc=$?
	exec 4>&-
	[ "$rc" = 0 ]
	[ "$(grep -c "^SMS code or backup code (type sms to get a code by text message): " out)" = 2 ] || { cat -A out; false; }
	grep -q "^A code was sent to your phone by text message." out
	grep -q "^ran-the-command" out
}

@test "ssh with lv-login --nullok: a user who is not enrolled runs the command, and syslog says so" {
	as_user lv-enroll --init
	ssh_port=$nullok_port run -0 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "ran-the-command" ]
	run -0 login_log 2
	[ "$output" = "<85> lv-verify for $user exited 66: lv-verify: no such account: $user
<85> $user is not enrolled: let in without the second step (--nullok)" ]
}

@test "ssh with lv-login --nullok: a user whose verification was turned off runs the command; an enrolled one still needs the step" {
	totp_enrol
	ssh_port=$nullok_port run -1 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "${lines[-1]}" = "Login verification failed." ]
	as_user lv-unenroll "$user" --reason "left the staff group"
	ssh_port=$nullok_port run -0 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "ran-the-command" ]
}

@test "ssh without --nullok: a user who is not enrolled is refused with lv's reason" {
	as_user lv-enroll --init
	run -1 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "no such account: $user
Login verification failed." ]
}

@test "ssh with a misspelt lv-login option: refused (64), the user told to look in the log, syslog names the option" {
	as_user lv-enroll --init
	ssh_port=$badopt_port run -64 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "Login verification is not available now; the system log says why." ]
	run -0 login_log 1
	[ "$output" = "<83> unknown option --nulok: lv-login(8) takes only --nullok (check sshd_config's ForceCommand)" ]
}

@test "ssh login with an unsafe state directory: the user is told only where to look; syslog has lv's line" {
	totp_enrol
	chmod 777 "$D/work/state"
	run -1 ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "Login verification is not available now; the system log says why.
Login verification failed." ]
	run -0 login_log 1
	[[ "$output" == "<83> lv-verify for $user exited 77: lv-verify: "* ]]
	chmod 700 "$D/work/state"
}
