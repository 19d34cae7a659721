#!/usr/bin/env bats
# Device keys: keygen, enrolment, the encrypted backup, lost devices, sign-out.
load lib

push() {
	local out
	out=$(lv-requests new "$@") || return 1
	IFS=$'\t' read -r id num tok <<<"$out"
}

answer() {
	lv-requests show "$1" "$id" | lv-device sign --key "$2" "$3" "$4"
}

# flip C: another base64 character, differing from C in its lowest bit
flip() {
	local b64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ i
	i=${b64%%"$1"*}
	echo "${b64:$((${#i} ^ 1)):1}"
}

# devid N ACCOUNT: the id of the account's Nth device in enrolment order
devid() {
	lv-status "$2" | awk -F'\t' -v n="$1" '$1 == "device" && ++i == n { print $2 }'
}

@test "keygen makes a 0600 key file, prints the public key, and never overwrites" {
	run -0 --separate-stderr lv-device keygen --key phone.key
	[[ "$output" =~ ^[A-Za-z0-9+/]{43}=$ ]]
	[ "$(stat -c %a phone.key)" = 600 ]
	before=$(cat phone.key)
	run -73 lv-device keygen --key phone.key
	[ "$output" = "lv-device: key file phone.key exists: not overwritten" ]
	[ "$(cat phone.key)" = "$before" ]
	ln -s nowhere link.key
	run -73 lv-device keygen --key link.key
	[ ! -e nowhere ]
	chmod 644 phone.key
	run -77 lv-device signout --key phone.key alice
	[ "$output" = "lv-device: unsafe key file phone.key: mode 0644 lets others read it" ]
}

@test "enrolling a device key: strict base64, no duplicates, at most 5" {
	device phone
	pub=$(cat phone.pub)
	run -65 lv-enroll alice --device-key - <<<"${pub:0:42}$(flip "${pub:42:1}")="
	[ "$output" = "lv-enroll: malformed device key: one line of base64 (lv-device keygen) expected" ]
	run -65 lv-enroll alice --device-key - <<<"${pub%=}"
	run -65 lv-enroll alice --device-key - <<<"$pub$pub"
	enrol alice --device-key - <phone.pub
	run -73 lv-enroll --update alice --device-key - <phone.pub
	[[ "$output" =~ ^"lv-enroll: device "[0-9a-f]{8}" is enrolled already for alice"$ ]]
	for n in 2 3 4 5; do
		device "d$n"
		lv-enroll --update alice --device-key - <"d$n.pub"
	done
	device d6
	run -75 lv-enroll --update alice --device-key - <d6.pub
	[ "$output" = "lv-enroll: alice has 5 devices, the most allowed: remove one first (lv-unenroll --device ID)" ]
	[ "$(lv-status alice | grep -c '^device')" = 5 ]
}

@test "a new phone with the key restored from its encrypted backup approves a login" {
	device old
	enrol alice --device-key - <old.pub
	printf 'correct horse battery\n' | lv-device export --key old.key --kdf interactive >backup
	[[ "$(cat backup)" =~ ^[A-Za-z0-9+/]{131}=$ ]]
	run -1 grep -qF "$(cat old.key)" backup
	rm old.key
	run -0 lv-device import --key new.key < <(printf 'correct horse battery\n%s\n' "$(cat backup)")
	[ "$output" = "$(cat old.pub)" ]
	[ "$(stat -c %a new.key)" = 600 ]
	push alice
	answer alice new.key approve "$num" | lv-requests answer alice
	run -0 lv-verify alice --request "$id" <<<"$tok"
}

