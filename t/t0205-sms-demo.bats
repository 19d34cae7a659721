#!/usr/bin/env bats
# The demo's SMS part runs alone, and every step behaves as it shows.
load lib

@test "the SMS demo part shows the resend wait, the late code and a phone change" {
	run -0 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/20-sms.sh"
	[[ "$output" == *"== I didn't receive the SMS =="* ]]
	[[ "$output" == *"== I changed my phone number =="* ]]
	# The clock's second may tick between the two sends: 90 or 91 s.
	[[ "$output" =~ $'\n'"lv-sendcode: resend too soon: the last code was sent 9"[01]" s ago and may still arrive; wait "(30|29)" s before asking for another"$'\n(exit 75)\n' ]]
	run -0 sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/20-sms.sh"
	[[ "$output" == *'$ lv-enroll dana2 --phone +15550100042'* ]]
	run -0 shellcheck -s sh "$BATS_TEST_DIRNAME/../share/lv/demo.d/20-sms.sh"
}
