#!/usr/bin/env bats
# Registering a security key (WebAuthn): lv-enroll --key-options prints the
# options for navigator.credentials.create, lv-enroll --key - checks the
# answer by the relying-party rules of WebAuthn Level 2.
load lib
load seckey

# refused_create ACCOUNT MESSAGE [ARGS...]: an answer made with ARGS (to
# seckey create) exits 1 with MESSAGE; the records are as before.
refused_create() {
	local who=$1 msg=$2
	shift 2
	kept "$who" >before
	lv-enroll --update "$who" --key-options >opts
	kept "$who" >issued
	seckey new k2 es256
	seckey create k2 "$@" <opts >answer
	run --separate-stderr -1 lv-enroll --update "$who" --key - <answer
	[ "$output" = "" ]
	[ "$stderr" = "lv-enroll: rejected: $msg" ]
	kept "$who" | diff issued -
	[ "$(lv-status "$who" | grep -c '^security-key')" = 1 ]
}

@test "the create options name the site, a user handle that is not the account, a fresh challenge and ES256, EdDSA, RS256" {
	webauthn_conf "webauthn_rp_name = Example"
	run --separate-stderr -0 lv-enroll alice --key-options
	[ "$stderr" = "" ]
	echo "$output" | jq -e '.rp == {"id": "example.org", "name": "Example"}'
	echo "$output" | jq -e '.user.name == "alice" and .user.displayName == "alice"'
	echo "$output" | jq -e '(.user.id | test("^[A-Za-z0-9_-]{43}$")) and (.challenge | test("^[A-Za-z0-9_-]{43}$"))'
	echo "$output" | jq -e '[.pubKeyCredParams[].alg] == [-7, -8, -257]'
	echo "$output" | jq -e '.attestation == "none" and .timeout == 300000 and .excludeCredentials == []'
	echo "$output" | jq -e '.authenticatorSelection.userVerification == "preferred"'
	# Only the challenge's keyed hash is kept.
	ch=$(echo "$output" | jq -r .challenge)
	! state_bytes | grep -qF "$ch"
}

@test "an ES256 key with attestation none enrols an account and prints the first backup code" {
	webauthn_conf
	key_enrol alice k1 es256
	[[ "$code" =~ ^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$ ]]
	run -0 lv-status alice
	re=$'^security-key\t[0-9a-f]{8}\tsecurity key\tES256\t0\tsingle-device\t[0-9T:-]+Z$'
	[[ "${lines[2]}" =~ $re ]]
	run -0 lv-verify alice --methods
	[ "$output" = "$(printf 'key\nbackup')" ]
	grep -q ' event=enrol method=key result=ok by=[^ ]* key=[0-9a-f]\{8\}$' "$(acctdir alice)/audit"
}

@test "an EdDSA key with packed self-attestation registers, with its label" {
	webauthn_conf
	enrol alice
	seckey new k1 eddsa
	lv-enroll --update alice --key-options >opts
	seckey create k1 --fmt packed --be <opts >answer
	run --separate-stderr -0 lv-enroll --update alice --key - --label "red key" <answer
	[ "$output" = "" ] && [ "$stderr" = "" ]
	lv-status alice | grep -q '^security-key	[0-9a-f]\{8\}	red key	EdDSA	0	eligible	'
}

@test "an ES256 packed self-attestation registers; one signed over other bytes is refused" {
	webauthn_conf
	key_enrol alice k1 es256 --fmt packed
	refused_create alice "packed self-attestation signature does not verify" --fmt packed --flip signature:9
}

@test "a second registration of the same key exits 73 and the options exclude it" {
	webauthn_conf
	key_enrol alice k1
	lv-enroll --update alice --key-options >opts
	jq -e --arg id "$(jq -r .id k1.answer)" '.excludeCredentials == [{"type": "public-key", "id": $id}]' opts
	seckey create k1 <opts >again
	run -73 lv-enroll --update alice --key - <again
	[[ "$output" =~ ^lv-enroll:\ security\ key\ [0-9a-f]{8}\ is\ registered\ already\ for\ alice$ ]]
}

@test "a registration from an origin lv.conf does not allow is refused" {
	webauthn_conf
	key_enrol alice k1
	refused_create alice "the origin is not one lv.conf allows (webauthn_origins)" --origin https://evil.example
}

@test "webauthn_origins lists the allowed origins" {
	webauthn_conf "webauthn_origins = https://login.example.org https://example.org:8443"
	key_enrol alice k1 es256 --origin https://example.org:8443
	refused_create alice "the origin is not one lv.conf allows (webauthn_origins)" --origin https://example.org
}

@test "a registration for another rp id is refused" {
	webauthn_conf
	key_enrol alice k1
	refused_create alice "the key answered for another site (rpIdHash is not this rp id's)" --rp-id evil.example
}

@test "a registration whose client data has the wrong type is refused" {
	webauthn_conf
	key_enrol alice k1
	refused_create alice "clientDataJSON.type is not webauthn.create" --type webauthn.get
}

@test "a registration without user presence is refused" {
	webauthn_conf
	key_enrol alice k1
	refused_create alice "the user was not present (UP flag not set)" --no-up
}

