#!/usr/bin/env bats
# Hostile files planted in and around the state directory: symbolic links,
# loose modes, foreign owners, damaged records. Each gives its documented
# exit code (77 unsafe, 74 damaged), and nothing outside the state
# directory is ever written: every link points at a canary.
load lib

setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir outside
	printf 'canary\n' > outside/canary
	chmod 600 outside/canary
	enrol alice
	dir=$(acctdir alice)
}

# The canary and everything else outside the state directory, unchanged.
canary_intact() {
	[ "$(cat outside/canary)" = "canary" ]
	[ "$(find outside -newer outside/canary ! -path outside | wc -l)" = 0 ]
	[ "$(ls outside)" = "$1" ]
}

@test "an account directory that is a symbolic link is refused with 77" {
	mv "$dir" outside/alice
	touch outside/canary
	ln -s "$BATS_TEST_TMPDIR/outside/alice" "$dir"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe account directory: a symbolic link or not a directory" ]
	run -77 lv-status alice
	run -77 lv-backup new alice
	run -77 lv-unenroll alice --reason x
	run -77 lv-enroll alice --update --phone +15559876543
	canary_intact "alice
canary"
	[ "$(ls outside/alice)" = "$(printf 'audit\nlock\nrecords.1')" ]
}

@test "a bucket directory that is a symbolic link is refused with 77" {
	bucket=$(dirname "$dir")
	mv "$bucket" outside/bucket
	ln -s "$BATS_TEST_TMPDIR/outside/bucket" "$bucket"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe bucket directory: a symbolic link or not a directory" ]
	run -77 lv-status alice
	run -77 lv-enroll alice --update --phone +15559876543
	run --separate-stderr -77 lv-status --list
	[ "$output" = "" ]
}

@test "records that are a symbolic link are refused with 77 and the target is untouched" {
	rm "$dir/records.1"
	ln -s "$BATS_TEST_TMPDIR/outside/canary" "$dir/records.1"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe records of alice: a symbolic link" ]
	run -77 lv-status alice
	run -77 lv-enroll alice --phone +15551234567
	canary_intact canary
}

@test "a temporary records file planted as a symbolic link is never followed" {
	ln -s "$BATS_TEST_TMPDIR/outside/canary" "$dir/.records.tmp.0123456789abcdef"
	run -0 lv-status alice
	run -0 lv-verify alice <<<"$code"
	[ -L "$dir/.records.tmp.0123456789abcdef" ]
	canary_intact canary
}

@test "a lock file that is a symbolic link is refused with 77 by writers; readers go on" {
	rm "$dir/lock"
	ln -s "$BATS_TEST_TMPDIR/outside/canary" "$dir/lock"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe lock file: a symbolic link" ]
	run -77 lv-backup new alice
	run -0 lv-status alice
	canary_intact canary
}

@test "a lock file pointing nowhere is not created through the link" {
	rm "$dir/lock"
	ln -s "$BATS_TEST_TMPDIR/outside/made-by-lv" "$dir/lock"
	run -77 lv-verify alice <<<"$code"
	canary_intact canary
}

@test "a group- or world-writable state directory is refused with 77 by every program" {
	chmod 0770 "$LV_DIR"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe state directory: mode 0770 gives access to others" ]
	run -77 lv-verify alice <<<"$code"
	chmod 0703 "$LV_DIR"
	run -77 lv-backup new alice
	run -77 lv-enroll bob --phone +15551234567
	chmod 0700 "$LV_DIR"
	run -0 lv-verify alice <<<"$code"
}

@test "a site key readable or writable by others is refused with 77" {
	chmod 0640 "$LV_DIR-key/site.key"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe site key $LV_DIR-key/site.key: mode 0640 gives access to others" ]
	chmod 0604 "$LV_DIR-key/site.key"
	run -77 lv-status alice
	chown nobody "$LV_DIR-key/site.key"
	chmod 0600 "$LV_DIR-key/site.key"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe site key $LV_DIR-key/site.key: owned by uid $(id -u nobody), not the state directory's owner" ]
}

@test "a configuration writable by others, or owned by another user, is refused with 77" {
	printf 'lock_wait_ms = 100\n' > "$LV_CONF"
	chmod 0666 "$LV_CONF"
	run -77 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: unsafe configuration $LV_CONF: writable by others or wrong owner" ]
	chmod 0620 "$LV_CONF"
	run -77 lv-status alice
	chmod 0644 "$LV_CONF"
	chown nobody "$LV_CONF"
	run -77 lv-status alice
	chown root "$LV_CONF"
	ln -s "$LV_CONF" link.conf
	run -77 lv-status -c link.conf alice
	[ "$output" = "lv-status: unsafe configuration link.conf: a symbolic link" ]
	run -0 lv-verify alice <<<"$code"
}

@test "records owned by another user, or readable by others, are refused with 77" {
	chown nobody "$dir/records.1"
	run -77 lv-verify alice <<<"$code"
	[[ "$output" = "lv-verify: unsafe records: owned by uid "*", not the state directory's owner" ]]
	run -77 lv-status alice
	chown root "$dir/records.1"
	chmod 0644 "$dir/records.1"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe records: mode 0644 gives access to others" ]
	chmod 0600 "$dir/records.1"
	run -0 lv-verify alice <<<"$code"
}

# Damaged records are 74 for readers and writers alike, and no writer ever
# replaces them (that would throw away the account's state).
damaged() {
	cp "$dir/records.1" damaged
	run -74 lv-status alice
	[ "$output" = "lv-status: damaged records of alice; restore them from a backup" ]
	run -74 lv-verify alice <<<"$code"
	run -74 lv-backup new alice
	run -74 lv-enroll alice --phone +15551234567
	run -74 lv-unenroll alice --reason damaged
	run -74 lv-unlock alice --reason damaged
	cmp damaged "$dir/records.1"
}

@test "truncated records are 74 and left as they are" {
	head -c 2100 "$dir/records.1" > short
	cat short > "$dir/records.1"
	damaged
}

@test "zero-length records are 74 and left as they are" {
	: > "$dir/records.1"
	damaged
}

@test "records of random bytes are 74 and left as they are" {
	head -c 4096 /dev/urandom > "$dir/records.1"
	damaged
}

@test "records with one byte changed (a bad checksum) are 74 and left as they are" {
	python3 -c 'import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b"enrolled") + 9
b[i] = b[i] ^ 1
open(p, "wb").write(b)' "$dir/records.1"
	damaged
}

@test "records that are a directory or a FIFO are refused as unsafe (77), not read" {
	rm "$dir/records.1"
	mkfifo -m 600 "$dir/records.1"
	run -77 lv-status alice
	run -77 lv-verify alice <<<"$code"
	rm "$dir/records.1"
	mkdir -m 700 "$dir/records.1"
	run -77 lv-status alice
	run -77 lv-verify alice <<<"$code"
}

@test "lv-status --list of a state directory with no account prints nothing (found by UBSan)" {
	rm -r "$LV_DIR"/??
	run -0 lv-status --list
	[ "$output" = "" ]
}
