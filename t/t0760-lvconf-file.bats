#!/usr/bin/env bats
# etc/lv.conf, the configuration file the Debian package installs as
# /etc/lv/lv.conf: every key lib/lv_conf.c knows, commented out, at its
# default, so that uncommenting any of them changes nothing.
load lib

shipped="$BATS_TEST_DIRNAME/../etc/lv.conf"

# NAME<TAB>VALUE of each commented-out key line of etc/lv.conf.
shipped_keys() {
	sed -n 's/^#\([a-z_0-9]*\) =\( \(.*\)\)\{0,1\}$/\1\t\3/p' "$shipped"
}

# The default lv_conf_defaults gives the string key $1 (empty when none).
string_default() {
	sed -n '/^lv_conf_defaults/,/^}/p' "$BATS_TEST_DIRNAME/../lib/lv_conf.c" | tr -d '\n\t' | tr ';' '\n' |
		sed -n "s/^ *snprintf(c->$1, sizeof(c->$1), *\"\(.*\)\")\$/\1/p"
}

# etc/lv.conf with every key line uncommented, mode 0600, at $1.
uncommented() {
	sed 's/^#\([a-z_0-9]* =\)/\1/' "$shipped" >"$1"
	chmod 600 "$1"
}

@test "etc/lv.conf names every key lib/lv_conf.c knows, each once, and nothing else" {
	local code file
	code=$(conf_keys | cut -d' ' -f1 | sort)
	file=$(shipped_keys | cut -f1 | sort)
	[ "$(wc -l <<<"$code")" -ge 28 ]
	[ "$code" = "$file" ]
	run -1 grep -v -e '^#' -e '^$' "$shipped"
}

@test "each key in etc/lv.conf is at the default lib/lv_conf.c gives it" {
	local k t def v n=0
	while read -r k t _ def; do
		v=$(shipped_keys | awk -F '\t' -v k="$k" '$1 == k { print $2 }')
		if [ "$t" = N ]; then
			[ "$v" = "$def" ] || { echo "$k = $v in etc/lv.conf, $def in lib/lv_conf.c"; return 1; }
		else
			[ "$v" = "$(string_default "$k")" ] || { echo "$k = $v in etc/lv.conf"; return 1; }
		fi
		n=$((n + 1))
	done < <(conf_keys)
	[ "$n" -ge 28 ]
}

@test "etc/lv.conf with every key uncommented is read and accepted by the programs" {
	local every="$BATS_TEST_TMPDIR/every-key.conf"
	uncommented "$every"
	[ "$(grep -c '^[a-z_0-9]* =' "$every")" = "$(conf_keys | wc -l)" ]
	run -0 lv-enroll alice --phone +15551234567 -c "$every"
	run -0 lv-status alice -c "$every"
	[ "${lines[0]}" = "enrolled	yes" ]
	run -0 lv-expire -c "$every"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	# The file is read, not passed over: a line lv does not know is refused.
	echo "no_such_key = 1" >>"$every"
	run -78 lv-status alice -c "$every"
	[ "$output" = "lv-status: $every:$(wc -l <"$every"): unknown key no_such_key" ]
}
