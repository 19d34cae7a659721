# Part of the lv demo (sourced by share/lv/demo): an authenticator app
# enrolled with a QR code, then a third-party app logging in with a
# temporary password. Exits non-zero when a step does not do what it shows.
# Alone: LV_DIR=$(mktemp -d)/state PATH=$PWD/bin:$PATH sh share/lv/demo.d/40-totp-temppass.sh

tt_fail() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

tt_head() {
	printf '\n== %s ==\n' "$*"
}

tt_say() {
	echo
	printf '%s\n' "$*" | fold -s -w 76
}

# The command as typed, then what it prints (stderr too).
tt_show() {
	printf '\n$ %s\n' "$*"
}

# tt_expect RC: the status of the command just shown.
tt_expect() {
	[ "$tt_rc" -eq "$1" ] || tt_fail "expected exit $1, got $tt_rc"
	printf '(exit %s)\n' "$tt_rc"
}

tt_who=erin
command -v oathtool >/dev/null 2>&1 || tt_fail "oathtool plays the phone here: install it (make deps)"
if lv-status "$tt_who" >/dev/null 2>&1; then
	lv-unenroll "$tt_who" --reason "demo starts afresh" || tt_fail "cannot reset $tt_who"
fi

tt_head "An authenticator app, enrolled with a QR code"
tt_say "Erin turns on login verification with an authenticator app. She gets her first backup code, then the otpauth URI her app reads, then the same URI as a QR code to scan with her phone's camera."
tt_show "lv-enroll $tt_who --totp --qr"
tt_out=$(lv-enroll "$tt_who" --totp --qr) || tt_fail "lv-enroll --totp --qr failed"
printf '%s\n' "$tt_out"
tt_backup=$(printf '%s\n' "$tt_out" | sed -n 1p)
tt_secret=$(printf '%s\n' "$tt_out" | sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
[ -n "$tt_secret" ] || tt_fail "lv-enroll printed no otpauth URI"
[ "$(printf '%s\n' "$tt_out" | wc -l)" -gt 12 ] || tt_fail "lv-enroll drew no QR code"

tt_head "Logging in with the app's code"
tt_say "Her app shows a 6-digit code that changes every 30 seconds (oathtool plays the app here). The login script hands it to lv-verify:"
tt_code=$(oathtool --totp -b "$tt_secret")
tt_show "echo $tt_code | lv-verify $tt_who"
echo "$tt_code" | lv-verify "$tt_who" 2>&1
tt_rc=$?
tt_expect 0
tt_say "Someone who saw the code over her shoulder tries it too. A code works once, and once it is used no older code works either:"
tt_show "echo $tt_code | lv-verify $tt_who"
echo "$tt_code" | lv-verify "$tt_who" 2>&1
tt_rc=$?
tt_expect 1

tt_failures() {
	lv-status "$tt_who" | sed -n 's/^failures	//p'
}

tt_head "A third-party app logs in with a temporary password"
tt_before=$(tt_failures)
tt_say "Erin's mail program can send only a password; it cannot ask for a code, and backup codes do not work for it. Support issues it a temporary password: 20 letters, valid for an hour, once."
tt_show "lv-temppass $tt_who --label \"mail app\""
tt_pw=$(lv-temppass "$tt_who" --label "mail app") || tt_fail "lv-temppass failed"
printf '%s\n' "$tt_pw"
tt_say "She types it into the mail program. The mail server checks it as a third-party client:"
tt_show "echo \"$tt_pw\" | lv-verify $tt_who --client third-party"
echo "$tt_pw" | lv-verify "$tt_who" --client third-party 2>&1
tt_rc=$?
tt_expect 0
tt_say "The same password a second time:"
tt_show "echo \"$tt_pw\" | lv-verify $tt_who --client third-party"
echo "$tt_pw" | lv-verify "$tt_who" --client third-party 2>&1
tt_rc=$?
tt_expect 1
tt_say "A third-party client gets nothing for a backup code:"
tt_show "echo $tt_backup | lv-verify $tt_who --client third-party"
echo "$tt_backup" | lv-verify "$tt_who" --client third-party 2>&1
tt_rc=$?
tt_expect 1
tt_say "And a temporary password is no good at the site's own login, where a code is asked for:"
tt_show "lv-temppass $tt_who --label calendar"
tt_pw=$(lv-temppass "$tt_who" --label calendar) || tt_fail "lv-temppass failed"
printf '%s\n' "$tt_pw"
tt_show "echo \"$tt_pw\" | lv-verify $tt_who"
echo "$tt_pw" | lv-verify "$tt_who" 2>&1
tt_rc=$?
tt_expect 1
tt_say "Support sees the live temporary passwords by label, never the passwords; the third-party failures are counted apart and lock nothing:"
tt_show "lv-status $tt_who"
tt_out=$(lv-status "$tt_who") || tt_fail "lv-status failed"
printf '%s\n' "$tt_out"
case $tt_out in
*"$tt_pw"*) tt_fail "lv-status showed a temporary password" ;;
esac
printf '%s\n' "$tt_out" | grep -q "^temppass	calendar	" || tt_fail "lv-status lists no calendar password"
printf '%s\n' "$tt_out" | grep -qx "third-party-failures	2" || tt_fail "third-party failures not counted"
[ "$(tt_failures)" = "$tt_before" ] || tt_fail "third-party failures counted as first-party"

unset tt_who tt_before tt_out tt_backup tt_secret tt_code tt_pw tt_rc
