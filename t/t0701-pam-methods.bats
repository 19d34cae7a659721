#!/usr/bin/env bats
# pam_lv asks lv-verify --methods first and prompts for what will work;
# refusals reach the user and syslog; unknown options fail the stack; and
# the pam_lv(8) example for Debian's stock /etc/pam.d/sshd. Through the
# real PAM stack with pamtester, as root (a PAM service file, a scratch
# user with a password); syslog through a /dev/log of the test's own
# (t/with-syslog).
load lib
load pam

user=lvpammeth

setup_file() {
	scratch_user "pw-$user-secret"
}

# pamtester through a /dev/log of its own; the messages go to ./syslog.
pam() {
	"$top/t/with-syslog" "$BATS_TEST_TMPDIR/syslog" pamtester "$service" "$@"
}

# pam_lv's syslog lines: priority, then the message after the time.
pam_log() {
	sed -n 's/^<\([0-9]*\)>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} \(.*pam_lv(.*\)$/<\1> \2/p' syslog
}

# The SMS gateway of lv.conf: records what lv-sendcode hands it in ./rec.
with_gateway() {
	mkdir -p rec
	conf "sms_gateway = $top/t/bin/record-sms $PWD/rec ok"
}

totp_secret() {
	sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$1"
}

@test "a TOTP-only account is asked for its app's code or a backup code, and nothing else" {
	run --separate-stderr -0 lv-enroll "$user" --totp
	secret=$(totp_secret "$output")
	run -0 pam "$user" authenticate <<<"$(oathtool --totp -b "$secret")"
	[ "$output" = "Authenticator app code or backup code: pamtester: successfully authenticated" ]
}

