#!/usr/bin/env bats
# lv-verify: accept (0) or reject (1); consecutive failures lock 6-digit
# answers out with a doubling delay, while backup codes are still checked.
load lib

LOCKED_RE='^lv-verify: alice is locked after too many failures: try again in ([0-9]+) s, or use a backup code$'

# locked_for MIN MAX: a 6-digit answer now exits 75 and the wait it names
# lies between MIN and MAX seconds. Extra arguments go before lv-verify.
locked_for() {
	local min=$1 max=$2
	shift 2
	run -75 "$@" lv-verify alice <<<123456
	[[ "$output" =~ $LOCKED_RE ]]
	[ "${BASH_REMATCH[1]}" -ge "$min" ] && [ "${BASH_REMATCH[1]}" -le "$max" ]
}

@test "a wrong backup code exits 1 and says so; the failure is counted" {
	enrol alice
	run --separate-stderr -1 lv-verify alice <<<"$WRONG_CODE"
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: rejected: wrong backup code" ]
	[ "$(fact alice failures)" = 1 ]
}

@test "an accepted code prints nothing and clears the failure count" {
	enrol alice
	fail_backup alice 3
	[ "$(fact alice failures)" = 3 ]
	run --separate-stderr -0 lv-verify alice <<<"$code"
	[ "$output" = "" ] && [ "$stderr" = "" ]
	[ "$(fact alice failures)" = 0 ]
}

@test "before a lock-out a 6-digit answer on an account with a phone exits 1" {
	enrol alice
	run -1 lv-verify alice <<<123456
	[[ "$output" == "lv-verify: rejected: "* ]]
	[ "$(fact alice failures)" = 1 ]
}