@test "with user verification required, a registration without UV is refused and one with it accepted" {
	webauthn_conf "webauthn_user_verification = required"
	key_enrol alice k1 es256 --uv
	refused_create alice "the user was not verified (UV flag not set) and lv.conf requires it"
	lv-enroll --update alice --key-options | jq -e '.authenticatorSelection.userVerification == "required"'
}

@test "a registration embedded in another site's page (crossOrigin) is refused" {
	webauthn_conf
	key_enrol alice k1
	refused_create alice "the page was embedded in another site's (crossOrigin)" --cross-origin
}

@test "a registration with another challenge is refused" {
	webauthn_conf
	key_enrol alice k1
	refused_create alice "the challenge is not the one issued" --challenge AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
}

@test "a flipped bit in the authenticator data of a registration is refused" {
	webauthn_conf
	key_enrol alice k1
	# The rpIdHash, then the UP flag.
	refused_create alice "the key answered for another site (rpIdHash is not this rp id's)" --flip authenticatorData:0
	refused_create alice "the user was not present (UP flag not set)" --flip authenticatorData:256
}

@test "a registration answer is accepted once: its challenge is spent" {
	webauthn_conf
	key_enrol alice k1
	seckey new k2 es256
	lv-enroll --update alice --key-options >opts
	seckey create k2 <opts >answer
	lv-enroll --update alice --key - <answer
	seckey new k3 es256
	seckey create k3 <opts >replay
	kept alice >before
	run -1 lv-enroll --update alice --key - <replay
	[ "$output" = "lv-enroll: rejected: no challenge is pending: it was used, or none was issued (ask for the options again)" ]
	kept alice | diff before -
}

@test "a registration challenge expires after webauthn_ttl seconds" {
	webauthn_conf "webauthn_ttl = 60"
	key_enrol alice k1
	# Each step starts at a set instant (then the clock runs): the software key
	# is slow to start, and a loaded machine slower still.
	faketime '2030-01-01 00:00:00' lv-enroll --update alice --key-options >opts
	seckey new k2 es256
	seckey create k2 <opts >answer
	kept alice >before
	run -1 faketime '2030-01-01 00:01:10' lv-enroll --update alice --key - <answer
	[ "$output" = "lv-enroll: rejected: the challenge expired (ask for the options again)" ]
	kept alice | diff before -
	run -0 faketime '2030-01-01 00:00:50' lv-enroll --update alice --key - <answer
}

@test "a login challenge does not register a key" {
	webauthn_conf
	key_enrol alice k1
	lv-verify alice --key-options >get
	seckey new k2 es256
	jq '. + {"rp": {"id": "example.org"}}' get | seckey create k2 >answer
	run -1 lv-enroll --update alice --key - <answer
	[ "$output" = "lv-enroll: rejected: no challenge is pending: it was used, or none was issued (ask for the options again)" ]
}

@test "answers that are not a PublicKeyCredential's JSON exit 65 before anything is read" {
	webauthn_conf
	key_enrol alice k1
	run -65 lv-enroll --update alice --key - <<<'not json'
	[ "$output" = "lv-enroll: malformed security key answer: not one JSON object" ]
	jq '.type = "password"' k1.answer >a
	run -65 lv-enroll --update alice --key - <a
	[ "$output" = 'lv-enroll: malformed security key answer: type is not "public-key"' ]
	jq '.response.attestationObject = "a+b/"' k1.answer >a
	run -65 lv-enroll --update alice --key - <a
	[ "$output" = "lv-enroll: malformed security key answer: response.attestationObject missing or not base64url" ]
	jq '.id = "AAAA"' k1.answer >a
	run -65 lv-enroll --update alice --key - <a
	[ "$output" = "lv-enroll: malformed security key answer: id is not rawId" ]
	head -c 20000 /dev/zero | tr '\0' ' ' >big
	run -65 lv-enroll --update alice --key - <big
	[ "$output" = "lv-enroll: malformed security key answer: at most 16384 bytes of JSON expected" ]
}

@test "without webauthn_rp_id security keys are off (78)" {
	run -78 lv-enroll alice --key-options
	[ "$output" = "lv-enroll: security keys are off: lv.conf sets no webauthn_rp_id" ]
	webauthn_conf "webauthn_user_verification = always"
	run -78 lv-enroll alice --key-options
	[ "$output" = "lv-enroll: webauthn_user_verification is required, preferred or discouraged" ]
}

@test "--key-options on an enrolled account needs --update; with --update an enrolled account" {
	webauthn_conf
	run -66 lv-enroll --update alice --key-options
	enrol alice
	run -73 lv-enroll alice --key-options
	[ "$output" = "lv-enroll: alice is enrolled already (use --update to change a method)" ]
	run -64 lv-enroll --update alice --key-options --phone +15551234567
	run -64 lv-enroll --update alice --key x
}

@test "adding a key is notified" {
	webauthn_conf "notify = $(notifier)"
	key_enrol alice k1
	seckey new k2 es256
	lv-enroll --update alice --key-options >opts
	seckey create k2 <opts >answer
	lv-enroll --update alice --key - <answer
	grep -q '^A new security key ([0-9a-f]\{8\}) can now log in as alice.$' notified
	grep -qx key-added notified
}
