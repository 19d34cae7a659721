#!/usr/bin/env bats
# The state directory, the site key and the configuration: only lv-enroll
# creates the first two; everything unsafe is refused (77), everything
# missing or malformed is a configuration error (78).
load lib

# every_other CODE: each program but lv-enroll, on an account alice that
# may or may not exist, exits CODE.
every_other() {
	run -"$1" lv-verify alice <<<"$WRONG_CODE"
	run -"$1" lv-backup new alice
	run -"$1" lv-backup status alice
	run -"$1" lv-backup reset alice
	run -"$1" lv-status alice
	run -"$1" lv-status alice --json
	run -"$1" lv-status --list
	run -"$1" lv-unlock alice --reason x
	run -"$1" lv-unenroll alice --reason x
}

# every_program CODE: the same, and lv-enroll too.
every_program() {
	every_other "$1"
	run -"$1" lv-enroll alice --phone +15551234567
	run -"$1" lv-enroll --update alice --phone +15551234568
	run -"$1" lv-enroll bob --phone +15551234567
}

# every_on_alice CODE: each program on the existing account alice.
every_on_alice() {
	every_other "$1"
	run -"$1" lv-enroll alice --phone +15551234567
	run -"$1" lv-enroll --update alice --phone +15551234568
}

@test "a missing state directory exits 78 in every program but lv-enroll, and is not created" {
	every_other 78
	[ "$output" = "lv-unenroll: state directory $LV_DIR is missing (lv-enroll --init creates it)" ]
	[ ! -e "$LV_DIR" ]
}

@test "a mistyped -d is never taken for 'not enrolled'" {
	enrol alice
	run -78 lv-status alice -d "$LV_DIR.typo"
	run -78 lv-verify alice -d "$LV_DIR.typo" <<<"$code"
	run -0 lv-verify alice <<<"$code"
}

@test "a missing site key exits 78 in every program but lv-enroll" {
	enrol alice
	rm "$LV_DIR-key/site.key"
	every_other 78
	[ "$output" = "lv-unenroll: site key $LV_DIR-key/site.key is missing (lv-enroll --init makes one for an empty state directory; otherwise restore it from its backup)" ]
}

@test "lv-enroll does not replace a missing key while accounts exist (78)" {
	enrol alice
	mv "$LV_DIR-key/site.key" "$BATS_TEST_TMPDIR/key"
	run -78 lv-enroll bob --phone +15551234567
	run -78 lv-enroll --init
	[ "$output" = "lv-enroll: site key $LV_DIR-key/site.key is missing (lv-enroll --init makes one for an empty state directory; otherwise restore it from its backup)" ]
	[ "$(ls -A "$LV_DIR-key")" = "" ]
	[ ! -e "$LV_DIR/site.key" ]
	rmdir "$LV_DIR-key"
	run -78 lv-enroll --init
	[ ! -e "$LV_DIR-key" ]
	mkdir -m 700 "$LV_DIR-key"
	mv "$BATS_TEST_TMPDIR/key" "$LV_DIR-key/site.key"
	run -0 lv-verify alice <<<"$code"
}

@test "lv-enroll --init makes the state directory (0700) and, beside it, the key's directory (0700) and site key (0600), and nothing else" {
	run --separate-stderr -0 lv-enroll --init
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ "$(stat -c %a "$LV_DIR")" = 700 ]
	[ "$(stat -c %a "$LV_DIR-key")" = 700 ]
	[ "$(stat -c %a "$LV_DIR-key/site.key")" = 600 ]
	[ "$(stat -c %s "$LV_DIR-key/site.key")" = 32 ]
	[ "$(ls -A "$LV_DIR")" = "" ]
	[ "$(ls -A "$LV_DIR-key")" = site.key ]
	[ "$(echo "$BATS_TEST_TMPDIR"/state*)" = "$LV_DIR $LV_DIR-key" ]
	run -0 lv-status --list
	[ "$output" = "" ]
	run -66 lv-status alice
	[ "$output" = "lv-status: no such account: alice" ]
}

@test "lv-enroll --init again keeps the key" {
	lv-enroll --init
	cp "$LV_DIR-key/site.key" key.before
	run -0 lv-enroll --init
	cmp key.before "$LV_DIR-key/site.key"
}

