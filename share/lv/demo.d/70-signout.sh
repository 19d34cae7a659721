# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 11. signing out of the enrolling device turns login verification off.

demo_head "11. I signed out of the enrolling device"
demo_say "Sam enrolled his phone's app, then his tablet's. The phone is the enrolling device: lv-status marks it."
demo_run 0 "lv-device keygen --key sam-phone.key | lv-enroll sam --device-key -"
demo_run 0 "lv-device keygen --key sam-tablet.key | lv-enroll --update sam --device-key -"
demo_run 0 "lv-status sam | grep '^device'"
demo_say "Signing out of the tablet changes nothing: only the enrolling device's signed statement counts."
demo_run 1 "lv-device signout --key sam-tablet.key sam | lv-unenroll sam --signed-out"
demo_said "not the enrolling device"
demo_say "Signing out of the phone's app turns login verification off, as the help page says; the statement is signed by the phone and dated, so it cannot be replayed later."
demo_run 0 "lv-device signout --key sam-phone.key sam | lv-unenroll sam --signed-out"
demo_run 66 "lv-status sam"
demo_line "enrolled	no"
