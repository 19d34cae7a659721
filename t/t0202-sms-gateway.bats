#!/usr/bin/env bats
# lv-sendcode handing codes to a gateway: --exec, sms_gateway, the example
# script against a local fake, and failures that withdraw the code.
load lib

# A gateway command recording into ./rec: record-sms DIR MODE (then PHONE).
gateway() {
	mkdir -p rec
	echo "$BATS_TEST_DIRNAME/bin/record-sms $PWD/rec $1"
}

# Runs the fake HTTP gateway in the background and waits for its port.
fake_gateway() {
	fake-sms-gateway "$PWD/port" "$PWD/got" "$@" >/dev/null 2>&1 3>&- &
	fake=$!
	for _ in $(seq 100); do
		[ -s port ] && break
		sleep 0.05
	done
	[ -s port ]
}

# The code must not appear as a number on its own: timestamps and hashes
# contain other digits.
no_code_in() {
	! grep -qE "(^|[^0-9a-f])$1([^0-9a-f]|\$)"
}

@test "--exec runs the command with the phone as its only argument and the message on stdin" {
	enrol alice
	run -0 --separate-stderr lv-sendcode alice --exec "$(gateway ok)"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ "$(cat rec/argv)" = "$PWD/rec
ok
+15551234567" ]
	sms=$(sms-code <rec/stdin)
	[ "$(cat rec/stdin)" = "lv login code: $sms. It expires in 10 minutes." ]
	run -0 lv-verify alice <<<"$sms"
}

