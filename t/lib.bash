# Shared by every test file: a fresh state directory per test, the fresh
# binaries first on PATH (t/run sets it), and small helpers.
bats_require_minimum_version 1.5.0

setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# enrol ACCOUNT [ARGS...]: enrols with a phone unless ARGS say otherwise and
# leaves the first backup code in $code.
enrol() {
	local who=$1
	shift
	[ $# -gt 0 ] || set -- --phone +15551234567
	code=$(lv-enroll "$who" "$@") || return 1
}

# The directory of an account, for tests that look inside the store.
acctdir() {
	local d
	d=$(find "$LV_DIR" -mindepth 3 -maxdepth 3 -type d -name "$1")
	[ -n "$d" ] && echo "$d"
}

# A faketime wrapper: at OFFSET COMMAND..., with OFFSET like +130s from now.
at() {
	local when=$1
	shift
	faketime -f "$when" "$@"
}

# Every byte of the state directory, as text, to grep for secrets.
state_bytes() {
	find "$LV_DIR" -type f -exec cat {} + | tr -c '[:print:]\n' '.'
}