@test "five failures lock 6-digit answers out (75) for a minute; the count holds across processes" {
	enrol alice
	fail_backup alice 4
	[ "$(fact alice locked-until)" = no ]
	run -1 lv-verify alice <<<"$WRONG_CODE"
	[ "$(fact alice failures)" = 5 ]
	[[ "$(fact alice locked-until)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	cp "$(records alice)" before
	locked_for $((60 - $(slow 2))) 60
	# A refusal while locked is not another failure.
	cmp before "$(records alice)"
	[ "$(fact alice failures)" = 5 ]
}

# frozen +Ns CMD...: CMD with the clock frozen N seconds after T0
# (2030-01-01T00:00:00Z), the same instant however long the steps before it
# took, so the lock-out's seconds are exact in every build.
T0=1893456000
frozen() {
	local n=${1#+}
	TZ=UTC faketime -f "$(date -u -d "@$((T0 + ${n%s}))" '+%Y-%m-%d %H:%M:%S')" "${@:2}"
}

@test "the lock-out doubles with each further failure: 1, 2, 4 minutes" {
	enrol alice
	for i in 1 2 3 4 5; do run -1 frozen +0s lv-verify alice <<<"$WRONG_CODE"; done
	locked_for 55 55 frozen +5s
	# After a minute the next answer is checked again; failing, it locks for 2.
	run -1 frozen +61s lv-verify alice <<<123456
	[ "$(fact alice failures)" = 6 ]
	locked_for 106 106 frozen +75s
	locked_for 6 6 frozen +175s
	run -1 frozen +185s lv-verify alice <<<123456
	locked_for 235 235 frozen +190s
	locked_for 5 5 frozen +420s
	run -1 frozen +430s lv-verify alice <<<123456
	[ "$(fact alice failures)" = 8 ]
	locked_for 475 475 frozen +435s
}

@test "the delay stops doubling at lock_max" {
	conf "lock_min = 60" "lock_max = 100"
	enrol alice
	for i in 1 2 3 4 5; do run -1 frozen +0s lv-verify alice <<<"$WRONG_CODE"; done
	run -1 frozen +61s lv-verify alice <<<123456
	locked_for 96 96 frozen +65s
	run -1 frozen +170s lv-verify alice <<<123456
	locked_for 95 95 frozen +175s
}

@test "lock_after and lock_min come from the configuration" {
	conf "lock_after = 2" "lock_min = 10"
	enrol alice
	run -1 frozen +0s lv-verify alice <<<"$WRONG_CODE"
	run -1 frozen +0s lv-verify alice <<<123456
	locked_for 10 10 frozen +0s
	run -1 frozen +11s lv-verify alice <<<123456
	locked_for 19 19 frozen +12s
}

@test "while locked, the right backup code is still accepted, and clears the lock" {
	enrol alice
	fail_backup alice 5
	locked_for 50 60
	run -0 lv-verify alice <<<"$code"
	[ "$(fact alice failures)" = 0 ]
	[ "$(fact alice locked-until)" = no ]
	run -1 lv-verify alice <<<123456
}

@test "while locked, wrong backup codes are still checked (1, not 75)" {
	enrol alice
	fail_backup alice 5
	run -1 lv-verify alice <<<"$WRONG_CODE"
	[ "$output" = "lv-verify: rejected: wrong backup code" ]
	run -1 lv-verify alice --method backup <<<"$WRONG_CODE"
	run -0 lv-verify alice --method backup <<<"$code"
}

@test "--method totp on an account without TOTP exits 69" {
	enrol alice
	run -69 lv-verify alice --method totp <<<123456
	[ "$output" = "lv-verify: alice has no TOTP" ]
	[ "$(fact alice failures)" = 0 ]
}

@test "a third-party client is refused a backup code (1), which stays valid" {
	enrol alice
	run -1 lv-verify alice --client third-party <<<"$code"
	[ "$output" = "lv-verify: rejected: third-party clients accept only a temporary password (lv-temppass); codes are for the site's own login" ]
	[ "$(fact alice failures)" = 0 ]
	[ "$(fact alice third-party-failures)" = 1 ]
	run -0 lv-verify alice --client first-party <<<"$code"
}

@test "third-party failures lock nothing" {
	enrol alice
	for i in 1 2 3 4 5 6; do
		run -1 lv-verify alice --client third-party <<<"$WRONG_CODE"
	done
	[ "$(fact alice third-party-failures)" = 6 ]
	[ "$(fact alice locked-until)" = no ]
	run -1 lv-verify alice <<<123456
}

@test "a temporary password given to a first-party login is refused (1) and says what it is for" {
	enrol alice
	run -1 lv-verify alice <<<abcdefghijklmnopqrst
	[ "$output" = "lv-verify: rejected: a temporary password is for password-only (third-party) clients: use it there, or give a code here" ]
}

@test "an account that is not there, or not enrolled, exits 66" {
	lv-enroll --init
	run -66 lv-verify alice <<<"$WRONG_CODE"
	[ "$output" = "lv-verify: no such account: alice" ]
	enrol alice
	lv-unenroll alice --reason x
	run -66 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: login verification is not enabled for alice" ]
}

@test "each check is audited with method and outcome, the accepted code by number" {
	enrol alice
	lv-backup new alice >c2
	lv-verify alice <c2
	lv-verify alice <<<"$code" || true
	run -0 lv-status alice --log
	[[ "${lines[-2]}" == *" event=verify method=backup result=accept by=$(id -un) seq=2" ]]
	[[ "${lines[-1]}" == *" event=verify method=backup result=reject by=$(id -un)" ]]
}

# The audit events of ACCOUNT's 6-digit verifications, without time and caller.
six_digit_events() {
	sed -n -e 's/^[^ ]* //' -e 's/ by=[^ ]*//' -e '/^event=verify/p' "$(acctdir "$1")/audit"
}

@test "a wrong 6-digit code is audited as a guess of the methods the account has, and only those" {
	lv-enroll alice --totp >/dev/null
	enrol bob
	lv-enroll carol --phone +15551234567 --totp >/dev/null
	for who in alice bob carol; do
		run -1 lv-verify "$who" <<<000000
	done
	run -1 lv-verify carol --method totp <<<000000
	run -0 six_digit_events alice
	[ "$output" = "event=verify method=totp result=reject" ]
	run -0 six_digit_events bob
	[ "$output" = "event=verify method=sms result=reject to=+1******4567" ]
	run -0 six_digit_events carol
	[ "$output" = "event=verify method=sms+totp result=reject to=+1******4567
event=verify method=totp result=reject" ]
}
