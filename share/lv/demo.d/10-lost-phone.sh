# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 1. lost phone with a backup code, and removing the lost device;
# 2. lost phone without one: support turns verification off;
# 3. deleting the phone turns verification off.

demo_head "1. I lost my phone, and I have a backup code"
demo_say "Alice turns on login verification with her phone number and her phone's app, which makes a device key for approving logins (push). A backup code is generated automatically: lv-enroll prints it once and keeps only a keyed hash of it. Alice writes it down and keeps it in her wallet."
demo_run 0 "lv-device keygen --key alice-phone.key | lv-enroll alice --phone +15551234567 --device-key -"
wallet=$(demo_out)
demo_say "Then her phone is lost: no SMS, no push. At the login she types the code from her wallet; spaces, dashes and case do not matter. The login script hands it to lv-verify on standard input, never on the command line, and exit 0 lets her in:"
demo_run 0 "echo $wallet | lv-verify alice"
demo_say "A code works once:"
demo_run 1 "echo $wallet | lv-verify alice"
demo_said "this backup code is inactive"
demo_say "Logged in, she removes the lost phone's key, so that whoever finds the phone cannot approve her logins. lv-status shows its id:"
demo_run 0 "lv-status alice"
demo_line "backup-codes	0"
lost=$(demo_out | awk -F '\t' '$1 == "device" { print $2; exit }')
[ -n "$lost" ] || demo_fail "lv-status shows no device"
demo_run 0 "lv-unenroll alice --device $lost --reason 'phone lost'"
demo_say "The found phone can approve nothing now: with no device left, no login request is even made for it (69). SMS codes go to her number, which she keeps on a new SIM; a new number would be lv-enroll --update (situation 7)."
demo_run 69 "lv-requests new alice --ip 198.51.100.4"
demo_run 0 "lv-status alice --log | tail -n 2"
demo_say "Her wallet code is spent, so she prints a new one, for paper; it is number 2, and codes must be used in order:"
demo_run 0 "lv-backup new alice --print"
demo_match "^    [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\$"

demo_head "2. I lost my phone, and I have no backup code"
demo_say "Bob enrolled long ago and never wrote his backup code down:"
demo_run 0 "lv-enroll bob --phone +447700900461 >/dev/null"
demo_say "Now his phone is gone. He tries to guess: after five failures, 6-digit codes are refused without being checked for a while (a minute, doubling up to an hour); only a backup code would still be checked."
demo_run 1 "for i in 1 2 3 4 5; do echo 0000-0000-0000-0000 | lv-verify bob; done"
demo_run 75 "echo 123456 | lv-verify bob"
demo_said "locked after too many failures"
demo_say "Bob calls support. Support sees his methods, the masked phone and the lock-out, never a secret:"
demo_run 0 "lv-status bob"
demo_line "failures	5"
demo_line "phone	+4*******0461"
demo_say "Support checks who Bob is some other way, then turns verification off, with the reason for the audit log:"
demo_run 0 "lv-unenroll bob --reason 'lost phone, no backup code; ticket 4711'"
demo_run 66 "lv-status bob --log"
demo_line "enrolled	no"
demo_never "447700900461"
demo_match "event=unenrol method=all result=ok.*ticket 4711"
demo_say "Bob logs in with his password alone, and enrols his new phone; this time he keeps the code:"
demo_run 0 "lv-enroll bob --phone +447700900462"

demo_head "3. I deleted my phone: login verification is off"
demo_run 0 "lv-enroll carl --phone +15557654321"
carl=$(demo_out)
demo_say "Carl removes his phone number in his account settings. It was his only method, so login verification is turned off, and lv-status says when, by whom and why:"
demo_run 0 "lv-unenroll carl --phone --reason 'removed in account settings'"
demo_run 66 "lv-status carl"
demo_line "enrolled	no"
demo_say "His backup code went with it: there is no second step to pass any more."
demo_run 66 "echo $carl | lv-verify carl"
demo_said "not enabled"
