#!/usr/bin/env bats
# Logging in with a security key: lv-verify --key-options prints the options
# for navigator.credentials.get, lv-verify --method key checks the
# assertion: type, challenge (once), origin, rpIdHash, UP/UV, the signature
# with the registered key, and a sign count that grows.
load lib
load seckey

# refused_get MESSAGE [ARGS...]: alice's key k1 answers with ARGS (to
# seckey get): exit 1 with MESSAGE, the failure counted, nothing else
# changed, and the genuine answer to the same challenge still accepted.
refused_get() {
	local msg=$1
	shift
	lv-verify alice --key-options >get
	kept alice >before
	cp k1 k1.saved
	seckey get k1 "$@" <get >forged
	cp k1.saved k1
	run --separate-stderr -1 lv-verify alice --method key <forged
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: rejected: $msg" ]
	kept alice | diff before -
	[ "$(fact alice failures)" = 1 ]
	seckey get k1 "${GENUINE[@]}" <get >genuine
	run -0 lv-verify alice --method key <genuine
	[ "$(fact alice failures)" = 0 ]
}

# What the genuine answers of refused_get are made with.
GENUINE=()

setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	webauthn_conf
}

@test "the get options carry a fresh challenge, the rp id and the account's credential ids" {
	key_enrol alice k1
	run --separate-stderr -0 lv-verify alice --key-options
	echo "$output" | jq -e --arg id "$(jq -r .id k1)" \
		'.rpId == "example.org" and .allowCredentials == [{"type": "public-key", "id": $id}]'
	echo "$output" | jq -e '(.challenge | test("^[A-Za-z0-9_-]{43}$")) and .userVerification == "preferred"'
	ch=$(echo "$output" | jq -r .challenge)
	! state_bytes | grep -qF "$ch"
}

@test "an ES256 key's assertion is accepted, counted and audited" {
	key_enrol alice k1
	key_answer alice k1
	run --separate-stderr -0 lv-verify alice --method key <k1.assert
	[ "$output" = "" ] && [ "$stderr" = "" ]
	lv-status alice | grep -q '^security-key	[0-9a-f]\{8\}	security key	ES256	1	single-device	'
	grep -q ' event=verify method=key result=accept by=[^ ]* key=[0-9a-f]\{8\}$' "$(acctdir alice)/audit"
}

@test "an EdDSA key's assertion is accepted; its backup state is kept" {
	key_enrol alice k1 eddsa --be
	key_answer alice k1 --be --bs
	run -0 lv-verify alice --method key <k1.assert
	lv-status alice | grep -q '^security-key	[0-9a-f]\{8\}	security key	EdDSA	1	backed-up	'
}

@test "an RS256 key with packed self-attestation registers and logs in; a flipped signature bit is refused" {
	key_enrol alice k1 rs256 --fmt packed
	lv-status alice | grep -q '^security-key	[0-9a-f]\{8\}	security key	RS256	0	'
	refused_get "the signature does not verify with the registered key" --flip signature:2000
}

@test "an assertion is accepted once: a replayed challenge is refused" {
	key_enrol alice k1
	key_answer alice k1
	lv-verify alice --method key <k1.assert
	kept alice >before
	run -1 lv-verify alice --method key <k1.assert
	[ "$output" = "lv-verify: rejected: no challenge is pending: it was used, or none was issued (ask for the options again)" ]
	kept alice | diff before -
	[ "$(fact alice failures)" = 1 ]
}

@test "a login challenge expires after webauthn_ttl seconds" {
	key_enrol alice k1
	faketime '2030-01-01 00:00:00' lv-verify alice --key-options >get
	seckey get k1 <get >assert
	kept alice >before
	run -1 faketime '2030-01-01 00:05:10' lv-verify alice --method key <assert
	[ "$output" = "lv-verify: rejected: the challenge expired (ask for the options again)" ]
	kept alice | diff before -
	run -0 faketime '2030-01-01 00:04:50' lv-verify alice --method key <assert
}

@test "an assertion from an origin lv.conf does not allow is refused" {
	key_enrol alice k1
	refused_get "the origin is not one lv.conf allows (webauthn_origins)" --origin https://example.org.evil.example
}

@test "an assertion for another rp id is refused" {
	key_enrol alice k1
	refused_get "the key answered for another site (rpIdHash is not this rp id's)" --rp-id evil.example
}

@test "an assertion whose client data has the wrong type is refused" {
	key_enrol alice k1
	refused_get "clientDataJSON.type is not webauthn.get" --type webauthn.create
}