@test "the first lv-enroll makes the state directory and key, under a umask of 0" {
	umask 0
	enrol alice
	[ "$(stat -c %a "$LV_DIR")" = 700 ]
	[ "$(stat -c %a "$LV_DIR-key")" = 700 ]
	[ "$(stat -c %a "$LV_DIR-key/site.key")" = 600 ]
	[ "$(stat -c %a "$(records alice)")" = 600 ]
	[ "$(stat -c %a "$(acctdir alice)/audit")" = 600 ]
	[ "$(stat -c %a "$(acctdir alice)/lock")" = 600 ]
	[ "$(stat -c %a "$(acctdir alice)")" = 700 ]
}

@test "a site key elsewhere (site_key) is made there, and must be an absolute path" {
	mkdir -m 700 keys
	conf "site_key = $BATS_TEST_TMPDIR/keys/lv.key"
	enrol alice
	[ -s keys/lv.key ]
	[ ! -e "$LV_DIR/site.key" ]
	[ ! -e "$LV_DIR-key" ]
	run -0 lv-verify alice <<<"$code"
	rm keys/lv.key
	run -78 lv-status alice
	[ "$output" = "lv-status: site key $BATS_TEST_TMPDIR/keys/lv.key is missing, and the accounts in $LV_DIR were made with one: put that key there (from its backup), or set site_key in $LV_CONF to where it is" ]
	conf "site_key = keys/lv.key"
	run -78 lv-status alice
	[ "$output" = "lv-status: site_key must be the absolute path of a file, not keys/lv.key" ]
}

@test "a group-writable state directory exits 77 in every program" {
	enrol alice
	chmod 770 "$LV_DIR"
	every_program 77
	[ "$output" = "lv-enroll: unsafe state directory: mode 0770 gives access to others" ]
	chmod 700 "$LV_DIR"
	run -0 lv-verify alice <<<"$code"
}

@test "a world-writable state directory that lv-enroll did not make exits 77" {
	mkdir -m 703 "$LV_DIR"
	chmod 703 "$LV_DIR"
	run -77 lv-enroll --init
	[ ! -e "$LV_DIR/site.key" ]
	[ ! -e "$LV_DIR-key" ]
}

@test "a group-writable or group-readable site key exits 77 in every program" {
	enrol alice
	chmod 620 "$LV_DIR-key/site.key"
	every_program 77
	[ "$output" = "lv-enroll: unsafe site key $LV_DIR-key/site.key: mode 0620 gives access to others" ]
	chmod 640 "$LV_DIR-key/site.key"
	run -77 lv-status alice
	chmod 600 "$LV_DIR-key/site.key"
	run -0 lv-status alice
}

@test "a damaged site key (wrong length) exits 74" {
	enrol alice
	head -c 31 /dev/urandom >"$LV_DIR-key/site.key"
	run -74 lv-status alice
	[ "$output" = "lv-status: damaged site key $LV_DIR-key/site.key: not 32 bytes" ]
}

@test "a group-writable configuration exits 77 in every program" {
	enrol alice
	conf "lock_after = 5"
	chmod 660 "$LV_CONF"
	every_program 77
	[ "$output" = "lv-enroll: unsafe configuration $LV_CONF: writable by others or wrong owner" ]
	chmod 644 "$LV_CONF"
	run -0 lv-verify alice <<<"$code"
}

@test "a configuration or key owned by another user exits 77" {
	enrol alice
	conf "lock_after = 5"
	chown nobody "$LV_CONF"
	run -77 lv-status alice
	chown 0 "$LV_CONF"
	chown nobody "$LV_DIR-key/site.key"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe site key $LV_DIR-key/site.key: owned by uid $(id -u nobody), not the state directory's owner" ]
}

@test "symbolic links for the state directory, key or configuration exit 77" {
	enrol alice
	mv "$LV_DIR" real
	ln -s "$BATS_TEST_TMPDIR/real" "$LV_DIR"
	run -77 lv-status alice
	rm "$LV_DIR"
	mv real "$LV_DIR"
	mv "$LV_DIR-key/site.key" key
	ln -s "$BATS_TEST_TMPDIR/key" "$LV_DIR-key/site.key"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe site key $LV_DIR-key/site.key: a symbolic link" ]
	rm "$LV_DIR-key/site.key"
	mv key "$LV_DIR-key/site.key"
	mv "$LV_DIR-key" keydir
	ln -s "$BATS_TEST_TMPDIR/keydir" "$LV_DIR-key"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe site key directory $LV_DIR-key: not a directory or a symbolic link" ]
	rm "$LV_DIR-key"
	mv keydir "$LV_DIR-key"
	conf "lock_after = 5"
	mv "$LV_CONF" real.conf
	ln -s "$BATS_TEST_TMPDIR/real.conf" "$LV_CONF"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe configuration $LV_CONF: a symbolic link" ]
}

