# Shared by the security key tests (t08xx-webauthn*): the software security
# key of t/seckey.py and helpers around it. Sourced after lib.
SECKEY="$BATS_TEST_DIRNAME/seckey.py"

# seckey VERB KEYFILE [ARGS...]: t/seckey.py (see its header).
seckey() {
	python3 "$SECKEY" "$@"
}

# webauthn_conf [LINE...]: a configuration with security keys on for
# example.org (origin https://example.org), and LINEs.
webauthn_conf() {
	conf "webauthn_rp_id = example.org" "$@"
}

# key_enrol ACCOUNT KEYFILE [ALG [ARGS...]]: a new key in KEYFILE (es256
# unless ALG), registered as ACCOUNT's first method; the first backup code
# in $code. ARGS go to seckey create.
key_enrol() {
	local who=$1 kf=$2 alg=${3:-es256}
	shift 3 2>/dev/null || shift $#
	seckey new "$kf" "$alg"
	lv-enroll "$who" --key-options >"$kf.create" || return 1
	seckey create "$kf" "$@" <"$kf.create" >"$kf.answer" || return 1
	code=$(lv-enroll "$who" --key - <"$kf.answer") || return 1
}

# key_answer ACCOUNT KEYFILE [ARGS...]: login options for ACCOUNT and the
# key's assertion in KEYFILE.assert; ARGS go to seckey get.
key_answer() {
	local who=$1 kf=$2
	shift 2
	lv-verify "$who" --key-options >"$kf.get" || return 1
	seckey get "$kf" "$@" <"$kf.get" >"$kf.assert"
}

# kept ACCOUNT: the account's records as text, without what every commit
# changes (its lineage) and the failure count, for before/after compares.
kept() {
	lv-records dump "$(records "$1")" | grep -v -e '^ancestry	' -e '^commit	' -e '^generation	' -e '^fail\.'
}
