#!/usr/bin/env bats
# Damaged records exit 74 and leave the state as it was; a stale temporary
# file is ignored and cleaned up; a held lock makes others wait, then 75.
load lib

# damage HOW: damages alice's records and keeps a copy in $damaged.
damage() {
	local r
	r=$(records alice)
	case $1 in
	truncated) truncate -s $(($(stat -c %s "$r") - 40)) "$r" ;;
	short) truncate -s 1000 "$r" ;;
	empty) : >"$r" ;;
	random) head -c 4096 /dev/urandom >"$r" ;;
	flipped) python3 -c '
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
i = b.index(b"enrolled") + 9
b[i] ^= 1
open(p, "wb").write(b)' "$r" ;;
	nocheck) python3 -c '
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
i = b.index(b"lv.check")
b[i:i + 8] = b"lv.chEck"
open(p, "wb").write(b)' "$r" ;;
	esac
	damaged="$BATS_TEST_TMPDIR/damaged"
	cp "$r" "$damaged"
	find "$LV_DIR" -type f ! -name audit -exec sha256sum {} + | sort >"$BATS_TEST_TMPDIR/sums"
}

# refused_everywhere: every program that reads alice exits 74, and no file
# but the audit log changed.
refused_everywhere() {
	run -74 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: damaged records of alice; restore them from a backup" ]
	run -74 lv-verify alice <<<123456
	run -74 lv-backup new alice
	run -74 lv-backup reset alice
	run -74 lv-backup status alice
	run -74 lv-status alice
	run -74 lv-status alice --json
	run -74 lv-unlock alice --reason x
	run -74 lv-unenroll alice --reason x
	run -74 lv-enroll alice --phone +15551234567
	run -74 lv-enroll --update alice --phone +15559999999
	cmp "$damaged" "$(records alice)"
	find "$LV_DIR" -type f ! -name audit -exec sha256sum {} + | sort | cmp - "$BATS_TEST_TMPDIR/sums"
}

@test "truncated records exit 74 in every program and stay as they were" {
	enrol alice
	damage truncated
	refused_everywhere
}

@test "records cut below the cdb header exit 74" {
	enrol alice
	damage short
	refused_everywhere
}

@test "zero-length records exit 74 and are not taken for a new account" {
	enrol alice
	damage empty
	refused_everywhere
}

@test "records of random bytes exit 74" {
	enrol alice
	damage random
	refused_everywhere
}

@test "one flipped bit in a value fails the checksum (74)" {
	enrol alice
	damage flipped
	refused_everywhere
}

@test "records without their checksum record exit 74" {
	enrol alice
	damage nocheck
	refused_everywhere
}

@test "a damaged account does not affect another, and restoring the file restores it" {
	enrol alice
	local good
	good=$(cat "$(records alice)" | base64 -w0)
	enrol bob
	local bobcode=$code
	damage random
	run -0 lv-verify bob <<<"$bobcode"
	base64 -d <<<"$good" >"$(records alice)"
	run -0 lv-status alice
}

@test "lv-status --list names every readable account and exits 74 for a damaged one" {
	enrol alice
	enrol bob
	enrol carol
	damage empty
	run --separate-stderr -74 lv-status --list
	[ "$output" = $'bob\ncarol' ]
	[ "$stderr" = "lv-status: damaged records of alice; restore them from a backup" ]
}

@test "a dead writer's fresh temporary file is ignored by readers and left to its writer" {
	enrol alice
	local d
	d=$(acctdir alice)
	head -c 3000 /dev/urandom >"$d/.records.tmp.0123456789abcdef"
	chmod 600 "$d/.records.tmp.0123456789abcdef"
	run -0 lv-status alice
	run -0 lv-verify alice <<<"$code"
	[ -e "$d/.records.tmp.0123456789abcdef" ]
	run -1 lv-verify alice <<<"$code"
}

@test "a temporary file that is a symbolic link is never followed, and removed once stale" {
	enrol alice
	local d
	d=$(acctdir alice)
	echo keep >target
	ln -s "$BATS_TEST_TMPDIR/target" "$d/.records.tmp.0123456789abcdef"
	touch -h -d '2 hours ago' "$d/.records.tmp.0123456789abcdef"
	run -0 lv-verify alice <<<"$code"
	[ "$(cat target)" = keep ]
	[ ! -e "$d/.records.tmp.0123456789abcdef" ] && [ ! -L "$d/.records.tmp.0123456789abcdef" ]
}

@test "a change links its temporary file to the next generation: no temporary file is left" {
	enrol alice
	lv-backup new alice >/dev/null
	[ "$(ls -A "$(acctdir alice)")" = $'audit\nlock\nrecords.1\nrecords.2' ]
}

@test "a lock held longer than lock_wait_ms exits 75 and changes nothing" {
	conf "lock_wait_ms = 200"
	enrol alice
	cp "$(records alice)" before
	hold_lock alice 30
	run -75 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: account is busy (lock held for more than 200 ms); try again" ]
	run -75 lv-backup new alice
	run -75 lv-unlock alice --reason x
	run -75 lv-unenroll alice --reason x
	run -75 lv-enroll --update alice --phone +15559999999
	# Readers do not take the lock.
	run -0 lv-status alice
	kill "$holder"
	wait "$holder" || true
	cmp before "$(records alice)"
	run -0 lv-verify alice <<<"$code"
}

@test "a lock released within the wait lets the change go through" {
	conf "lock_wait_ms = 5000"
	enrol alice
	hold_lock alice 0.5
	run -0 lv-verify alice <<<"$code"
	wait "$holder"
}

@test "the lock file is never removed, not even by unenrolment" {
	enrol alice
	local ino
	ino=$(stat -c %i "$(acctdir alice)/lock")
	lv-verify alice <<<"$code"
	lv-unenroll alice --reason x
	[ "$(stat -c %i "$(acctdir alice)/lock")" = "$ino" ]
}