@test "an assertion without user presence is refused" {
	key_enrol alice k1
	refused_get "the user was not present (UP flag not set)" --no-up
}

@test "with user verification required, an assertion without UV is refused" {
	webauthn_conf "webauthn_user_verification = required"
	key_enrol alice k1 es256 --uv
	GENUINE=(--uv)
	refused_get "the user was not verified (UV flag not set) and lv.conf requires it"
	key_answer alice k1 --uv
	run -0 lv-verify alice --method key <k1.assert
}

@test "an assertion over another challenge is refused" {
	key_enrol alice k1
	refused_get "the challenge is not the one issued" --challenge AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
}

@test "a flipped bit in the signature is refused" {
	key_enrol alice k1
	refused_get "the signature does not verify with the registered key" --flip signature:100
}

@test "a flipped bit in the authenticator data is refused" {
	key_enrol alice k1
	refused_get "the key answered for another site (rpIdHash is not this rp id's)" --flip authenticatorData:7
	refused_get "the user was not present (UP flag not set)" --flip authenticatorData:256
	# The UV flag and the sign count are signed too.
	refused_get "the signature does not verify with the registered key" --flip authenticatorData:258
	refused_get "the signature does not verify with the registered key" --flip authenticatorData:290
}

@test "a flipped bit in the client data is refused" {
	key_enrol alice k1
	# In the origin's text, and in a member no rule reads: the signature covers both.
	refused_get "the origin is not one lv.conf allows (webauthn_origins)" --flip clientDataJSON:$((8 * 102))
	lv-verify alice --key-options >get
	seckey get k1 <get >genuine
	python3 -c '
import base64, json, sys
a = json.load(open(sys.argv[1]))
cd = base64.urlsafe_b64decode(a["response"]["clientDataJSON"] + "==")
cd = cd[:-1] + b",\"x\":1}"
a["response"]["clientDataJSON"] = base64.urlsafe_b64encode(cd).rstrip(b"=").decode()
print(json.dumps(a))' genuine >forged
	run -1 lv-verify alice --method key <forged
	[ "$output" = "lv-verify: rejected: the signature does not verify with the registered key" ]
	run -0 lv-verify alice --method key <genuine
}

@test "another account's key is refused for this account" {
	key_enrol alice k1
	key_enrol bob k2
	lv-verify alice --key-options >get
	seckey get k2 <get >assert
	kept alice >before
	run -1 lv-verify alice --method key <assert
	[ "$output" = "lv-verify: rejected: this security key is not registered for this account" ]
	kept alice | diff before -
	[ "$(fact alice failures)" = 1 ]
}

@test "a user handle other than the account's is refused" {
	key_enrol alice k1
	refused_get "the userHandle is not this account's" --user-handle AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
	uh=$(jq -r .user.id k1.create)
	# With "=": a random handle begins with "-" one time in 64.
	key_answer alice k1 --user-handle="$uh"
	run -0 lv-verify alice --method key <k1.assert
}

@test "a sign count that does not increase is refused and notified as a possible clone" {
	webauthn_conf "notify = $(notifier)"
	key_enrol alice k1
	key_answer alice k1 --count 5
	lv-verify alice --method key <k1.assert
	refused_get "the sign count did not increase: the key may have been cloned (lv-status shows its count)" --count 5
	grep -qx key-cloned notified
	grep -q '^A security key of alice gave a sign count that did not increase: it may have been cloned (key=[0-9a-f]\{8\} sign-count-decreased). The login was refused.$' notified
	key_answer alice k1 --count 0
	run -1 lv-verify alice --method key <k1.assert
	lv-status alice | grep -q '^security-key	[0-9a-f]\{8\}	security key	ES256	6	'
}

@test "a key that counts nothing (zero each time) stays accepted" {
	key_enrol alice k1
	key_answer alice k1 --count 0
	run -0 lv-verify alice --method key <k1.assert
	key_answer alice k1 --count 0
	run -0 lv-verify alice --method key <k1.assert
}

@test "a key's answer is checked while the account is locked; a success clears the lock" {
	webauthn_conf "lock_after = 2"
	key_enrol alice k1
	lv-enroll --update alice --phone +15551234567
	fail_backup alice 3
	run -75 lv-verify alice <<<123456
	key_answer alice k1
	run -0 lv-verify alice --method key <k1.assert
	[ "$(fact alice failures)" = 0 ] && [ "$(fact alice locked-until)" = no ]
}

