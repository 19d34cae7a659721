# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 9. backup codes: printed, at most five, and used out of order.

demo_head "9. My backup code is inactive, or was used out of order"
demo_run 0 "lv-enroll ivan --phone +15550100088"
demo_say "Ivan prints a new backup code for his desk drawer. Codes are numbered, and the paper says they must be used in order:"
demo_run 0 "lv-backup new ivan --print"
drawer=$(demo_out | sed -n 's/^    \([0-9A-Z-]\{19\}\)$/\1/p')
[ -n "$drawer" ] || demo_fail "no code on the paper"
demo_say "and two more for his phone's case:"
demo_run 0 "lv-backup new ivan"
case1=$(demo_out)
demo_run 0 "lv-backup new ivan"
case2=$(demo_out)
demo_run 0 "lv-backup status ivan"
demo_line "backup-codes	4"
demo_say "He uses the newest one first. Using a code out of order invalidates every earlier one, the one in the drawer too, and lv-verify says why:"
demo_run 0 "echo $case2 | lv-verify ivan"
demo_run 1 "echo $case1 | lv-verify ivan"
demo_said "codes must be used in order"
demo_run 1 "echo $drawer | lv-verify ivan"
demo_said "inactive"
demo_run 0 "lv-backup status ivan"
demo_line "backup-codes	0"
demo_say "At most five codes may wait unused. A sixth is refused until one is used, or the sequence is reset, which invalidates them all and prints a new first code:"
demo_run 0 "for i in 1 2 3 4 5; do lv-backup new ivan >/dev/null; done; lv-backup status ivan | head -n 1"
demo_line "backup-codes	5"
demo_run 75 "lv-backup new ivan"
demo_said "5 unused backup codes already"
demo_run 0 "lv-backup reset ivan"
demo_run 0 "echo $(demo_out) | lv-verify ivan"