@test "import: a wrong passphrase exits 1 and writes nothing; bad input 65; an existing file 73" {
	device phone
	printf 'correct horse battery\n' | lv-device export --key phone.key --kdf interactive >backup
	run -1 lv-device import --key new.key < <(printf 'wrong horse battery\n%s\n' "$(cat backup)")
	[ "$output" = "lv-device: wrong passphrase (or a changed backup): nothing written" ]
	[ ! -e new.key ]
	b=$(cat backup)
	run -1 lv-device import --key new.key < <(printf 'correct horse battery\n%s\n' "${b:0:100}$(flip "${b:100:1}")${b:101}")
	[ ! -e new.key ]
	run -65 lv-device import --key new.key < <(printf 'correct horse battery\n%s\n' "${b:0:131}")
	[ "$output" = "lv-device: malformed sealed key: one line of lv-device export expected" ]
	run -65 lv-device import --key new.key <<<"correct horse battery"
	run -73 lv-device import --key phone.key < <(printf 'correct horse battery\n%s\n' "$b")
	run -65 lv-device export --key phone.key <<<"short"
	[ "$output" = "lv-device: bad passphrase: one line of at least 8 printable characters expected" ]
	run -64 lv-device import --key new.key --kdf interactive
	[ ! -e new.key ]
}

@test "a removed lost device can no longer approve; the other one still can" {
	device lost
	device spare
	enrol alice --device-key - <lost.pub
	lv-enroll --update alice --device-key - <spare.pub
	lostid=$(devid 1 alice)
	push alice
	answer alice lost.key approve "$num" >lost.line
	run -0 lv-unenroll alice --device "$lostid" --reason "phone lost"
	run -69 lv-unenroll alice --device "$lostid" --reason "phone lost"
	[ "$output" = "lv-unenroll: alice has no device $lostid (lv-status lists them)" ]
	run -1 lv-requests answer alice <lost.line
	[ "$output" = "lv-requests: rejected: bad signature, or a key that is not enrolled for this account" ]
	answer alice spare.key approve "$num" | lv-requests answer alice
	run -0 lv-verify alice --request "$id" <<<"$tok"
	[ "$(lv-status alice | grep -c '^device')" = 1 ]
}

@test "removing the last device turns verification off" {
	device phone
	enrol alice --device-key - <phone.pub
	run -0 lv-unenroll alice --device "$(devid 1 alice)" --reason "phone lost"
	run -66 lv-status alice
	[[ "$output" =~ $'\n'disabled$'\t'.*$'\t'"last method removed: phone lost"$ ]]
	run -66 lv-requests new alice
}

@test "signing out of the enrolling device turns verification off" {
	device first
	device second
	enrol alice --device-key - <first.pub
	lv-enroll --update alice --device-key - <second.pub
	firstid=$(devid 1 alice)
	run -1 bash -c "lv-device signout --key second.key alice | lv-unenroll alice --signed-out"
	[ "$output" = "lv-unenroll: sign-out statement is signed by device $(devid 2 alice), not the enrolling device $firstid" ]
	device stranger
	run -1 bash -c "lv-device signout --key stranger.key alice | lv-unenroll alice --signed-out"
	[ "$output" = "lv-unenroll: bad signature on the sign-out statement (not the enrolling device $firstid)" ]
	run -1 bash -c "lv-device signout --key first.key bob | lv-unenroll alice --signed-out"
	[ "$output" = "lv-unenroll: sign-out statement is for bob, not alice" ]
	run -0 bash -c "lv-device signout --key first.key alice | lv-unenroll alice --signed-out"
	run -66 lv-status alice
	[[ "$output" =~ $'\n'disabled$'\t'[0-9TZ:-]{20}$'\t'"device $firstid"$'\t' ]]
}

@test "a stale, future or replayed sign-out statement is refused" {
	device phone
	enrol alice --device-key - <phone.pub
	at -601s lv-device signout --key phone.key alice >stale
	run -1 lv-unenroll alice --signed-out <stale
	[ "$output" = "lv-unenroll: sign-out statement is older than 600 s: sign a fresh one" ]
	at +120s lv-device signout --key phone.key alice >future
	run -1 lv-unenroll alice --signed-out <future
	[ "$output" = "lv-unenroll: sign-out statement is dated in the future: check the device's clock" ]
	at -10s lv-device signout --key phone.key alice >fresh
	run -0 lv-unenroll alice --signed-out <fresh
	enrol alice --device-key - <phone.pub
	run -1 lv-unenroll alice --signed-out <fresh
	[ "$output" = "lv-unenroll: sign-out statement was used already (replayed)" ]
	run -65 lv-unenroll alice --signed-out <<<"lv1-signout	alice	yesterday	AAAA"
	[ "$output" = "lv-unenroll: malformed sign-out statement: lv1-signout<TAB>ACCOUNT<TAB>TIME<TAB>SIGNATURE expected" ]
	[ "$(lv-status alice | head -1)" = "enrolled	yes" ]
}

