#!/usr/bin/env bats
# The man pages: mandoc lint is silent, and each program has its page with
# the sections a reader looks for.
load lib

@test "every page in doc/ passes mandoc -T lint -W warning silently" {
	local n=0
	for m in "$BATS_TEST_DIRNAME"/../doc/*.[1-8]; do
		run -0 mandoc -T lint -W warning "$m"
		[ "$output" = "" ]
		n=$((n + 1))
	done
	[ "$n" -ge 9 ]
}

@test "every program of the foundation has a page with the usual sections" {
	for p in $FOUNDATION; do
		local m="$BATS_TEST_DIRNAME/../doc/$p.1"
		[ -f "$m" ]
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -qx "\.Sh $s" "$m"
		done
	done
	for m in lv.7 lv.conf.5 lv-state.5; do
		[ -f "$BATS_TEST_DIRNAME/../doc/$m" ]
	done
}

@test "lv.conf(5) documents every key of lib/lv_conf.c with its default" {
	local keys
	keys=$(sed -n '/keys\[\] = {/,/^};/p' "$BATS_TEST_DIRNAME/../lib/lv_conf.c" |
		grep -o '[SN]([a-z_0-9]*' | cut -c3- | sort -u)
	[ "$(wc -w <<<"$keys")" -ge 27 ]
	for k in $keys; do
		# The key's entry, up to the next one, names its default.
		awk -v k="$k" '$0 ~ "^\\.It Cm " k " No = " { on = 1; next }
			/^\.(It|El)/ { on = 0 } on && /Default/ { found = 1 }
			END { exit !found }' "$BATS_TEST_DIRNAME/../doc/lv.conf.5"
	done
}

@test "lv(7) has the exit status table of every code the programs use" {
	for c in 0 1 64 65 66 69 70 73 74 75 77 78; do
		grep -qx "\.It $c" "$BATS_TEST_DIRNAME/../doc/lv.7"
	done
}
