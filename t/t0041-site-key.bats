#!/usr/bin/env bats
# Where the site key lives (lv-state(5)): beside the state directory, in
# STATE-key, so that a copy of the state directory alone lets no one log in;
# an installation whose key is inside (STATE/site.key) keeps working and
# lv-status warns about it; site_key overrides both.
load lib
export TZ=UTC

T="2026-03-01 12:00:10"
MISSING="is missing (lv-enroll --init makes one for an empty state directory; otherwise restore it from its backup)"

# totp_enrol ACCOUNT: enrols with TOTP; the secret in $secret, the code for
# time $T in $totp.
totp_enrol() {
	local out
	out=$(lv-enroll "$1" --totp) || return 1
	secret=$(sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$out")
	totp=$(faketime -f "$T" oathtool --totp -b "$secret")
	[ -n "$secret" ] && [ -n "$totp" ]
}

# old_layout: a fresh installation as lv made it before the key moved out:
# the key at STATE/site.key and no STATE-key.
old_layout() {
	lv-enroll --init || return 1
	mv "$LV_DIR-key/site.key" "$LV_DIR/site.key"
	rmdir "$LV_DIR-key"
}

warning() {
	echo "lv-status: warning: the site key $1 is inside the state directory, so a copy of the state directory alone lets a reader log in: move it to $LV_DIR-key/site.key (in a directory of mode 0700) or set site_key in lv.conf to a path outside the state directory"
}

@test "a copy of the state directory alone cannot verify a TOTP code (78): nothing is accepted" {
	totp_enrol alice
	cp -a "$LV_DIR" copy
	[ "$(find copy -name '*key*')" = "" ]
	run -78 faketime -f "$T" lv-verify -d "$BATS_TEST_TMPDIR/copy" alice <<<"$totp"
	[ "$output" = "lv-verify: site key $BATS_TEST_TMPDIR/copy-key/site.key $MISSING" ]
	LV_DIR="$BATS_TEST_TMPDIR/copy" run -78 faketime -f "$T" lv-verify alice --method totp <<<"$totp"
	[ ! -e copy-key ]
	# the code was a good one: the real installation accepts it, once
	run -0 faketime -f "$T" lv-verify alice <<<"$totp"
	run -1 faketime -f "$T" lv-verify alice <<<"$totp"
}

@test "with the key inside (the old layout) a copy of the state directory alone does verify: why lv-status warns" {
	old_layout
	totp_enrol alice
	cp -a "$LV_DIR" copy
	run -0 faketime -f "$T" lv-verify -d "$BATS_TEST_TMPDIR/copy" alice <<<"$totp"
}

@test "an installation whose key is inside keeps working in every program and gets no second key" {
	old_layout
	cp "$LV_DIR/site.key" key.before
	totp_enrol alice
	lv-device keygen --key phone.key >phone.pub
	run -0 lv-enroll --update alice --device-key - <phone.pub
	run -0 lv-enroll --update alice --phone +15551234567
	run -0 lv-enroll --init
	run -0 faketime -f "$T" lv-verify alice <<<"$totp"
	sms=$(lv-sendcode alice | sed -n 's/.*code: \([0-9]\{6\}\).*/\1/p')
	run -0 lv-verify alice --method sms <<<"$sms"
	code=$(lv-backup new alice)
	run -0 lv-verify alice <<<"$code"
	run -0 lv-backup status alice
	pass=$(lv-temppass alice --label mail)
	run -0 lv-verify alice --client third-party <<<"$pass"
	IFS=$'\t' read -r id num tok < <(lv-requests new alice)
	run -0 bash -c "lv-requests show alice $id | lv-device sign --key phone.key approve $num | lv-requests answer alice"
	run -0 lv-verify alice --request "$id" <<<"$tok"
	run -0 lv-requests list alice
	run -0 lv-unlock alice --reason "ticket 1"
	run -0 lv-expire
	run -0 lv-unenroll alice --totp --reason x
	run -0 lv-unenroll alice --reason "ticket 2"
	[ ! -e "$LV_DIR-key" ]
	cmp key.before "$LV_DIR/site.key"
}

@test "lv-status warns, one line on stderr, when the key in use is inside the state directory; its output and exit are unchanged" {
	old_layout
	enrol alice
	run --separate-stderr -0 lv-verify alice <<<"$code"
	[ "$stderr" = "" ]
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "$(warning "$LV_DIR/site.key")" ]
	local inside=$output
	run --separate-stderr -0 lv-status --list
	[ "$output" = alice ]
	[ "$stderr" = "$(warning "$LV_DIR/site.key")" ]
	run --separate-stderr -66 lv-status bob
	[ "$output" = "" ]
	[ "$stderr" = "$(warning "$LV_DIR/site.key")
lv-status: no such account: bob" ]
	# the move lv-status advises ends the warning and changes nothing else
	mkdir -m 700 "$LV_DIR-key"
	mv "$LV_DIR/site.key" "$LV_DIR-key/site.key"
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "" ]
	[ "$output" = "$inside" ]
}

@test "lv-status warns too when site_key names a path inside the state directory" {
	enrol alice
	mv "$LV_DIR-key/site.key" "$LV_DIR/lv.key"
	conf "site_key = $LV_DIR/lv.key"
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "$(warning "$LV_DIR/lv.key")" ]
	mv "$LV_DIR/lv.key" "$LV_DIR-key/lv.key"
	conf "site_key = $LV_DIR-key/lv.key"
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "" ]
}

