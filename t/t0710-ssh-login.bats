#!/usr/bin/env bats
# lv-login behind a real OpenSSH server on 127.0.0.1 with a configuration of
# its own, logged into with the real ssh client and key authentication.
# Needs root (a test user, sshd), as CI runs.
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
	cp "$top"/bin/lv-* "$D/bin/"
	cp "$top/share/lv/lv-login" "$D/lv-login"
	chmod 755 "$D/bin" "$D"/bin/* "$D/lv-login"
	ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$D/clientkey"
	cp "$D/clientkey.pub" "$D/authorized_keys"
	chmod 644 "$D/authorized_keys"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export port
	write_sshd_config
	/usr/sbin/sshd -f "$D/sshd_config" -E "$D/sshd.log"
	for _ in $(seq 200); do
		[ -s "$D/sshd.pid" ] && break
		sleep 0.05
	done
	[ -s "$D/sshd.pid" ]
}

write_sshd_config() {
	cat >"$D/sshd_config" <<-EOF
	Port $port
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
	EOF
}

teardown_file() {
	[ -s "$D/sshd.pid" ] && kill "$(cat "$D/sshd.pid")"
	userdel "$user" 2>/dev/null || true
	rm -rf "$D"
}

setup() {
	rm -rf "$D/work/state" "$D/work/phone.key"
	cd "$D/work" || return 1
}

# Runs an lv program as the test user on the server's state directory.
as_user() {
	runuser -u "$user" -- env LV_DIR="$D/work/state" LV_CONF="$D/lv.conf" PATH="$D/bin:/usr/bin:/bin" "$@"
}

ssh_in() {
	ssh -F /dev/null -i "$D/clientkey" -p "$port" -o StrictHostKeyChecking=no \
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

@test "ssh login: the push is approved from another process and the command runs" {
	enrol_phone_app
	ssh_in "$user@127.0.0.1" 'echo ran-the-command' </dev/null >out 2>err &
	client=$!
	await_number err
	answer_push approve
	rc=0
	wait "$client" || rc=$?
	[ "$rc" = 0 ]
	[ "$(cat out)" = "ran-the-command" ]
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

@test "ssh login on a terminal: wrong codes leave the user outside" {
	enrol_phone_app
	rc=0
	printf '0000-0000-0000-0000\n0000-0000-0000-0001\n0000-0000-0000-0002\n' |
		ssh_in -tt "$user@127.0.0.1" 'echo ran-the-command' >out 2>&1 || rc=$?
	[ "$rc" = 1 ]
	grep -q "Login verification failed." out
	run -1 grep -q ran-the-command out
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
	grep -q "Logins with 6-digit codes are locked for now; a backup code still works." out
	grep -q "ran-the-command" out
}
