#!/usr/bin/env bats
# A full disk and a read-only disk: a small tmpfs of our own, unmounted in
# teardown whatever happens. Needs root (to mount).
load lib

setup() {
	mnt="$BATS_TEST_TMPDIR/mnt"
	mkdir -p "$mnt"
	export LV_DIR="$mnt/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	# make check runs as root (CI does); without the mount nothing here is tested.
	mount -t tmpfs -o size=1m,mode=0755 lvtest "$mnt"
}

teardown() {
	if mountpoint -q "$mnt"; then
		umount "$mnt" || umount -l "$mnt"
	fi
}

# Every byte the state directory holds, empty files aside (a writer that
# fails may leave an empty lock file, never unlinked by design, and an empty
# audit log, opened with the lock; records are never empty).
fingerprint() {
	(cd "$LV_DIR" && find . -type f ! -empty -exec sha256sum {} + | sort)
}

@test "on a full disk every program that writes exits 74, readers work, nothing is accepted" {
	enrol alice
	spare=$(lv-backup new alice)
	dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null || true
	before=$(fingerprint)
	run -74 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: cannot write records of alice: No space left on device" ]
	run -74 lv-verify alice <<<"123456"
	[ "$output" = "lv-verify: cannot write records of alice: No space left on device" ]
	run --separate-stderr -74 lv-backup new alice
	[ "$output" = "" ]
	[ "$stderr" = "lv-backup: cannot write records of alice: No space left on device" ]
	run -74 lv-backup reset alice
	run -74 lv-enroll bob --phone +15551234567
	[ "$output" = "lv-enroll: cannot write records of bob: No space left on device" ]
	run -74 lv-unlock alice --reason "full disk"
	run -74 lv-unenroll alice --reason "full disk"
	run -0 lv-status alice
	[ "${lines[0]}" = "$(printf 'enrolled\tyes')" ]
	run -0 lv-backup status alice
	[ "${lines[0]}" = "$(printf 'backup-codes\t2')" ]
	[ "$(fingerprint)" = "$before" ]
	rm "$mnt/fill"
	run -66 lv-status bob
	run -0 lv-verify alice <<<"$code"
	run -0 lv-verify alice <<<"$spare"
}

@test "on a read-only disk every program that writes exits 74, readers work, nothing changes" {
	enrol alice
	before=$(fingerprint)
	mount -o remount,ro "$mnt"
	run -74 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: cannot create lock file: Read-only file system" ]
	run -74 lv-backup new alice
	[ "$output" = "lv-backup: cannot create lock file: Read-only file system" ]
	run -74 lv-enroll bob --phone +15551234567
	[ "$output" = "lv-enroll: cannot create bucket directory: Read-only file system" ]
	run -74 lv-unlock alice --reason "read-only"
	run -74 lv-unenroll alice --reason "lost phone"
	run -0 lv-status alice
	[ "${lines[0]}" = "$(printf 'enrolled\tyes')" ]
	run -0 lv-status --list
	[ "$output" = "alice" ]
	run -0 lv-backup status alice
	[ "${lines[0]}" = "$(printf 'backup-codes\t1')" ]
	mount -o remount,rw "$mnt"
	[ "$(fingerprint)" = "$before" ]
	run -0 lv-verify alice <<<"$code"
}