@test "a key both inside and beside the state directory exits 78 naming both, in every program, and nothing is made" {
	old_layout
	enrol alice
	mkdir -m 700 "$LV_DIR-key"
	cp -p "$LV_DIR/site.key" "$LV_DIR-key/site.key"
	local both="two site keys, $LV_DIR/site.key and $LV_DIR-key/site.key: keep the one the records were made with and remove the other (lv-state(5))"
	for p in "lv-verify alice" "lv-status alice" "lv-status --list" "lv-backup status alice" "lv-sendcode alice" \
	    "lv-temppass alice" "lv-requests list alice" "lv-unlock alice --reason x" "lv-expire" \
	    "lv-enroll --init" "lv-enroll bob --phone +15551234567" "lv-unenroll alice --reason x"; do
		run -78 $p <<<"$code"
		[ "$output" = "${p%% *}: $both" ]
	done
	[ "$(ls -A "$LV_DIR-key")" = site.key ]
	rm "$LV_DIR/site.key"
	run -0 lv-verify alice <<<"$code"
}

@test "site_key in lv.conf overrides the key inside and the key beside the state directory" {
	old_layout
	enrol alice
	mkdir -m 700 keys "$LV_DIR-key"
	cp -p "$LV_DIR/site.key" keys/lv.key
	head -c 32 /dev/urandom >"$LV_DIR/site.key"
	head -c 32 /dev/urandom >"$LV_DIR-key/site.key"
	chmod 600 "$LV_DIR/site.key" "$LV_DIR-key/site.key"
	conf "site_key = $BATS_TEST_TMPDIR/keys/lv.key"
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "" ]
	run -0 lv-verify alice <<<"$code"
}

@test "the key's place is the state directory's path with -key appended, trailing slashes aside" {
	enrol alice
	run -0 lv-verify -d "$LV_DIR//" alice <<<"$code"
	run -0 lv-status -d "$LV_DIR/" --list
	[ "$output" = alice ]
	cd "$(dirname "$LV_DIR")"
	run -0 lv-status -d state --list
	run -0 lv-enroll -d rel --init
	[ -s rel-key/site.key ]
}

@test "a key directory another user could write, or that another user owns, exits 77" {
	enrol alice
	chmod 770 "$LV_DIR-key"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe site key directory $LV_DIR-key: mode 0770 gives access to others" ]
	chmod 700 "$LV_DIR-key"
	chown nobody "$LV_DIR-key"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe site key directory $LV_DIR-key: owned by uid $(id -u nobody), not the state directory's owner" ]
	chown 0 "$LV_DIR-key"
	run -0 lv-verify alice <<<"$code"
}

@test "the first enrolment makes the key beside a state directory made by hand, and none when the key directory is a file" {
	mkdir -m 700 "$LV_DIR"
	enrol alice
	[ "$(stat -c %a "$LV_DIR-key/site.key")" = 600 ]
	rm -rf "$LV_DIR" "$LV_DIR-key"
	touch "$LV_DIR-key"
	run -77 lv-enroll --init
	[ "$output" = "lv-enroll: unsafe site key directory $LV_DIR-key: not a directory or a symbolic link" ]
}

@test "site_key naming a missing key while lv-enroll made one at the default place: 78 naming both and how to move it, in every program, and no key made" {
	lv-enroll --init
	mkdir -m 700 etc
	conf "site_key = $BATS_TEST_TMPDIR/etc/site.key"
	local moved="site key $BATS_TEST_TMPDIR/etc/site.key is missing, but $LV_DIR-key/site.key exists: move it there (mv $LV_DIR-key/site.key $BATS_TEST_TMPDIR/etc/site.key), or remove site_key from $LV_CONF"
	for p in "lv-enroll --init" "lv-enroll alice --phone +15551234567" "lv-status --list" "lv-expire"; do
		run -78 $p
		[ "$output" = "${p%% *}: $moved" ]
	done
	[ "$(ls -A etc)" = "" ]
	mv "$LV_DIR-key/site.key" etc/site.key
	enrol alice
	run -0 lv-verify alice <<<"$code"
}

@test "site_key naming a missing key while the key is inside the state directory names that one; its directory missing too" {
	old_layout
	enrol alice
	conf "site_key = $BATS_TEST_TMPDIR/etc/site.key"
	run -78 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: site key $BATS_TEST_TMPDIR/etc/site.key is missing, but $LV_DIR/site.key exists: move it there (mv $LV_DIR/site.key $BATS_TEST_TMPDIR/etc/site.key), or remove site_key from $LV_CONF" ]
	mkdir -m 700 etc
	run -78 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: site key $BATS_TEST_TMPDIR/etc/site.key is missing, but $LV_DIR/site.key exists: move it there (mv $LV_DIR/site.key $BATS_TEST_TMPDIR/etc/site.key), or remove site_key from $LV_CONF" ]
	mv "$LV_DIR/site.key" etc/site.key
	run -0 lv-verify alice <<<"$code"
}

@test "site_key naming a missing key beside accounts, with no key at the default place: 78 saying to put their key there, not to make one" {
	enrol alice
	mkdir -m 700 etc
	mv "$LV_DIR-key/site.key" elsewhere.key
	conf "site_key = $BATS_TEST_TMPDIR/etc/site.key"
	for p in "lv-enroll --init" "lv-verify alice"; do
		run -78 $p <<<"$code"
		[ "$output" = "${p%% *}: site key $BATS_TEST_TMPDIR/etc/site.key is missing, and the accounts in $LV_DIR were made with one: put that key there (from its backup), or set site_key in $LV_CONF to where it is" ]
	done
	[ "$(ls -A etc)" = "" ]
}
