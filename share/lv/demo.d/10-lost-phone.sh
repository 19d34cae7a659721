# shellcheck shell=sh
# Part of the lv demo (sourced by share/lv/demo): the lost phone. Alice
# enrols and keeps backup codes, loses her phone and logs in with one; Bob
# has no backup code left and support turns verification off for him.
# Exits non-zero when a step does not do what it shows.
# Alone: LV_DIR=$(mktemp -d)/state PATH=$PWD/bin:$PATH sh share/lv/demo.d/10-lost-phone.sh

lp_fail() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

lp_head() {
	printf '\n== %s ==\n' "$*"
}

lp_say() {
	echo
	printf '%s\n' "$*" | fold -s -w 76
}

# lp_do WANT COMMAND: shows COMMAND as typed, runs it, prints what it
# prints and checks it exits WANT. Its stdout is left in $lp_out, its
# stderr in $lp_err.
lp_do() {
	printf '\n$ %s\n' "$2"
	eval "$2" >"$lp_tmp/out" 2>"$lp_tmp/err"
	lp_rc=$?
	cat "$lp_tmp/out" "$lp_tmp/err"
	lp_out=$(cat "$lp_tmp/out")
	lp_err=$(cat "$lp_tmp/err")
	[ "$lp_rc" -eq "$1" ] || lp_fail "\"$2\" exited $lp_rc, not $1"
	[ "$lp_rc" -eq 0 ] || printf '(exit %s)\n' "$lp_rc"
}

# lp_line LINE: the last command printed LINE on stdout.
lp_line() {
	printf '%s\n' "$lp_out" | grep -qxF "$1" || lp_fail "expected the line \"$1\""
}

# lp_said TEXT: the last command's stderr holds TEXT.
lp_said() {
	case $lp_err in
	*"$1"*) ;;
	*) lp_fail "expected a message with \"$1\"" ;;
	esac
}

[ -n "${LV_DIR:-}" ] || lp_fail "LV_DIR is not set"
lp_tmp=$(mktemp -d) || lp_fail "cannot make a temporary directory"

lp_head "Alice turns on login verification"
lp_say "Alice enrols her phone. lv-enroll prints her first backup code, once: she writes it down and keeps it in her wallet. lv keeps only a keyed hash of it."
lp_do 0 "lv-enroll alice --phone +15551234567"
lp_wallet=$lp_out
lp_say "She prints a second code for her desk drawer; codes are numbered and must be used in order:"
lp_do 0 "lv-backup new alice --print"
lp_drawer=$(printf '%s\n' "$lp_out" | sed -n 's/^    \([0-9A-Z-]\{19\}\)$/\1/p')
[ -n "$lp_drawer" ] || lp_fail "no code on the paper"
lp_do 0 "lv-status alice"
lp_line "backup-codes	2"

lp_head "Alice lost her phone: she logs in with a backup code"
lp_say "No SMS can reach her. At the login she types the code from her wallet; spaces, dashes and case do not matter. The login script hands it to lv-verify on standard input, never on the command line:"
lp_do 0 "echo $lp_wallet | lv-verify alice"
lp_say "A code works once:"
lp_do 1 "echo $lp_wallet | lv-verify alice"
lp_said "inactive"

lp_head "New backup codes, used out of order"
lp_say "Logged in, Alice makes two more codes for her new phone's case:"
lp_do 0 "lv-backup new alice"
lp_case1=$lp_out
lp_do 0 "lv-backup new alice"
lp_case2=$lp_out
lp_say "She uses the newest one first. Using a code out of order invalidates every earlier code, the one in the drawer too:"
lp_do 0 "echo $lp_case2 | lv-verify alice"
lp_do 1 "echo $lp_case1 | lv-verify alice"
lp_said "codes must be used in order"
lp_do 1 "echo $lp_drawer | lv-verify alice"
lp_do 0 "lv-backup status alice"
lp_line "backup-codes	0"

lp_head "At most five unused backup codes"
lp_say "Five codes may wait unused at once; a sixth is refused until one is used, or the sequence is reset. Reset invalidates them all and prints a new first code:"
lp_do 0 "for i in 1 2 3 4 5; do lv-backup new alice >/dev/null; done; lv-backup status alice | head -n 1"
lp_do 75 "lv-backup new alice"
lp_said "5 unused backup codes already"
lp_do 0 "lv-backup reset alice"
lp_do 0 "echo $lp_out | lv-verify alice"

lp_head "Bob lost his phone and has no backup code"
lp_say "Bob enrolled long ago and never wrote his backup code down:"
lp_do 0 "lv-enroll bob --phone +447700900461 >/dev/null"
lp_say "Now his phone is gone. He tries to guess codes: after five failures 6-digit codes are refused for a while (a minute, doubling up to an hour); only a backup code would still be checked."
lp_do 1 "for i in 1 2 3 4 5; do echo 0000-0000-0000-0000 | lv-verify bob; done"
lp_do 75 "echo 123456 | lv-verify bob"
lp_said "locked after too many failures"
lp_say "Bob calls support. Support sees his methods, the masked phone and the lock-out, never a secret:"
lp_do 0 "lv-status bob"
lp_line "failures	5"
lp_line "phone	+4*******0461"
lp_say "Support checks who Bob is some other way, then turns verification off, with the reason for the audit log:"
lp_do 0 "lv-unenroll bob --reason 'lost phone, no backup code; ticket 4711'"
lp_do 66 "lv-status bob --log"
lp_line "enrolled	no"
case $lp_out in
*447700900461*) lp_fail "the audit log holds the full phone number" ;;
*"event=unenrol method=all result=ok"*"ticket 4711"*) ;;
*) lp_fail "the unenrolment is not in the audit log" ;;
esac
lp_say "Bob logs in with his password alone, and enrols his new phone:"
lp_do 0 "lv-enroll bob --phone +447700900462"

rm -rf "$lp_tmp"
unset lp_tmp lp_out lp_err lp_rc lp_wallet lp_drawer lp_case1 lp_case2
