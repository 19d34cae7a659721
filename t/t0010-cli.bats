#!/usr/bin/env bats
# The command line every program shares: help, version, unknown options,
# options after operands, operands counted, secrets never in argv.
load lib

@test "--help and -h print the usage on stdout and exit 0, stderr empty" {
	for p in $FOUNDATION; do
		for h in --help -h; do
			run --separate-stderr -0 "$p" "$h"
			[[ "$output" == "usage: $p [-d DIR] [-c FILE] "* ]]
			[ "${#lines[@]}" -eq 1 ]
			[ "$stderr" = "" ]
		done
	done
}

@test "--help wins over everything else and touches no file" {
	run -0 lv-enroll ../bad --phone nope --help
	[ ! -e "$LV_DIR" ]
}

@test "--version prints the program and version, then what make compiled in, on stdout" {
	for p in $FOUNDATION; do
		run --separate-stderr -0 "$p" --version
		[ "${#lines[@]}" -eq 4 ]
		[[ "${lines[0]}" =~ ^$p\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
		[[ "${lines[1]}" == "state directory: /"* ]]
		[[ "${lines[2]}" == "configuration: /"* ]]
		[[ "${lines[3]}" == "set-user-ID user: "?* ]]
		[ "$stderr" = "" ]
	done
}

@test "an unknown option exits 64 with one line on stderr and nothing on stdout" {
	for p in $FOUNDATION; do
		run --separate-stderr -64 "$p" alice --bogus
		[ "$output" = "" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "$p: unknown option --bogus; usage: $p "* ]]
		run --separate-stderr -64 "$p" -Z alice
		[[ "$stderr" == "$p: unknown option -Z; usage: "* ]]
	done
}

@test "a flag given a value, or an option without its argument, exits 64" {
	run --separate-stderr -64 lv-status alice --json=yes
	[[ "$stderr" == "lv-status: option --json takes no argument; usage: "* ]]
	run --separate-stderr -64 lv-status alice -d
	[[ "$stderr" == "lv-status: option -d needs an argument; usage: "* ]]
	run --separate-stderr -64 lv-unlock alice --reason
	[[ "$stderr" == "lv-unlock: option --reason needs an argument; usage: "* ]]
}

@test "an option with a control character is named escaped, on one line" {
	run --separate-stderr -64 lv-status alice $'--bo\ngus'
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == 'lv-status: unknown option --bo\x0agus; usage: '* ]]
}

@test "options may come before or after operands" {
	lv-enroll alice -d "$LV_DIR" --phone +15551234567 >/dev/null
	run -0 lv-status -d "$LV_DIR" alice
	run -0 lv-status alice -d "$LV_DIR" --json
	run -0 lv-backup new alice --print
	run -0 lv-backup --print new alice
	run -0 lv-unlock alice --reason "ticket 1"
	run -0 lv-unlock --reason "ticket 2" alice
	run -0 lv-unenroll alice --reason "ticket 3" --phone
}

@test "-d names the state directory over LV_DIR, -c the configuration over LV_CONF" {
	enrol alice
	mv "$LV_DIR" "$BATS_TEST_TMPDIR/other"
	mv "$LV_DIR-key" "$BATS_TEST_TMPDIR/other-key"
	run -78 lv-status alice
	run -0 lv-status alice -d "$BATS_TEST_TMPDIR/other"
	printf 'bogus = 1\n' >"$BATS_TEST_TMPDIR/bad.conf"
	run -78 lv-status alice -d "$BATS_TEST_TMPDIR/other" -c "$BATS_TEST_TMPDIR/bad.conf"
	LV_DIR="$BATS_TEST_TMPDIR/other" run -0 lv-status alice
}

@test "a missing operand or one too many exits 64" {
	for p in lv-verify lv-status lv-unenroll; do
		run -64 "$p"
		[[ "$output" == "$p: missing operand; usage: "* ]]
		run -64 "$p" alice bob
		[[ "$output" == "$p: too many operands "* ]]
	done
	run -64 lv-enroll --phone +15551234567
	run -64 lv-enroll alice bob --phone +15551234567
	run -64 lv-backup new
	run -64 lv-backup new alice bob
	run -64 lv-unlock --reason x
	run -64 lv-status --list alice
}

@test "a code passed in argv is refused with 64 and not echoed, and stays valid" {
	enrol alice
	run --separate-stderr -64 lv-verify alice "$code"
	[ "$stderr" = "lv-verify: too many operands (secrets are read from standard input, never from arguments); usage: lv-verify [-d DIR] [-c FILE] ACCOUNT [--method auto|sms|totp|backup|temp|key|remembered] [--client first-party|third-party] [--remember LABEL] [--ip IP] [--agent TEXT] [--grace SECONDS] | lv-verify ACCOUNT --method grace --grace SECONDS --ip IP | lv-verify ACCOUNT --request ID [--wait SECONDS] [--remember LABEL] [--ip IP] [--agent TEXT] | lv-verify ACCOUNT --methods [--client first-party|third-party] | lv-verify ACCOUNT --key-options" ]
	[[ "$stderr" != *"$code"* ]]
	run -0 lv-verify alice <<<"$code"
}

@test "verbs and option combinations that make no sense exit 64" {
	enrol alice
	run -64 lv-backup list alice
	[[ "$output" == "lv-backup: the verb is new, status or reset; usage: "* ]]
	run -64 lv-backup status alice --print
	run -64 lv-enroll bob
	[[ "$output" == "lv-enroll: name at least one method: --phone, --device-key, --totp or --key; usage: "* ]]
	run -64 lv-enroll bob --phone +15551234567 --qr
	run -64 lv-enroll --init bob
	run -64 lv-enroll --init --phone +15551234567
	run -64 lv-unenroll alice --phone --totp --reason x
	run -64 lv-unlock alice
	[[ "$output" == "lv-unlock: --reason is required (it goes to the audit log); usage: "* ]]
	run -64 lv-verify alice --method pin
	run -64 lv-verify alice --client web
	run -64 lv-verify alice --wait 3
	run -64 lv-status --list --json
	run -0 lv-verify alice <<<"$code"
}

@test "a usage error touches no file" {
	run -64 lv-enroll alice --phone +15551234567 --bogus
	[ ! -e "$LV_DIR" ]
}
