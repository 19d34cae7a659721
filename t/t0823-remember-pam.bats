#!/usr/bin/env bats
# pam_lv's remember=SECONDS: an ssh or PAM client cannot keep a token, so
# a code accepted from a remote address (PAM_RHOST) starts a grace in
# which that address is not asked again. Off by default. Through the real
# PAM stack with pamtester, as root; syslog through a /dev/log of the
# test's own (t/with-syslog).
load lib
load pam

user=lvpamgrace
PROMPT="SMS code: " # once the first backup code is used

setup_file() {
	scratch_user
}

# pam RHOST: pamtester authenticate from RHOST ("" for none).
pam() {
	"$top/t/with-syslog" "$BATS_TEST_TMPDIR/syslog" pamtester ${1:+-I rhost="$1"} "$service" "$user" authenticate
}

pam_log() {
	sed -n 's/^<\([0-9]*\)>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} \(.*pam_lv(.*\)$/<\1> \2/p' syslog
}

@test "without remember, a verified login from an address gives the next one from there no grace" {
	enrol "$user"
	run -0 pam 192.0.2.7 <<<"$code"
	run -1 pam 192.0.2.7 <<<""
	[[ "$output" == "$PROMPT"* ]]
}

@test "remember=SECONDS: after a code from an address, the next login from there is not asked; another address is" {
	enrol "$user"
	write_service remember=300
	run -0 pam 192.0.2.7 <<<"$code"
	[ "$output" = "SMS code or backup code: pamtester: successfully authenticated" ]
	run -0 pam 192.0.2.7 </dev/null
	[ "$output" = "pamtester: successfully authenticated" ]
	run -0 pam_log
	[[ "$output" == *"<85> pamtester: pam_lv($service:auth): $user: no code asked, within the grace of a verified login from 192.0.2.7"* ]]
	run lv-status --log "$user"
	[[ "$output" == *" event=verify method=grace result=accept by="*" ip=192.0.2.7 verified="*"s-ago"* ]]
	run -1 pam 192.0.2.8 <<<"$WRONG_CODE"
	[[ "$output" == "${PROMPT}rejected: wrong backup code"* ]]
	run -1 pam "" <<<"$WRONG_CODE"
	[[ "$output" == "$PROMPT"* ]]
}

@test "the grace ends after SECONDS, and a grace login does not extend it" {
	enrol "$user"
	write_service remember=300
	run -0 pam 2001:db8::7 <<<"$code"
	run -0 pam 2001:db8:0::7 </dev/null
	[ "$output" = "pamtester: successfully authenticated" ]
	# The code was accepted 300 s ago: the PAM stack runs lv on the real
	# clock, so the record is moved back instead of the clock forward.
	lv-records set "$(records "$user")" remember-host.2001:db8::7 "$(($(date +%s) - 300))"
	run -1 pam 2001:db8::7 <<<"$WRONG_CODE"
	[[ "$output" == "${PROMPT}rejected: wrong backup code"* ]]
}

@test "a host name in PAM_RHOST gets no grace (it could be anyone's)" {
	enrol "$user"
	write_service remember=300
	run -0 pam host.example <<<"$code"
	run -1 pam host.example <<<"$WRONG_CODE"
	[[ "$output" == "$PROMPT"* ]]
}

@test "a locked account gets no grace" {
	enrol "$user"
	write_service remember=300
	run -0 pam 192.0.2.7 <<<"$code"
	fail_backup "$user" 5
	run -1 pam 192.0.2.7 <<<"$WRONG_CODE"
	[[ "$output" == "$PROMPT"* ]]
}

@test "remember_days = 0 turns the grace off too, and the grace goes with the remembered devices" {
	enrol "$user"
	write_service remember=300
	run -0 pam 192.0.2.7 <<<"$code"
	conf "remember_days = 0"
	run -1 pam 192.0.2.7 <<<"$WRONG_CODE"
	[[ "$output" == "$PROMPT"* ]]
	conf "remember_days = 30"
	run -0 pam 192.0.2.7 </dev/null
	run -0 lv-unenroll "$user" --forget-devices --self
	run -1 pam 192.0.2.7 <<<"$WRONG_CODE"
	[[ "$output" == "$PROMPT"* ]]
}

@test "remember takes 1 to 86400 seconds; anything else fails the stack" {
	enrol "$user"
	for opt in remember remember= remember=0 remember=86401 remember=1x; do
		write_service "$opt"
		: >syslog
		run -1 pam 192.0.2.7 <<<"$code"
		[ "$output" = "pamtester: Error in service module" ]
		run -0 pam_log
		[ "$output" = "<83> pamtester: pam_lv($service:auth): unknown option or bad value: $opt (pam_lv(8) lists them)" ]
	done
}