@test "the code is nowhere in the state directory, the audit log or any process's argv" {
	enrol alice
	run -0 lv-sendcode alice --exec "$(gateway ok)"
	sms=$(sms-code <rec/stdin)
	[ ${#sms} -eq 6 ]
	grep -q lv-sendcode rec/ps
	no_code_in "$sms" <rec/ps
	no_code_in "$sms" <rec/argv
	state_bytes | no_code_in "$sms"
	run -0 lv-verify alice <<<"$sms"
	state_bytes | no_code_in "$sms"
	no_code_in "$sms" <"$(acctdir alice)/audit"
	run -0 lv-status alice --log
	no_code_in "$sms" <<<"$output"
}

@test "sms_gateway is run like --exec when no --exec is given" {
	printf 'sms_gateway = %s\n' "$(gateway ok)" >"$LV_CONF"
	enrol alice
	run -0 lv-sendcode alice
	[ "$output" = "" ]
	[ "$(tail -n 1 rec/argv)" = "+15551234567" ]
	run -0 lv-verify alice <<<"$(sms-code <rec/stdin)"
}

@test "--exec takes the place of sms_gateway" {
	printf 'sms_gateway = /bin/false\n' >"$LV_CONF"
	enrol alice
	run -0 lv-sendcode alice --exec "$(gateway ok)"
	run -0 lv-verify alice <<<"$(sms-code <rec/stdin)"
}

@test "a failing gateway exits 75, withdraws the code, starts no wait and counts toward no cap" {
	printf 'sms_daily = 1\n' >"$LV_CONF"
	enrol alice
	run -75 lv-sendcode alice --exec "$(gateway fail)"
	[ "$output" = "lv-sendcode: the SMS gateway failed to send to +1******4567; the code is withdrawn and no wait applies: try again" ]
	failed=$(sms-code <rec/stdin)
	run -0 lv-status alice
	[[ "$output" == *$'sms-last-sent\tnever\nsms-pending\tno\n'* ]]
	run -1 lv-verify alice <<<"$failed"
	[ "$output" = "lv-verify: rejected: this SMS code was withdrawn: sending it failed" ]
	run -0 lv-sendcode alice --exec "$(gateway ok)"
	run -0 lv-verify alice <<<"$(sms-code <rec/stdin)"
	run sed -n -e 's/ by=[^ ]*//' -e 's/^[^ ]* \(event=sms-.*\)/\1/p' "$(acctdir alice)/audit"
	[ "$output" = "event=sms-send method=sms result=ok to=+1******4567 seq=1
event=sms-withdraw method=sms result=ok to=+1******4567 seq=1 reason=gateway-failed
event=sms-send method=sms result=ok to=+1******4567 seq=2" ]
}

@test "a failed send gives its place in the site-wide hourly cap back" {
	printf 'sms_hourly_site = 1\n' >"$LV_CONF"
	enrol alice
	enrol bob
	run -75 lv-sendcode alice --exec "$(gateway fail)"
	run -0 lv-sendcode bob
	run -75 lv-sendcode alice
	[ "${output%%: try again in *}" = "lv-sendcode: the site-wide limit of 1 SMS codes an hour is reached" ]
}

@test "a gateway that does not finish in hook_timeout is killed, and the code withdrawn" {
	printf 'hook_timeout = 1\n' >"$LV_CONF"
	enrol alice
	run -75 lv-sendcode alice --exec "$(gateway hang)"
	[[ "${lines[0]}" =~ ^"lv-sendcode: hook "[0-9]+" timed out after 1 s and was killed"$ ]]
	[ "${lines[1]}" = "lv-sendcode: the SMS gateway failed to send to +1******4567; the code is withdrawn and no wait applies: try again" ]
	[ ${#lines[@]} -eq 2 ]
	run -1 lv-verify alice <<<"$(sms-code <rec/stdin)"
	[ "$output" = "lv-verify: rejected: this SMS code was withdrawn: sending it failed" ]
	run -0 lv-sendcode alice
}

@test "a gateway that cannot be started exits 75 too" {
	enrol alice
	run -75 lv-sendcode alice --exec /nonexistent/gateway
	[ "$output" = "lv-sendcode: the SMS gateway failed to send to +1******4567; the code is withdrawn and no wait applies: try again" ]
	run -0 lv-status alice
	[[ "$output" == *$'sms-last-sent\tnever\n'* ]]
}

@test "when standard output cannot be written the code is withdrawn (74)" {
	enrol alice
	run -74 sh -c 'lv-sendcode alice >/dev/full'
	[ "$output" = "lv-sendcode: cannot write standard output: No space left on device" ]
	run -0 lv-status alice
	[[ "$output" == *$'sms-last-sent\tnever\nsms-pending\tno\n'* ]]
	[ "$(tail -n 1 "$(acctdir alice)/audit" | sed 's/.* reason=//')" = "not-delivered" ]
}

@test "the example gateway script posts lv-sendcode's line to the URL in its environment" {
	enrol alice
	fake_gateway 1
	line=$(lv-sendcode alice)
	run -0 env LV_SMS_URL="http://127.0.0.1:$(cat port)/send" LV_SMS_AUTH="Bearer t0ken" \
		"$BATS_TEST_DIRNAME/../share/lv/sms-gateway-example" <<<"$line"
	[ "$output" = "" ]
	wait "$fake"
	[ "$(cat got)" = "$line"$'\tBearer t0ken' ]
	run -0 lv-verify alice <<<"$(sms-code <<<"$line")"
}

@test "the example gateway script exits 75 when the gateway refuses, 65 for a line without a tab" {
	fake_gateway 1 500
	run -75 env LV_SMS_URL="http://127.0.0.1:$(cat port)/send" \
		"$BATS_TEST_DIRNAME/../share/lv/sms-gateway-example" <<<$'+15551234567\tlv login code: 123456.'
	[ "${lines[-1]}" = "sms-gateway-example: the gateway did not take the message for +15551234567" ]
	wait "$fake"
	run -65 env LV_SMS_URL="http://127.0.0.1:1/send" \
		"$BATS_TEST_DIRNAME/../share/lv/sms-gateway-example" <<<"no tab here"
	[ "$output" = "sms-gateway-example: not a PHONE<TAB>MESSAGE line; skipped" ]
}

@test "the example gateway script and the test helpers are shellcheck-clean" {
	run -0 shellcheck "$BATS_TEST_DIRNAME/../share/lv/sms-gateway-example" \
		"$BATS_TEST_DIRNAME/bin/record-sms" "$BATS_TEST_DIRNAME/bin/sms-code"
	[ "$output" = "" ]
}