@test "Enter from a TOTP-only account says no code was typed, not a system error" {
	lv-enroll "$user" --totp >/dev/null
	run -1 pam "$user" authenticate <<<""
	[ "$output" = "Authenticator app code or backup code: No code was typed.
pamtester: Authentication failure" ]
	[ "$(fact "$user" failures)" = 0 ]
}

@test "every method: Enter for a push, each code by name, and how to get an SMS code" {
	with_gateway
	lv-device keygen --key phone.key >phone.pub
	enrol "$user" --phone +15551234567 --totp --device-key - <phone.pub
	code=${code%%$'\n'*}
	run -0 pam "$user" authenticate <<<"$code"
	[ "$output" = "Press Enter for a push, or type an authenticator app code, SMS code or backup code (type sms to get a code by text message): pamtester: successfully authenticated" ]
}

@test "without an SMS gateway the prompt offers no SMS sending, and 'sms' is a malformed answer" {
	enrol "$user"
	run -1 pam "$user" authenticate <<<"sms"
	[ "$output" = "SMS code or backup code: malformed answer: not a 6-digit code, a backup code or a temporary password
pamtester: Authentication failure" ]
	[ ! -e rec ]
}

@test "typing sms sends a code through the gateway, then the code logs in" {
	with_gateway
	enrol "$user"
	mkfifo in
	stdbuf -o0 pamtester "$service" "$user" authenticate <in >out 2>&1 &
	pam=$!
	exec 4>in
	echo sms >&4
	for _ in $(seq 200); do
		[ -s rec/stdin ] && break
		sleep 0.05
	done
	sms=$(sms-code <rec/stdin)
	echo "$sms" >&4
	exec 4>&-
	rc=0
	wait "$pam" || rc=$?
	[ "$rc" = 0 ]
	[ "$(tail -1 rec/argv)" = "+15551234567" ]
	[ "$(cat out)" = "SMS code or backup code (type sms to get a code by text message): A code was sent to your phone by text message.
SMS code or backup code: pamtester: successfully authenticated" ]
}

@test "a resend refused shows lv's reason, and the code sent before still logs in" {
	with_gateway
	enrol "$user"
	lv-sendcode "$user"
	sms=$(sms-code <rec/stdin)
	run -0 pam "$user" authenticate < <(printf 'sms\n%s\n' "$sms")
	[[ "$output" =~ ^"SMS code or backup code (type sms to get a code by text message): resend too soon: the last code was sent "[0-9]+" s ago and may still arrive; wait "[0-9]+" s before asking for another"$'\n'"SMS code or backup code: pamtester: successfully authenticated"$ ]] || { echo "$output"; false; }
	[[ "$(pam_log)" =~ ^"<85> pamtester: pam_lv($service:auth): lv-sendcode for $user exited 75: lv-sendcode: resend too soon: the last code was sent "[0-9]+" s ago and may still arrive; wait "[0-9]+" s before asking for another"$ ]] || { pam_log; false; }
}

@test "a wrong code shows lv's reason, and syslog gets the exit code and the program's line" {
	enrol "$user"
	run -1 pam "$user" authenticate <<<"$WRONG_CODE"
	[ "$output" = "SMS code or backup code: rejected: wrong backup code
pamtester: Authentication failure" ]
	run -0 pam_log
	[ "$output" = "<85> pamtester: pam_lv($service:auth): lv-verify for $user exited 1: lv-verify: rejected: wrong backup code" ]
}

@test "an inactive backup code shows lv's reason without the administrator's command, which syslog keeps" {
	enrol "$user" --totp
	code=${code%%$'\n'*}
	write_service ""
	lv-verify "$user" <<<"$code"
	run -1 pam "$user" authenticate <<<"$code"
	# Its one backup code spent, the account is asked for the app's code only.
	[ "$output" = "Authenticator app code: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order)
pamtester: Authentication failure" ]
	run -0 pam_log
	[ "$output" = "<85> pamtester: pam_lv($service:auth): lv-verify for $user exited 1: lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new" ]
}

@test "a method that is not there after all (69) shows lv's reason, not a system error" {
	# A stand-in lv-verify that claims a device, as if one were removed
	# between the question and the push: lv-requests then exits 69.
	mkdir standin
	ln -s "$top"/bin/lv-requests standin/
	cat >standin/lv-verify <<-EOF
	#!/bin/sh
	case " \$* " in *" --methods "*) echo push; exit 0 ;; esac
	exec "$top/bin/lv-verify" "\$@"
	EOF
	chmod 755 standin/lv-verify
	bindir=$PWD/standin write_service ""
	lv-enroll "$user" --totp >/dev/null
	run -1 pam "$user" authenticate <<<""
	# Without the administrator's command, which syslog keeps.
	[ "$output" = "Press Enter for a push: $user has no device for push requests
pamtester: Authentication failure" ]
	run -0 pam_log
	[ "$output" = "<85> pamtester: pam_lv($service:auth): lv-requests for $user exited 69: lv-requests: $user has no device for push requests (lv-enroll --update $user --device-key -)" ]
}

@test "with nullok an account not enrolled, or turned off, passes with no prompt (PAM_IGNORE)" {
	write_service nullok
	lv-enroll --init
	run -0 pam "$user" authenticate </dev/null
	[ "$output" = "pamtester: successfully authenticated" ]
	enrol "$user"
	lv-unenroll "$user" --reason "left the team"
	run -0 pam "$user" authenticate </dev/null
	[ "$output" = "pamtester: successfully authenticated" ]
	run -0 pam_log
	[ "$output" = "<85> pamtester: pam_lv($service:auth): lv-verify for $user exited 66: lv-verify: no such account: $user
<85> pamtester: pam_lv($service:auth): lv-verify for $user exited 66: lv-verify: login verification is not enabled for $user" ]
	# nullok alone cannot carry the stack: a required module must succeed.
	cat >"/etc/pam.d/$service" <<-EOS
	$(pam_lv_line nullok)
	EOS
	run -1 pam "$user" authenticate </dev/null
}

@test "without nullok an account turned off is refused before any prompt, with lv's reason" {
	enrol "$user"
	lv-unenroll "$user" --reason "left the team"
	run -1 pam "$user" authenticate <<<"$code"
	[ "$output" = "login verification is not enabled for $user
pamtester: User not known to the underlying authentication module" ]
}

@test "an unknown option or a bad value fails the stack (PAM_SERVICE_ERR) and syslog names it" {
	enrol "$user"
	for opt in bogusopt nulok wait=abc wait=0 wait=601 dir= bindir; do
		write_service "$opt"
		: >syslog
		run -1 pam "$user" authenticate <<<"$code"
		[ "$output" = "pamtester: Error in service module" ]
		run -0 pam_log
		[ "$output" = "<83> pamtester: pam_lv($service:auth): unknown option or bad value: $opt (pam_lv(8) lists them)" ]
	done
	# The code was never asked for, so it still works.
	write_service "wait=600 nullok"
	run -0 pam "$user" authenticate <<<"$code"
}

@test "a fault (an unsafe state directory) tells the user to look in the log; syslog has the reason" {
	enrol "$user"
	chmod 777 "$LV_DIR"
	run -1 pam "$user" authenticate <<<"$code"
	[ "$output" = "Login verification is not available now; the system log says why.
pamtester: System error" ]
	run -0 pam_log
	[[ "$output" == "<83> pamtester: pam_lv($service:auth): lv-verify for $user exited 77: lv-verify: "* ]]
	chmod 700 "$LV_DIR"
}

@test "programs that cannot be run are a fault, and syslog says which" {
	enrol "$user"
	write_service "bindir=$BATS_TEST_TMPDIR/nowhere"
	run -1 pam "$user" authenticate <<<"$code"
	[ "$output" = "Login verification is not available now; the system log says why.
pamtester: System error" ]
	run -0 pam_log
	[ "$output" = "<83> pamtester: pam_lv($service:auth): cannot run $BATS_TEST_TMPDIR/nowhere/lv-verify: No such file or directory" ]
}

# Debian 12's /etc/pam.d/sshd as installed (t/fixtures/debian-12-pam.d-sshd),
# with the one line pam_lv(8) adds below "@include common-auth".
debian_sshd_service() {
	sed "/^@include common-auth\$/a $(pam_lv_line "$1")" "$BATS_TEST_DIRNAME/fixtures/debian-12-pam.d-sshd" \
		>"/etc/pam.d/$service"
}

@test "the fixture is this Debian 12 host's own /etc/pam.d/sshd (openssh-server, installed by make check)" {
	run -0 cmp "$BATS_TEST_DIRNAME/fixtures/debian-12-pam.d-sshd" /etc/pam.d/sshd
}

@test "pam_lv(8)'s example for Debian's stock sshd file: the Unix password, then the code" {
	debian_sshd_service ""
	[ "$(grep -A1 -x '@include common-auth' "/etc/pam.d/$service" | tail -1)" = "$(pam_lv_line "")" ]
	enrol "$user"
	run -0 pamtester "$service" "$user" authenticate acct_mgmt < <(printf 'pw-%s-secret\n%s\n' "$user" "$code")
	[ "$output" = "Password: SMS code or backup code: pamtester: successfully authenticated
pamtester: account management done." ]
}

@test "Debian's stock sshd file with pam_lv: a wrong password is never asked for a code, a wrong code fails" {
	debian_sshd_service ""
	enrol "$user"
	run -1 pamtester "$service" "$user" authenticate < <(printf 'wrong\n%s\n' "$code")
	[ "$output" = "Password: pamtester: Authentication failure" ]
	run -1 pamtester "$service" "$user" authenticate < <(printf 'pw-%s-secret\n%s\n' "$user" "$WRONG_CODE")
	[ "$output" = "Password: SMS code or backup code: rejected: wrong backup code
pamtester: Authentication failure" ]
	run -0 pamtester "$service" "$user" authenticate < <(printf 'pw-%s-secret\n%s\n' "$user" "$code")
}

@test "Debian's stock sshd file with pam_lv nullok: a user not enrolled logs in with the password alone" {
	debian_sshd_service nullok
	lv-enroll --init
	run -0 pamtester "$service" "$user" authenticate < <(printf 'pw-%s-secret\n' "$user")
	[ "$output" = "Password: pamtester: successfully authenticated" ]
	run -1 pamtester "$service" "$user" authenticate < <(printf 'wrong\n')
	[ "$output" = "Password: pamtester: Authentication failure" ]
}
