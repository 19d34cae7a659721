#!/usr/bin/env bats
load lib

@test "enrolment prints the first backup code and lv-verify accepts it once" {
	enrol alice
	[[ "$code" =~ ^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$ ]]
	run -0 lv-verify alice <<<"$code"
	[ "$output" = "" ]
	run -1 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new" ]
}
