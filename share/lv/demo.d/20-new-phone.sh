# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 4. a new phone restores the app's key from its sealed backup;
# 5. a new phone without the key logs the app in with a temporary password.

# new_request ACCOUNT: a login asks ACCOUNT's phone to approve it;
# leaves the request's id, number and token in $id, $num and $token.
new_request() {
	demo_run 0 "lv-requests new $1 --ip 192.0.2.7 --client 'Firefox on Linux' --location Berlin"
	id=$(demo_field 1)
	num=$(demo_field 2)
	token=$(demo_field 3)
	demo_say "The login screen says: \"Pick $num on your phone.\""
}

demo_head "4. I have a new phone, and restored the app's key"
demo_say "Nina approves her logins in her phone's app. The app made a device key; its public half is enrolled:"
demo_run 0 "lv-device keygen --key nina-old.key | tee nina.pub | lv-enroll nina --device-key -"
demo_say "The app sealed its key under a passphrase, a backup Nina keeps anywhere (Argon2id makes each guess at the passphrase slow):"
demo_run 0 "echo 'purple monkey dishwasher' | lv-device export --key nina-old.key --kdf interactive >nina-key.backup"
demo_say "Her new phone's app restores it. A wrong passphrase restores nothing; the right one gives back the same key, so nothing needs enrolling again:"
demo_run 1 "printf 'wrong passphrase\n%s\n' \"\$(cat nina-key.backup)\" | lv-device import --key nina-new.key"
demo_run 0 "printf 'purple monkey dishwasher\n%s\n' \"\$(cat nina-key.backup)\" | lv-device import --key nina-new.key"
[ "$(demo_out)" = "$(cat nina.pub)" ] || demo_fail "the restored key is not the old phone's"
demo_say "Her next login is approved on the new phone, and the login session, which holds the request's token, lets her in:"
new_request nina
demo_run 0 "lv-requests show nina $id | lv-device sign --key nina-new.key approve $num | lv-requests answer nina"
demo_run 0 "echo $token | lv-verify nina --request $id"

demo_head "5. I have a new phone, without the app's key"
demo_run 0 "lv-device keygen --key olga-old.key | lv-enroll olga --device-key -"
olga=$(demo_out)
demo_say "Olga's old phone broke before she backed its key up. The app on her new phone makes a key that lv does not know, so its approvals are refused:"
demo_run 0 "lv-device keygen --key olga-new.key >olga-new.pub"
new_request olga
demo_run 1 "lv-requests show olga $id | lv-device sign --key olga-new.key approve $num | lv-requests answer olga"
demo_say "She logs in on the web with her backup code instead, and asks for a temporary password for the app: 20 letters, valid for an hour, once."
demo_run 0 "echo $olga | lv-verify olga"
demo_run 0 "lv-temppass olga --label 'phone app'"
password=$(demo_out)
demo_say "She types it into the app. The app can send only a password, so its login is checked as a password-only (third-party) client:"
demo_run 0 "echo '$password' | lv-verify olga --client third-party"
demo_say "Logged in, the app enrols its new key, and the broken phone's key is removed:"
demo_run 0 "lv-enroll --update olga --device-key - <olga-new.pub"
demo_run 0 "lv-status olga"
old=$(demo_out | awk -F '\t' '$1 == "device" { print $2; exit }')
demo_run 0 "lv-unenroll olga --device $old --reason 'phone broken, key lost'"
demo_say "The new phone approves her next login:"
new_request olga
demo_run 0 "lv-requests show olga $id | lv-device sign --key olga-new.key approve $num | lv-requests answer olga"
demo_run 0 "echo $token | lv-verify olga --request $id"
