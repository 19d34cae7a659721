#!/usr/bin/env bats
# The enforced ssh setup of lv-login(8): sshd itself requires
# "AuthenticationMethods publickey,keyboard-interactive", and the PAM service
# behind keyboard-interactive is pam_lv alone. A real OpenSSH server on
# 127.0.0.1 with a host key, a configuration and a PAM service of its own:
# sshd names its PAM service after its program name, so it runs through a
# symlink called $service. The client answers keyboard-interactive prompts
# through SSH_ASKPASS (t/t0711 askpass below), as a person would.
# A second port of the same server has the ForceCommand setup, to show the
# ~/.bashrc bypass lv-login(8) warns about. Needs root (a test user,
# /etc/pam.d, sshd), as CI runs.
load lib

user=lvsshenf

setup_file() {
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	D=$(mktemp -d /tmp/lv-sshenf.XXXXXX)
	chmod 755 "$D"
	service="sshd-lvenf-$$"
	export D service
	id "$user" >/dev/null 2>&1 || useradd -M -d "$D/home" -p '*' -s /bin/bash "$user"
	mkdir -p "$D/home" /run/sshd
	chown "$user" "$D/home"
	cp "$top/share/lv/lv-login" "$D/lv-login"
	chmod 755 "$D/lv-login"
	ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$D/clientkey"
	cp "$D/clientkey.pub" "$D/authorized_keys"
	chmod 644 "$D/authorized_keys"
	write_askpass
	cat >"/etc/pam.d/$service" <<-EOF
	auth required $top/pam/pam_lv.so bindir=$top/bin dir=$D/state conf=$D/lv.conf wait=5
	account required pam_unix.so
	session required pam_permit.so
	password required pam_deny.so
	EOF
	port=$(free_port)
	forced_port=$(free_port)
	export port forced_port
	write_sshd_config
	ln -s /usr/sbin/sshd "$D/$service"
	"$D/$service" -f "$D/sshd_config" -E "$D/sshd.log"
	for _ in $(seq 200); do
		[ -s "$D/sshd.pid" ] && break
		sleep 0.05
	done
	[ -s "$D/sshd.pid" ]
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The enforced setup on $port; the ForceCommand setup of lv-login(8) on
# $forced_port, for the bypass test only.
write_sshd_config() {
	cat >"$D/sshd_config" <<-EOF
	Port $port
	Port $forced_port
	ListenAddress 127.0.0.1
	HostKey $D/hostkey
	PidFile $D/sshd.pid
	AuthorizedKeysFile $D/authorized_keys
	LogLevel VERBOSE
	StrictModes no
	AllowUsers $user
	PasswordAuthentication no
	KbdInteractiveAuthentication yes
	UsePAM yes
	AuthenticationMethods publickey,keyboard-interactive
	AllowTcpForwarding no
	PermitTunnel no
	PermitUserRC no
	X11Forwarding no
	Match LocalPort $forced_port
	    AuthenticationMethods publickey
	    ForceCommand $D/lv-login
	EOF
}

# Answers keyboard-interactive prompts as a person would and records each:
# the first with the contents of $D/answer; the push's second ("pick NN")
# with Enter, once the test has approved on the phone ($D/approved).
write_askpass() {
	cat >"$D/askpass" <<-EOF
	#!/bin/sh
	printf '%s\n' "\$1" >>"$D/prompts"
	case \$1 in
	*"pick "*)
	    for _ in \$(seq 200); do [ -e "$D/approved" ] && break; sleep 0.05; done
	    echo ;;
	*) cat "$D/answer" ;;
	esac
	EOF
	chmod 755 "$D/askpass"
}

teardown_file() {
	[ -s "$D/sshd.pid" ] && kill "$(cat "$D/sshd.pid")"
	rm -f "/etc/pam.d/$service"
	userdel "$user" 2>/dev/null || true
	rm -rf "$D"
}

setup() {
	export LV_DIR="$D/state" LV_CONF="$D/lv.conf"
	rm -rf "$D/state" "$D/prompts" "$D/approved" "$D/answer" "$D/home/.bashrc" "$D/home/bashrc.log"
	touch "$D/answer"
	cd "$BATS_TEST_TMPDIR" || return 1
}

ssh_in() {
	ssh -F /dev/null -i "$D/clientkey" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@"
}

# ssh with a key only: BatchMode, so keyboard-interactive cannot be answered.
ssh_key_only() {
	ssh_in -o BatchMode=yes "$@"
}

# ssh with a key, then the keyboard-interactive prompts through the askpass.
ssh_person() {
	SSH_ASKPASS="$D/askpass" SSH_ASKPASS_REQUIRE=force ssh_in "$@" </dev/null
}

# pam_lv's prompt for an account with a phone (enrol's default), and for
# one with a phone app.
PROMPT="($user@127.0.0.1) SMS code or backup code: "
PUSH_PROMPT="($user@127.0.0.1) Press Enter for a push, or type a backup code: "
# ssh ends its own diagnostics with a carriage return.
DENIED="$user@127.0.0.1: Permission denied (keyboard-interactive)."$'\r'

