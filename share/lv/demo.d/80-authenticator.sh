# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# beyond the help page, an authenticator app (TOTP) enrolled with a QR code.

demo_head "Beyond the help page: an authenticator app"
demo_say "Fay turns on login verification with an authenticator app. She gets her first backup code, then the otpauth URI her app reads, then the same URI as a QR code to scan with her phone's camera."
demo_run 0 "lv-enroll fay --totp --qr"
secret=$(demo_out | sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
[ -n "$secret" ] || demo_fail "lv-enroll printed no otpauth URI"
[ "$(demo_out | wc -l)" -gt 12 ] || demo_fail "lv-enroll drew no QR code"
demo_say "Her app shows a 6-digit code that changes every 30 seconds (oathtool plays the app here):"
demo_run 0 "oathtool --totp -b $secret"
totp=$(demo_out)
demo_run 0 "echo $totp | lv-verify fay"
demo_say "Someone who saw the code over her shoulder tries it too. A code works once, and once it is used no older code works either:"
demo_run 1 "echo $totp | lv-verify fay"
demo_said "used already"
