# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 6. the SMS did not arrive: a resend within two minutes is refused, and the
#    late first code still works; 7. a changed phone number.
# faketime moves the clock forward (demo_later).

# sms_code: the code in the message lv-sendcode printed.
sms_code() {
	demo_out | sed -n 's/.*code: \([0-9]\{6\}\)\..*/\1/p'
}

demo_head "6. I didn't receive the SMS"
demo_say "Dana turns on login verification with her phone number."
demo_run 0 "lv-enroll dana --phone +15550100042"
demo_say "At her next login the site asks for a code by SMS. lv-sendcode prints the line an SMS gateway takes: the number, a tab, the message."
demo_run 0 "lv-sendcode dana"
first=$(sms_code)
[ -n "$first" ] || demo_fail "lv-sendcode printed no code"
demo_say "The text is stuck somewhere in the phone network. 90 seconds later Dana presses \"send again\". The help page asks her to wait two minutes, and so does lv-sendcode (exit 75, with the seconds left):"
demo_later +90s
demo_run 75 "lv-sendcode dana"
demo_said "resend too soon"
demo_said " s before asking for another"
demo_say "Two minutes after the first send, a second code goes out:"
demo_later +121s
demo_run 0 "lv-sendcode dana"
second=$(sms_code)
if [ -z "$second" ] || [ "$second" = "$first" ]; then
	demo_fail "no second code"
fi
demo_say "Now the first text arrives after all, and Dana types its code. The two newest codes are accepted, so the late one still works:"
demo_later +180s
demo_run 0 "echo $first | lv-verify dana"
demo_say "Using one code spends both: the second is no good any more."
demo_later +190s
demo_run 1 "echo $second | lv-verify dana"
demo_said "spent"
demo_say "Support sees when the last code was sent and whether one is pending; never a code:"
demo_later +200s
demo_run 0 "lv-status dana"
demo_line "sms-pending	no"
demo_never "$first"
demo_never "$second"
demo_say "When the SMS gateway itself fails (lv-sendcode --exec runs it: no shell, the number as its argument, the message on standard input), the code is withdrawn and no wait starts, so Dana can ask again at once:"
demo_later +300s
demo_run 75 "lv-sendcode dana --exec /bin/false"
demo_later +301s
demo_run 0 "lv-sendcode dana"
old=$(sms_code)

demo_head "7. I changed my phone number"
demo_say "Dana has a new number. The code just sent to the old number is withdrawn at once, and the notify command (if configured) is told the masked old and new numbers:"
demo_later +360s
demo_run 0 "lv-enroll --update dana --phone +447700900123"
demo_later +370s
demo_run 1 "echo $old | lv-verify dana"
demo_said "the phone number changed"
demo_say "The next code goes to the new number (the two-minute wait belongs to the account, not the number, and has passed):"
demo_later +430s
demo_run 0 "lv-sendcode dana"
demo_match "^\\+447700900123	"
demo_later +440s
demo_run 0 "echo $(sms_code) | lv-verify dana"
demo_later +450s
demo_run 0 "lv-status dana"
demo_line "phone	+4*******0123"