@test "a symbolic link for an account directory or a bucket exits 77 and is not followed" {
	enrol alice
	local d
	d=$(acctdir alice)
	mv "$d" elsewhere
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$d"
	every_on_alice 77
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe account directory: a symbolic link or not a directory" ]
	rm "$d"
	mv elsewhere "$d"
	local bucket
	bucket=$(dirname "$d")
	mv "$bucket" bucket.real
	ln -s "$BATS_TEST_TMPDIR/bucket.real" "$bucket"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe bucket directory: a symbolic link or not a directory" ]
}

@test "lv-status --list names a symbolic link for a bucket (77) and lists the other accounts" {
	enrol alice
	enrol bob
	local top
	top=$(dirname "$(dirname "$(acctdir alice)")")
	[ "$top" != "$(dirname "$(dirname "$(acctdir bob)")")" ]
	mv "$top" bucket.real
	ln -s "$BATS_TEST_TMPDIR/bucket.real" "$top"
	run --separate-stderr -77 lv-status --list
	[ "$output" = bob ]
	[ "$stderr" = "lv-status: unsafe bucket directory ${top##*/}: a symbolic link or not a directory" ]
}

@test "a symbolic link for the records, the lock or the audit log exits 77 and changes nothing" {
	enrol alice
	local d
	d=$(acctdir alice)
	mv "$d/records.1" records.real
	ln -s "$BATS_TEST_TMPDIR/records.real" "$d/records.1"
	every_on_alice 77
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe records of alice: a symbolic link" ]
	rm "$d/records.1"
	mv records.real "$d/records.1"
	mv "$d/lock" lock.real
	ln -s "$BATS_TEST_TMPDIR/lock.real" "$d/lock"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe lock file: a symbolic link" ]
	rm "$d/lock"
	mv "$d/audit" audit.real
	ln -s "$BATS_TEST_TMPDIR/audit.elsewhere" "$d/audit"
	run -77 lv-status alice --log
	cp "$d/records.1" records.before
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe audit log of alice: a symbolic link" ]
	run -77 lv-backup new alice
	run -77 lv-unlock alice --reason x
	run -77 lv-unenroll alice --reason x
	[ ! -e audit.elsewhere ]
	cmp records.before "$d/records.1"
	rm "$d/audit"
	mv audit.real "$d/audit"
	run -0 lv-verify alice <<<"$code"
}

@test "records another user could read or write, or that are not a file, exit 77" {
	enrol alice
	chmod 640 "$(records alice)"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe records: mode 0640 gives access to others" ]
	chmod 600 "$(records alice)"
	chown nobody "$(records alice)"
	run -77 lv-verify alice <<<"$code"
	chown 0 "$(records alice)"
	mv "$(records alice)" records.real
	mkfifo -m 600 "$(records alice)"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe records of alice: not a regular file" ]
}

@test "a malformed configuration exits 78 naming the file and line" {
	enrol alice
	conf "# comment" "lock_after = 5" "bogus = 1"
	run -78 lv-status alice
	[ "$output" = "lv-status: $LV_CONF:3: unknown key bogus" ]
	conf "lock_after = five"
	run -78 lv-status alice
	[ "$output" = "lv-status: $LV_CONF:1: lock_after takes a number from 0 to 1000" ]
	conf "lock_after 5"
	run -78 lv-status alice
	[ "$output" = "lv-status: $LV_CONF:1: not a \"key = value\" line" ]
	conf "lock_after = -1"
	run -78 lv-verify alice <<<"$code"
	conf "site_name = $(printf 'x%.0s' {1..200})"
	run -78 lv-status alice
	[ "$output" = "lv-status: $LV_CONF:1: site_name is too long (at most 128 bytes)" ]
	conf "" "  # indented comment" "	lock_after	=	7	"
	run -0 lv-verify alice <<<"$code"
}

@test "a missing configuration means the defaults" {
	[ ! -e "$LV_CONF" ]
	enrol alice
	run -0 lv-verify alice <<<"$code"
}

@test "a configuration that is a directory exits 78" {
	enrol alice
	mkdir "$LV_CONF"
	run -78 lv-status alice
	[ "$output" = "lv-status: configuration $LV_CONF is not a regular file" ]
}

@test "records made with another site key are refused (77), not misread" {
	enrol alice
	lv-enroll --init -d other
	cp other-key/site.key "$LV_DIR-key/site.key"
	run -77 lv-verify alice <<<"$code"
	[[ "$output" == "lv-verify: records of alice were made with another site key ("*")" ]]
}