@test "forged assertions count as failures and lock out 6-digit answers" {
	webauthn_conf "lock_after = 2"
	key_enrol alice k1
	lv-enroll --update alice --phone +15551234567
	for i in 1 2; do
		key_answer alice k1 --flip signature:100
		run -1 lv-verify alice --method key <k1.assert
	done
	run -75 lv-verify alice <<<123456
}

@test "a third-party client cannot answer with a security key" {
	key_enrol alice k1
	key_answer alice k1
	run -1 lv-verify alice --method key --client third-party <k1.assert
	[ "$output" = "lv-verify: rejected: third-party clients accept only a temporary password (lv-temppass); security keys are for the site's own login" ]
	[ "$(fact alice third-party-failures)" = 1 ]
}

@test "an account without a key: --key-options and --method key exit 69" {
	enrol alice
	run -69 lv-verify alice --key-options
	[ "$output" = "lv-verify: alice has no security key" ]
	key_enrol bob k2
	key_answer bob k2
	run -69 lv-verify alice --method key <k2.assert
	[ "$output" = "lv-verify: alice has no security key" ]
}

@test "malformed assertions exit 65 and count nothing" {
	key_enrol alice k1
	key_answer alice k1
	jq 'del(.response.signature)' k1.assert >a
	run -65 lv-verify alice --method key <a
	[ "$output" = "lv-verify: malformed security key answer: response.signature missing or not base64url" ]
	jq '.response.authenticatorData += "="' k1.assert >a
	run -65 lv-verify alice --method key <a
	[ "$output" = "lv-verify: malformed security key answer: response.authenticatorData missing or not base64url" ]
	printf '%s\n' "$(cat k1.assert)" "{}" >a
	run -65 lv-verify alice --method key <a
	[ "$output" = "lv-verify: malformed security key answer: not one JSON object" ]
	[ "$(fact alice failures)" = 0 ]
	run -0 lv-verify alice --method key <k1.assert
}

@test "--key-options takes no other option; --method key is listed in the usage" {
	run -64 lv-verify alice --key-options --method key
	run -64 lv-verify alice --method fido
	[[ "$output" == *"--method is one of auto, sms, totp, backup, temp, key"* ]]
}

# LD_DEBUG=files: ld.so's record of the libraries a run loaded, in FILE.PID.
@test "libfido2 and its libcrypto are loaded only to check a key's answer, never by a code's login" {
	local p
	for p in $FOUNDATION lv-sendcode lv-requests lv-temppass lv-expire lv-device; do
		! readelf -d "$(command -v "$p")" | grep -E 'NEEDED.*(libfido2|libcrypto)'
	done
	key_enrol alice k1
	LD_DEBUG=files LD_DEBUG_OUTPUT="$PWD/ld.code" lv-verify alice <<<"$code"
	grep -q 'file=libsodium' ld.code.*
	! grep -E 'libfido2|libcrypto' ld.code.*
	key_answer alice k1
	LD_DEBUG=files LD_DEBUG_OUTPUT="$PWD/ld.key" lv-verify alice --method key <k1.assert
	# by lv-verify, or under ASan by its runtime, which intercepts dlopen
	grep -q 'file=libfido2\.so\.1 \[0\];  dynamically loaded by ' ld.key.*
}

@test "without a whole libfido2 a key's answer is 69, uncounted, and the records unchanged" {
	key_enrol alice k1
	lv-enroll --update alice --key-options >opts
	seckey new k2 es256
	seckey create k2 <opts >answer
	key_answer alice k1
	mkdir lib
	${CC:-cc} -shared -fPIC -Wl,-soname,libfido2.so.1 -o lib/libfido2.so.1 -x c /dev/null
	kept alice >before
	run --separate-stderr -69 env LD_LIBRARY_PATH="$PWD/lib" lv-verify alice --method key <k1.assert
	[ "$output" = "" ]
	[ "$stderr" = "lv-verify: security keys need fido_cred_new from libfido2.so.1, which lacks it" ]
	printf 'not ELF' >lib/libfido2.so.1
	run --separate-stderr -69 env LD_LIBRARY_PATH="$PWD/lib" lv-enroll --update alice --key - <answer
	[ "$stderr" = "lv-enroll: security keys need libfido2.so.1 (Debian package libfido2-1), which cannot be loaded: $PWD/lib/libfido2.so.1: file too short" ]
	kept alice | diff before -
	[ "$(fact alice failures)" = 0 ]
	run -0 lv-verify alice --method key <k1.assert
	run -0 lv-enroll --update alice --key - <answer
}
