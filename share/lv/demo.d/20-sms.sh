# Part of the lv demo (sourced by share/lv/demo): "I didn't receive the
# SMS" and "I changed my phone number". faketime moves the clock forward.
# Exits non-zero when a step does not do what it shows.
# Alone: LV_DIR=$(mktemp -d)/state PATH=$PWD/bin:$PATH sh share/lv/demo.d/20-sms.sh

sm_fail() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

sm_head() {
	printf '\n== %s ==\n' "$*"
}

sm_say() {
	echo
	printf '%s\n' "$*" | fold -s -w 76
}

# sm_exec RC WHEN COMMAND...: runs the command WHEN (a faketime offset like
# +90s, or "now"), prints what it prints and checks its exit status; its
# standard output is left in $sm_out, its standard error in $sm_tmp/err.
sm_exec() {
	sm_want=$1
	sm_when=$2
	shift 2
	if [ "$sm_when" = now ]; then
		sm_out=$("$@" 2>"$sm_tmp/err")
	else
		sm_out=$(faketime -f "$sm_when" "$@" 2>"$sm_tmp/err")
	fi
	sm_rc=$?
	[ -z "$sm_out" ] || printf '%s\n' "$sm_out"
	cat "$sm_tmp/err"
	[ "$sm_rc" -eq "$sm_want" ] || sm_fail "expected exit $sm_want, got $sm_rc"
	printf '(exit %s)\n' "$sm_rc"
}

# sm_run RC WHEN COMMAND...: the command as typed, then sm_exec.
sm_run() {
	sm_a=$1
	sm_b=$2
	shift 2
	printf '\n$ %s\n' "$*"
	sm_exec "$sm_a" "$sm_b" "$@"
}

# sm_verify RC WHEN CODE: the login script handing a code to lv-verify.
sm_verify() {
	printf '\n$ echo %s | lv-verify %s\n' "$3" "$sm_who"
	printf '%s\n' "$3" >"$sm_tmp/answer"
	sm_exec "$1" "$2" lv-verify "$sm_who" <"$sm_tmp/answer"
}

sm_code() {
	printf '%s\n' "$sm_out" | sed -n 's/.*code: \([0-9]\{6\}\)\..*/\1/p'
}

command -v faketime >/dev/null 2>&1 || sm_fail "faketime moves the clock here: install it (make deps)"
sm_tmp=$(mktemp -d) || sm_fail "cannot make a temporary directory"
# The send history outlives unenrolment, so a rerun takes a fresh name.
sm_who=dana
sm_n=1
while [ -n "$(lv-status "$sm_who" 2>/dev/null)" ]; do
	sm_n=$((sm_n + 1))
	sm_who=dana$sm_n
done

sm_head "I didn't receive the SMS"
sm_say "Dana turns on login verification with her phone number, and keeps the first backup code on paper."
sm_run 0 now lv-enroll "$sm_who" --phone +15550100042
sm_say "At her next login the site asks for a code by SMS. lv-sendcode prints the line the SMS gateway takes, phone and message:"
sm_run 0 now lv-sendcode "$sm_who"
sm_first=$(sm_code)
[ -n "$sm_first" ] || sm_fail "lv-sendcode printed no code"
sm_say "The text is stuck somewhere in the phone network. 90 seconds later Dana presses \"send again\". The help page asks her to wait two minutes, and so does lv-sendcode (exit 75, with the seconds left):"
sm_run 75 +90s lv-sendcode "$sm_who"
grep -q "wait [0-9]* s" "$sm_tmp/err" || sm_fail "the refusal does not say how long to wait"
sm_say "Two minutes after the first send, a second code goes out:"
sm_run 0 +121s lv-sendcode "$sm_who"
sm_second=$(sm_code)
if [ -z "$sm_second" ] || [ "$sm_second" = "$sm_first" ]; then
	sm_fail "no second code"
fi
sm_say "Now the first text arrives after all, and Dana types its code. The two newest codes are accepted, so the late one still works:"
sm_verify 0 +180s "$sm_first"
sm_say "Using one code spends both: the second is no good any more."
sm_verify 1 +190s "$sm_second"
grep -q "spent" "$sm_tmp/err" || sm_fail "the refusal does not say the code was spent"
sm_say "Support sees when the last code was sent and whether one is pending; never a code:"
sm_run 0 +200s lv-status "$sm_who"
case $sm_out in
*"$sm_first"* | *"$sm_second"*) sm_fail "lv-status showed a code" ;;
esac
printf '%s\n' "$sm_out" | grep -qx "sms-pending	no" || sm_fail "a code is still pending"

sm_head "The SMS gateway is down"
sm_say "lv-sendcode can run the gateway itself (--exec, or sms_gateway in lv.conf): no shell, the phone number as the only argument, the message on standard input. When the gateway fails, the code is withdrawn and no wait starts, so Dana can ask again at once:"
sm_run 75 +300s lv-sendcode "$sm_who" --exec /bin/false
sm_run 0 +301s lv-sendcode "$sm_who"

sm_head "I changed my phone number"
sm_old=$(sm_code)
sm_say "Dana has a new number. Support changes it; the code just sent to the old number is withdrawn at once, and the notify command (if configured) is told the masked old and new numbers:"
sm_run 0 +360s lv-enroll --update "$sm_who" --phone +447700900123
sm_verify 1 +370s "$sm_old"
grep -q "phone number changed" "$sm_tmp/err" || sm_fail "the refusal does not say the number changed"
sm_say "The next code goes to the new number:"
sm_run 0 +430s lv-sendcode "$sm_who"
printf '%s\n' "$sm_out" | grep -q "^+447700900123	" || sm_fail "the code did not go to the new number"
sm_verify 0 +440s "$(sm_code)"
sm_run 0 +450s lv-status "$sm_who"
printf '%s\n' "$sm_out" | grep -qx "phone	+4\*\*\*\*\*\*\*0123" || sm_fail "lv-status does not show the new number masked"

rm -rf "$sm_tmp"
unset sm_a sm_b sm_tmp sm_who sm_n sm_out sm_rc sm_want sm_when sm_first sm_second sm_old
