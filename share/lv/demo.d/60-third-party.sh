# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 10. a third-party app: backup codes do not work there, a temporary
#     password does.

demo_head "10. A third-party app: backup codes don't work, use a temporary password"
demo_run 0 "lv-enroll erin --phone +15550100099"
erin=$(demo_out)
demo_say "Erin's mail program can send only a password; it cannot ask for a code. The mail server checks its logins as a password-only (third-party) client, where a backup code is refused:"
demo_run 1 "echo $erin | lv-verify erin --client third-party"
demo_said "third-party clients accept only a temporary password"
demo_say "Erin gets a temporary password for it: 20 letters, valid for an hour, once."
demo_run 0 "lv-temppass erin --label 'mail app'"
password=$(demo_out)
demo_run 0 "echo '$password' | lv-verify erin --client third-party"
demo_run 1 "echo '$password' | lv-verify erin --client third-party"
demo_say "A temporary password is no good at the site's own login, where a code is asked for; it is not spent by that:"
demo_run 0 "lv-temppass erin --label calendar"
password=$(demo_out)
demo_run 1 "echo '$password' | lv-verify erin"
demo_said "password-only (third-party) clients"
demo_say "Support sees the live temporary passwords by label, never a password; third-party failures are counted apart and lock nothing:"
demo_run 0 "lv-status erin"
demo_never "$password"
demo_match "^temppass	calendar	"
demo_line "third-party-failures	2"
demo_line "failures	0"
demo_run 0 "echo '$password' | lv-verify erin --client third-party"