@test "enforced ssh: a key alone is refused, though sshd accepted the key" {
	enrol "$user"
	run -255 ssh_key_only -p "$port" "$user@127.0.0.1" 'echo ran-the-command'
	[ "$output" = "$DENIED" ]
	grep -q "^Partial publickey for $user from 127.0.0.1 " "$D/sshd.log"  || { cat "$D/sshd.log"; false; }
	# A client that offers no keyboard-interactive at all fares the same.
	run -255 ssh_in -p "$port" -o KbdInteractiveAuthentication=no "$user@127.0.0.1" 'echo ran-the-command' </dev/null
	[ "$output" = "$DENIED" ]
}

@test "enforced ssh: a key and the right code typed at pam_lv's prompt let the user in" {
	enrol "$user"
	echo "$code" >"$D/answer"
	run -0 ssh_person -p "$port" "$user@127.0.0.1" 'echo ran-the-command'
	[ "$output" = "ran-the-command" ]
	[ "$(cat "$D/prompts")" = "$PROMPT" ]
}

@test "enforced ssh: the right code without the key is refused" {
	enrol "$user"
	echo "$code" >"$D/answer"
	run -255 ssh_person -o PubkeyAuthentication=no -p "$port" "$user@127.0.0.1" 'echo ran-the-command'
	[ "$output" = "$user@127.0.0.1: Permission denied (publickey)."$'\r' ]
	[ ! -e "$D/prompts" ]
}

@test "enforced ssh: a key and a wrong code leave the user outside" {
	enrol "$user"
	echo "$WRONG_CODE" >"$D/answer"
	run -255 ssh_person -p "$port" "$user@127.0.0.1" 'echo ran-the-command'
	[[ "$output" != *ran-the-command* ]]
	[ "${lines[-1]}" = "$DENIED" ]
	[ "$(fact "$user" failures)" -ge 1 ]
}

@test "enforced ssh: a key and an approved push let the user in" {
	lv-device keygen --key phone.key >phone.pub
	enrol "$user" --device-key - <phone.pub
	ssh_person -p "$port" "$user@127.0.0.1" 'echo ran-the-command' >out 2>err &
	client=$!
	for _ in $(seq 200); do
		number=$(sed -n 's/.*pick \([0-9][0-9]\)\..*/\1/p' "$D/prompts" 2>/dev/null || true)
		[ -n "$number" ] && break
		sleep 0.05
	done
	# The number reaches the ssh user before the wait (pam_lv's second prompt).
	[ -n "$number" ]
	id=$(lv-requests list "$user" | cut -f1)
	lv-requests show "$user" "$id" | lv-device sign --key phone.key approve "$number" | lv-requests answer "$user"
	touch "$D/approved"
	rc=0
	wait "$client" || rc=$?
	[ "$rc" = 0 ]
	[ "$(cat out)" = "ran-the-command" ]
	[ "$(cat "$D/prompts")" = "$PUSH_PROMPT
($user@127.0.0.1) A login request was sent to your phone. Approve it there and pick $number.
Press Enter once approved, or type a code instead: " ]
	lv-requests list "$user" --all | cut -f3 | grep -qx 127.0.0.1
}

# A ~/.bashrc that runs the client's command itself and records that it ran.
bashrc_runs_the_command() {
	cat >"$D/home/.bashrc" <<-'EOF'
	echo bashrc-ran >>"$HOME/bashrc.log"
	[ -n "${SSH_ORIGINAL_COMMAND:-}" ] && exec sh -c "$SSH_ORIGINAL_COMMAND"
	EOF
	chown "$user" "$D/home/.bashrc"
}

@test "ForceCommand ssh: a ~/.bashrc runs the command without the second step (the bypass lv-login(8) warns of)" {
	enrol "$user"
	bashrc_runs_the_command
	run -0 ssh_key_only -p "$forced_port" "$user@127.0.0.1" 'echo ran-the-command'
	[ "$output" = "ran-the-command" ]
	[ "$(cat "$D/home/bashrc.log")" = "bashrc-ran" ]
}

@test "enforced ssh: a ~/.bashrc that runs the command gets no command run without the second step" {
	enrol "$user"
	bashrc_runs_the_command
	run -255 ssh_key_only -p "$port" "$user@127.0.0.1" 'echo ran-the-command'
	[ "$output" = "$DENIED" ]
	[ ! -e "$D/home/bashrc.log" ]
	# The same ~/.bashrc is read once the second step is passed.
	echo "$code" >"$D/answer"
	run -0 ssh_person -p "$port" "$user@127.0.0.1" 'echo ran-the-command'
	[ "$output" = "ran-the-command" ]
	[ "$(cat "$D/home/bashrc.log")" = "bashrc-ran" ]
}
