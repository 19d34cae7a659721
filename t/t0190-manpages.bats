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

@test "every program, lv(7), lv.conf(5), lv-state(5), pam_lv(8) and lv-login(8) have a page with the usual sections" {
	local pages="lv.7 lv.conf.5 lv-state.5 pam_lv.8 lv-login.8" c m s n=0
	for c in "$BATS_TEST_DIRNAME"/../cmd/lv-*.c; do
		c=${c##*/}
		pages="$pages ${c%.c}.1"
	done
	for m in $pages; do
		[ -f "$BATS_TEST_DIRNAME/../doc/$m" ] || { echo "no page $m"; return 1; }
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -qx "\.Sh $s" "$BATS_TEST_DIRNAME/../doc/$m" || { echo "$m: no $s"; return 1; }
		done
		n=$((n + 1))
	done
	[ "$n" -ge 13 ]
}

@test "every lv page a page refers to is in doc/" {
	local ref
	# lv-expire(1) comes with lv-expire, written apart.
	for ref in $(cat "$BATS_TEST_DIRNAME"/../doc/*.[1-8] | sed -n 's/^\.Xr \(lv[-.a-z]*\|pam_lv\) \([1-8]\).*/\1.\2/p' | sort -u); do
		[ "$ref" = lv-expire.1 ] || [ -f "$BATS_TEST_DIRNAME/../doc/$ref" ] || { echo "no page $ref"; return 1; }
	done
}

# The text of one key's entry in lv.conf(5), on one line.
conf_entry() {
	awk -v k="$1" '$0 ~ "^\\.It Cm " k " No = " { on = 1; next }
		/^\.It Cm [a-z_0-9]+ No = / || /^\.S[hs] / { on = 0 }
		on { printf "%s ", $0 }' "$BATS_TEST_DIRNAME/../doc/lv.conf.5"
}

@test "lv.conf(5) documents exactly the keys of lib/lv_conf.c" {
	local code doc
	code=$(conf_keys | cut -d' ' -f1 | sort)
	doc=$(sed -n 's/^\.It Cm \([a-z_0-9]*\) No = .*/\1/p' "$BATS_TEST_DIRNAME/../doc/lv.conf.5" | sort)
	[ "$(wc -l <<<"$code")" -ge 27 ]
	[ "$code" = "$doc" ]
}

@test "lv.conf(5) gives each number's default and maximum as lib/lv_conf.c has them" {
	local k t max def e n=0
	while read -r k t max def; do
		e=$(conf_entry "$k")
		[[ "$e" == *Default* ]] || { echo "no default for $k"; return 1; }
		[ "$t" = N ] || continue
		[[ "$e" =~ Default\ $def[^0-9] ]] || { echo "$k: default $def not in: $e"; return 1; }
		[ "$max" = 1 ] || [[ "$e" =~ at\ most\ $max[^0-9] ]] || { echo "$k: maximum $max not in: $e"; return 1; }
		n=$((n + 1))
	done < <(conf_keys)
	[ "$n" -ge 19 ]
}

@test "lv(7) has the exit status table of every code the programs use" {
	for c in 0 1 64 65 66 69 70 73 74 75 77 78; do
		grep -qx "\.It $c" "$BATS_TEST_DIRNAME/../doc/lv.7"
	done
}
