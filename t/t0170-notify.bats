#!/usr/bin/env bats
# The notify command: run without a shell, after the change is committed
# and outside the lock, with the event and account as arguments, a message
# on stdin, a clean environment and a timeout.
load lib

@test "enrolment runs notify with the event and account as arguments and a message on stdin" {
	conf "notify = $(notifier)"
	enrol alice
	[ "$(cat notified)" = $'enrol\nalice\n--\nLogin verification was turned on for alice (sms).' ]
}

@test "using a backup code runs notify backup-used; a wrong code does not" {
	enrol alice
	conf "notify = $(notifier)"
	lv-verify alice <<<"$WRONG_CODE" || true
	[ ! -e notified ]
	lv-verify alice <<<"$code"
	[ "$(cat notified)" = $'backup-used\nalice\n--\nA backup code of alice was used to log in (seq=1).' ]
}

@test "a lock-out runs notify locked" {
	enrol alice
	conf "notify = $(notifier)"
	fail_backup alice 5
	[ "$(cat notified)" = $'locked\nalice\n--\nLogins of alice are locked for a while after too many wrong codes.' ]
}

@test "a new phone and an unenrolment run notify, with masked numbers only" {
	enrol alice
	conf "notify = $(notifier)"
	lv-enroll --update alice --phone +15557654321
	lv-unenroll alice --reason x
	[ "$(cat notified)" = "$(printf '%s\n' phone-changed alice -- \
		'The login verification phone of alice changed from +1******4567 to +1******4321.' \
		unenrolled alice -- 'Login verification was turned off for alice.')" ]
}

@test "words of the notify line arrive literally: no shell, no expansion" {
	enrol alice
	conf "notify = $(notifier) a;b \$(touch pwned) \`touch pwned2\` \$HOME *"
	lv-verify alice <<<"$code"
	[ "$(sed -n 1,7p notified)" = "$(printf '%s\n' 'a;b' '$(touch' 'pwned)' '`touch' 'pwned2`' '$HOME' '*')" ]
	[ "$(sed -n 8,9p notified)" = $'backup-used\nalice' ]
	[ ! -e pwned ] && [ ! -e pwned2 ]
}

@test "notify runs with a clean environment" {
	enrol alice
	cat >env.sh <<-EOF
	#!/bin/sh
	env | sort >"$BATS_TEST_TMPDIR/env.seen"
	EOF
	chmod 755 env.sh
	conf "notify = $BATS_TEST_TMPDIR/env.sh"
	SECRET_TOKEN=x lv-verify alice <<<"$code"
	[ "$(grep -v '^PWD=\|^SHLVL=\|^_=' env.seen)" = $'LANG=C\nLC_ALL=C\nPATH=/usr/local/bin:/usr/bin:/bin' ]
}

@test "notify runs after the commit and outside the lock" {
	enrol alice
	cat >probe.sh <<-EOF
	#!/bin/sh
	cd "$BATS_TEST_TMPDIR"
	LV_DIR="$LV_DIR" LV_CONF="$LV_CONF" $(command -v lv-status) alice | grep backup-codes >probe.status
	LV_DIR="$LV_DIR" LV_CONF="$LV_CONF" $(command -v lv-unlock) alice --reason probe 2>probe.err
	echo \$? >probe.rc
	EOF
	chmod 755 probe.sh
	conf "notify = $BATS_TEST_TMPDIR/probe.sh" "lock_wait_ms = 100"
	run -0 lv-verify alice <<<"$code"
	[ "$(cat probe.status)" = $'backup-codes\t0' ]
	[ "$(cat probe.rc)" = 0 ]
}

@test "a hanging notify is killed after hook_timeout; the change stays committed" {
	enrol alice
	cat >hang.sh <<-EOF
	#!/bin/sh
	echo started >"$BATS_TEST_TMPDIR/hang.log"
	sleep 60
	echo finished >>"$BATS_TEST_TMPDIR/hang.log"
	EOF
	chmod 755 hang.sh
	conf "notify = $BATS_TEST_TMPDIR/hang.sh" "hook_timeout = 1"
	local t0=$SECONDS
	run -0 lv-verify alice <<<"$code"
	[ $((SECONDS - t0)) -le "$(slow 4)" ]
	[[ "$output" =~ ^lv-verify:\ hook\ [0-9]+\ timed\ out\ after\ 1\ s\ and\ was\ killed$'\n'"lv-verify: notify command failed for alice event backup-used"$ ]]
	[ "$(cat hang.log)" = started ]
	run -1 lv-verify alice <<<"$code"
	run -1 pgrep -f "$BATS_TEST_TMPDIR/hang.sh"
}

@test "a failing or missing notify command is reported and changes nothing else" {
	enrol alice
	conf "notify = /bin/false"
	run -0 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: notify command failed for alice event backup-used" ]
	lv-backup new alice >c2
	conf "notify = $BATS_TEST_TMPDIR/no-such-command"
	run -0 lv-verify alice <c2
	[ "$output" = "lv-verify: notify command failed for alice event backup-used" ]
}

@test "a notify that does not read its stdin does not break the program" {
	enrol alice
	conf "notify = /bin/true"
	run --separate-stderr -0 lv-verify alice <<<"$code"
	[ "$stderr" = "" ]
}

@test "notify's output reaches neither stdout, where codes are printed, nor stderr" {
	cat >talk.sh <<-'EOF'
	#!/bin/sh
	echo "hook says hi"
	echo "hook warns" >&2
	EOF
	chmod 755 talk.sh
	conf "notify = $BATS_TEST_TMPDIR/talk.sh" "syslog_socket = $BATS_TEST_TMPDIR/none.sock"
	run --separate-stderr -0 lv-enroll alice --phone +15551234567
	[[ "$output" =~ ^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$ ]]
	[ "$stderr" = "" ]
}
