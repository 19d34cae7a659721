# shellcheck shell=sh
# Part of the lv demo, sourced by share/lv/demo (see there for demo_*):
# 8. the push notification did not arrive: the app lists the requests and
#    approves (or denies); or the login falls back to a code by SMS.

# push_request [ARGS...]: a login asks pete's phone to approve it; leaves
# the request's id, number and token in $id, $num and $token.
push_request() {
	demo_run 0 "lv-requests new pete --ip 192.0.2.7 --client 'Firefox on Linux' --location Berlin${1:+ $*}"
	id=$(demo_field 1)
	num=$(demo_field 2)
	token=$(demo_field 3)
	demo_say "The login screen says: \"Pick $num on your phone.\""
}

demo_head "8. I didn't receive the push notification"
demo_say "Pete approves his logins in his phone's app, and has his number on file too."
demo_run 0 "lv-device keygen --key pete.key | lv-enroll pete --device-key - --phone +15550100077"
demo_say "He logs in. The push service is down (its command, --exec, fails), but the request is made all the same:"
push_request "--exec /bin/false"
demo_said "stays listed"
demo_say "No notification arrives, so in the app he pulls to refresh: the recent requests, newest first. He checks where it comes from, picks $num and approves:"
demo_run 0 "lv-requests list pete"
demo_run 0 "lv-requests show pete $id | lv-device sign --key pete.key approve $num | lv-requests answer pete"
demo_say "The login session, holding the token, learns the answer and lets him in (exit 0). An approval works once:"
demo_run 0 "echo $token | lv-verify pete --request $id --wait 30"
demo_run 1 "echo $token | lv-verify pete --request $id"
demo_say "A login that is not his: he denies it, and the login is refused (exit 1)."
push_request
demo_run 0 "lv-requests show pete $id | lv-device sign --key pete.key deny $num | lv-requests answer pete"
demo_run 1 "echo $token | lv-verify pete --request $id"
demo_say "Someone else's login, approved in a hurry with the wrong number: it counts as a denial and a failure, and the notify command warns him."
push_request
demo_run 0 "lv-requests show pete $id | lv-device sign --key pete.key approve $((num == 42 ? 43 : 42)) | lv-requests answer pete"
demo_run 1 "echo $token | lv-verify pete --request $id"
demo_say "Later his phone has no data connection at all, so no push can reach the app. The login offers a code by SMS instead:"
demo_run 0 "lv-sendcode pete"
demo_run 0 "echo $(demo_out | sed -n 's/.*code: \([0-9]\{6\}\)\..*/\1/p') | lv-verify pete"
