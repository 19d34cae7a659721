# shellcheck shell=sh
# Demo part: push login requests. Sourced by share/lv/demo; also runs alone:
#   LV_DIR=$(mktemp -d)/state PATH="$PWD/bin:$PATH" sh share/lv/demo.d/30-push.sh
# Every step checks its exit code; a step that misbehaves stops the demo.

p30_heading() {
	printf '\n== %s ==\n\n' "$*"
}

p30_say() {
	printf '%s\n' "$*"
}

# p30_do WANT COMMAND: shows COMMAND, runs it, indents what it prints, and
# fails unless it exits WANT. The output is left in $p30_out.
p30_do() {
	p30_want=$1
	printf '  $ %s\n' "$2"
	eval "$2" >out 2>&1
	p30_rc=$?
	sed 's/^/    /' out
	p30_out=$(cat out)
	if [ "$p30_rc" != "$p30_want" ]; then
		printf 'demo: "%s" exited %s, not %s\n' "$2" "$p30_rc" "$p30_want" >&2
		return 1
	fi
	[ "$p30_rc" = 0 ] || printf '    (exit %s)\n' "$p30_rc"
}

p30_setup() {
	p30_heading "Push: nina's phone app approves her logins"
	p30_say "The app makes a device key; its public half is enrolled."
	p30_do 0 "lv-device keygen --key phone.key | tee phone.pub | lv-enroll nina --device-key -" || return 1
	code=$p30_out
	p30_say "(That is nina's first backup code. lv-status shows the device:)"
	p30_do 0 "lv-status nina | grep '^device'"
}

# The login side: a request for the phone; leaves id, num and token.
p30_login() {
	p30_do 0 "lv-requests new nina --ip 192.0.2.7 --client 'Firefox on Linux' --location Berlin${1:+ $1}" || return 1
	IFS='	' read -r id num token <<EOT
$(printf '%s\n' "$p30_out" | tail -n 1)
EOT
	p30_say "The login screen says: \"Pick $num on your phone.\""
}

p30_no_push() {
	p30_heading "I didn't receive the push notification"
	p30_say "nina logs in; the push service is down (--exec fails), but the request is made."
	p30_login "--exec /bin/false" || return 1
	p30_say "In the app she pulls to refresh: the recent requests, newest first."
	p30_do 0 "lv-requests list nina" || return 1
	p30_say "She opens it, checks where it comes from, picks $num and approves."
	p30_do 0 "lv-requests show nina $id | lv-device sign --key phone.key approve $num | lv-requests answer nina" || return 1
	p30_say "The login session, holding the token, learns the answer: approved (exit 0)."
	p30_do 0 "echo $token | lv-verify nina --request $id --wait 30" || return 1
	p30_say "Not her login? She denies it, and the login is refused (exit 1)."
	p30_login || return 1
	p30_do 0 "lv-requests show nina $id | lv-device sign --key phone.key deny $num | lv-requests answer nina" || return 1
	p30_do 1 "echo $token | lv-verify nina --request $id" || return 1
	p30_say "Someone else's login, approved in a hurry with the wrong number: a denial, and a warning."
	p30_login || return 1
	p30_do 0 "lv-requests show nina $id | lv-device sign --key phone.key approve $(( num == 42 ? 43 : 42 )) | lv-requests answer nina" || return 1
	p30_do 1 "echo $token | lv-verify nina --request $id" || return 1
	p30_say "No phone at hand at all: a backup code still works (or an SMS code, lv-sendcode)."
	p30_do 0 "echo $code | lv-verify nina"
}

p30_new_phone() {
	p30_heading "I bought a new phone"
	p30_say "The old phone's app sealed its key under a passphrase, a backup to keep anywhere."
	p30_do 0 "echo 'purple monkey dishwasher' | lv-device export --key phone.key --kdf interactive > backup" || return 1
	p30_do 0 "cat backup" || return 1
	p30_say "The new phone restores it with the passphrase: the same key, nothing to re-enrol."
	p30_do 1 "printf 'wrong passphrase\n%s\n' \"\$(cat backup)\" | lv-device import --key newphone.key" || return 1
	p30_do 0 "printf 'purple monkey dishwasher\n%s\n' \"\$(cat backup)\" | lv-device import --key newphone.key" || return 1
	if [ "$p30_out" != "$(cat phone.pub)" ]; then
		echo "demo: the restored key is not the old phone's" >&2
		return 1
	fi
	p30_say "The next login is approved on the new phone."
	p30_login || return 1
	p30_do 0 "lv-requests show nina $id | lv-device sign --key newphone.key approve $num | lv-requests answer nina" || return 1
	p30_do 0 "echo $token | lv-verify nina --request $id"
}

p30_signout() {
	p30_heading "Signing out of the enrolling device"
	p30_say "A second device can approve logins, but only the enrolling one can sign out."
	p30_do 0 "lv-device keygen --key tablet.key | lv-enroll --update nina --device-key -" || return 1
	p30_do 1 "lv-device signout --key tablet.key nina | lv-unenroll nina --signed-out" || return 1
	p30_say "Signing out of the enrolling device turns login verification off."
	p30_do 0 "lv-device signout --key newphone.key nina | lv-unenroll nina --signed-out" || return 1
	p30_do 66 "lv-status nina"
}

p30_main() (
	[ -n "${LV_DIR:-}" ] || { echo "demo: LV_DIR is not set" >&2; exit 78; }
	tmp=$(mktemp -d) || exit 70
	LV_CONF=${LV_CONF:-$tmp/lv.conf}
	export LV_DIR LV_CONF
	cd "$tmp" || exit 70
	rc=0
	p30_setup && p30_no_push && p30_new_phone && p30_signout || rc=1
	cd / && rm -rf "$tmp"
	exit "$rc"
)

p30_main || exit 1
