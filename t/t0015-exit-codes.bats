#!/usr/bin/env bats
# SPEC's exit code table, one situation for each code the foundation can
# produce (70, an internal error, has no situation that is not a bug).
load lib

@test "0 done, 1 rejected" {
	enrol alice
	run -0 lv-verify alice <<<"$code"
	run -1 lv-verify alice <<<"$code"
}

@test "64 usage, 65 malformed input, 66 no such account" {
	enrol alice
	run -64 lv-verify alice --bogus <<<"$code"
	run -65 lv-verify alice <<<"not a code"
	run -66 lv-verify bob <<<"$code"
}

@test "69 method not available, 73 already exists" {
	enrol alice
	run -69 lv-verify alice --method totp <<<123456
	run -73 lv-enroll alice --phone +15551234567
}

@test "74 damaged records, 75 locked or limit reached" {
	enrol alice
	fail_backup alice 5
	run -75 lv-verify alice <<<123456
	for i in 1 2 3 4; do lv-backup new alice >/dev/null; done
	run -75 lv-backup new alice
	: >"$(records alice)"
	run -74 lv-verify alice <<<"$code"
}

@test "77 unsafe, 78 missing or misconfigured" {
	enrol alice
	chmod 777 "$LV_DIR"
	run -77 lv-verify alice <<<"$code"
	chmod 700 "$LV_DIR"
	conf "lock_after = many"
	run -78 lv-verify alice <<<"$code"
	rm "$LV_CONF"
	run -78 lv-verify alice -d "$LV_DIR.missing" <<<"$code"
	run -0 lv-verify alice <<<"$code"
}