@test "when the enrolling device is removed, the next one enrolled becomes the enrolling device" {
	device first
	device second
	enrol alice --device-key - <first.pub
	lv-enroll --update alice --device-key - <second.pub
	secondid=$(devid 2 alice)
	lv-unenroll alice --device "$(devid 1 alice)" --reason "phone lost"
	[ "$(lv-status alice | grep '^device')" = "device	$secondid	$(lv-status alice | awk -F'\t' '$1 == "device" { print $3 }')	enrolling" ]
	run -0 bash -c "lv-device signout --key second.key alice | lv-unenroll alice --signed-out"
}

@test "sign reads one lv1-request line; anything else is 65; bad verbs and numbers are refused" {
	device phone
	run -65 lv-device sign --key phone.key approve 42 <<<"hello"
	[ "$output" = "lv-device: malformed request: one lv1-request line (lv-requests show) expected" ]
	run -64 lv-device sign --key phone.key maybe 42 </dev/null
	run -65 lv-device sign --key phone.key approve 4 </dev/null
	run -64 lv-device sign approve 42 </dev/null
	run -64 lv-device keygen --key a.key extra
	run -0 lv-device --help
	[[ "$output" =~ ^"usage: lv-device keygen --key FILE" ]]
	run -66 lv-device signout --key none.key alice
	[ "$output" = "lv-device: no key file none.key (lv-device keygen makes one)" ]
}

@test "the signed bytes are the documented ones: the test vectors of lv-requests(1)" {
	printf 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n' >zero.key
	chmod 600 zero.key
	chal=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
	run -0 lv-device sign --key zero.key approve 42 \
		<<<"lv1-request	alice	0123456789ab	$chal	2026-01-01T00:00:00Z	192.0.2.7	Firefox on Linux	Berlin"
	[ "$output" = "lv1-answer	alice	0123456789ab	$chal	approve	42	U6JTAlmjSPmPIH4qxMTeKOjfo7cCJwo+RMe2uijBZgjbWpbhVTLsn3kku1kpYcG8xp5YLAhlbIEZfl8boQHSAQ==" ]
	run -0 env TZ=UTC faketime -f "2026-01-01 00:05:00" lv-device signout --key zero.key alice
	[ "$output" = "lv1-signout	alice	2026-01-01T00:05:00Z	bNehwej+Q0ohDUZgN1WUmLd7tytDmrwo0zSpJl/fN75Q+RXGNG+c+KMLRGrhJNzOiIwtyZIInY/FINNw8ZSmBw==" ]
	run -0 env TZ=UTC faketime -f "2026-01-01 00:00:00" lv-device signout --key zero.key alice
	[ "$output" = "lv1-signout	alice	2026-01-01T00:00:00Z	4pVWBuu4Qu8h49wIEpcE0UHTPF/pAJlJN2CzS2NLPydkJO6dx80bAHh1fMs2YFtkbsh1S4jCLc4pbArEDv6lBA==" ]
	enrol alice --device-key - <<<"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="
	[[ "$(lv-status alice | grep '^device')" =~ ^device$'\t'689dae2f$'\t' ]]
}

@test "sign-out by the enrolling device records who and why in the disabled line" {
	device first
	enrol alice --device-key - <first.pub
	id=$(devid 1 alice)
	run -0 bash -c "lv-device signout --key first.key alice | lv-unenroll alice --signed-out"
	run -66 lv-status alice
	[ "${lines[1]#disabled$'\t'*$'\t'}" = "device $id"$'\t'"signed out of the enrolling device" ]
}

@test "keygen where the key cannot be created is refused without 73 (which means it exists)" {
	mkdir locked
	chmod 500 locked
	run -77 setpriv --reuid=nobody --regid=nogroup --clear-groups lv-device keygen --key locked/phone.key
	run -0 ls -A locked
	[ "$output" = "" ]
}
