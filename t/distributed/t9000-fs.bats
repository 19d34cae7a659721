#!/usr/bin/env bats
# What lv's store needs from the filesystem, checked across the two mounts of
# one GlusterFS volume (two login hosts), with the calls the store makes.
bats_require_minimum_version 1.5.0
load lib

setup() {
	A="$LV_MNT_A/$BATS_TEST_NUMBER"
	B="$LV_MNT_B/$BATS_TEST_NUMBER"
	mkdir "$A"
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	[ -z "${GL_HOLD_PID:-}" ] || kill -KILL "$GL_HOLD_PID" 2>/dev/null
	gl_restore
}

# fop_calls N FOP: how many FOP calls brick N served, from the text of
# "gluster volume profile VOL info" on stdin.
fop_calls() {
	awk -v want="$GL_HOST:$GL_TOP/bricks/$1" -v fop="$2" '
		/^Brick: / { on = ($2 == want) }
		on && $NF == fop { print $(NF - 1); exit }'
}

# The file's copy on brick N, read on the brick itself.
on_brick() {
	cat "$GL_TOP/bricks/$1/$BATS_TEST_NUMBER/$2"
}

@test "a lock taken through one mount is refused through the other until released" {
	gl_lock_hold "$A/lock"
	run -1 fstool lock "$B/lock" </dev/null
	[ "$output" = busy ]
	run -1 fstool lock "$A/lock" </dev/null
	[ "$output" = busy ]
	gl_lock_release
	run -0 fstool lock "$B/lock" </dev/null
	[ "$output" = locked ]
}

@test "a flock lock taken through one mount is refused through the other until released" {
	gl_lock_hold "$A/lock" flock
	run -1 fstool flock "$B/lock" </dev/null
	[ "$output" = busy ]
	gl_lock_release
	run -0 fstool flock "$B/lock" </dev/null
	[ "$output" = locked ]
}

@test "a lock holder killed with SIGKILL on one mount frees the lock for the other" {
	gl_lock_hold "$A/lock"
	run -1 fstool lock "$B/lock" </dev/null
	kill -KILL "$GL_HOLD_PID"
	wait "$GL_HOLD_PID" || true
	run -0 fstool lock "$B/lock" </dev/null
	[ "$output" = locked ]
}

@test "a file replaced by rename through one mount is read new through the other at once" {
	local i m w r
	printf 'v0' >"$A/records"
	for i in $(seq 1 40); do
		# Alternate the writer; the reader has just looked the file up.
		if [ $((i % 2)) = 0 ]; then w=$A r=$B; else w=$B r=$A; fi
		cat "$r/records" >/dev/null
		stat "$r/records" >/dev/null
		printf 'v%s.' "$i" | fstool replace "$w" records
		m=$(cat "$r/records")
		[ "$m" = "v$i." ] || { echo "round $i: read '$m' through the other mount"; return 1; }
		m=$(stat -c %s "$r/records")
		[ "$m" = $((${#i} + 2)) ] || { echo "round $i: size $m through the other mount"; return 1; }
	done
	run -0 ls "$B"
	[ "$output" = records ]
}

@test "an open file keeps its old content after another mount renames over it" {
	printf 'old' >"$A/records"
	exec {fd}<"$B/records"
	printf 'new' | fstool replace "$A" records
	run -0 cat <&"$fd"
	exec {fd}<&-
	[ "$output" = old ]
	run -0 cat "$B/records"
	[ "$output" = new ]
}

@test "O_NOFOLLOW refuses a symbolic link with ELOOP through both mounts" {
	printf 'x' >"$A/target"
	ln -s target "$A/link"
	run -0 fstool nofollow "$B/link"
	[ "$output" = ELOOP ]
	run -0 fstool nofollow "$A/link"
	[ "$output" = ELOOP ]
	run -0 fstool nofollow "$B/target"
	[ "$output" = opened ]
}

@test "fsync of a file and of a directory succeeds and reaches every brick" {
	local n
	gl_cli volume profile "$GL_VOL" start >/dev/null
	gl_cli volume profile "$GL_VOL" info clear >/dev/null
	printf 'x' | fstool replace "$A" records
	run -0 fstool fsync "$A/records"
	[ "$output" = 0 ]
	run -0 fstool fsync "$B"
	[ "$output" = 0 ]
	gl_cli volume profile "$GL_VOL" info incremental >profile
	gl_cli volume profile "$GL_VOL" stop >/dev/null
	for n in 1 2 3; do
		[ "$(fop_calls "$n" FSYNC <profile)" = 2 ]
		[ "$(fop_calls "$n" FSYNCDIR <profile)" = 2 ]
		[ "$(fop_calls "$n" RENAME <profile)" = 1 ]
	done
}

@test "appends from both mounts in turn all land, in order" {
	local i want=""
	for i in 1 2 3 4 5 6; do
		if [ $((i % 2)) = 0 ]; then m=$A; else m=$B; fi
		printf 'line %s\n' "$i" | fstool append "$m/audit"
		want="${want}line $i"$'\n'
	done
	[ "$(cat "$A/audit"; echo .)" = "${want}." ]
	[ "$(cat "$B/audit"; echo .)" = "${want}." ]
}

@test "a file written while a brick is down is on every brick after the heal" {
	printf 'before' | fstool replace "$A" records
	gl_brick_kill 1
	printf 'during' | fstool replace "$A" records
	run -0 cat "$B/records"
	[ "$output" = during ]
	[ "$(on_brick 1 records)" = before ]
	gl_brick_start 1
	gl_heal_wait
	[ "$(on_brick 1 records)" = during ]
	[ "$(on_brick 2 records)" = during ]
	[ "$(on_brick 3 records)" = during ]
	run -0 cat "$B/records"
	[ "$output" = during ]
}

@test "a brick that missed a change is never read before it is healed" {
	local i
	printf 'before' | fstool replace "$A" records
	gl_heal_daemon off
	gl_brick_kill 1
	printf 'during' | fstool replace "$A" records
	gl_brick_start 1
	for i in 1 2 3 4 5; do
		[ "$(cat "$B/records")" = during ]
		[ "$(cat "$A/records")" = during ]
	done
	# Still behind, so the reads above had a stale copy to avoid.
	[ "$(on_brick 1 records)" != during ]
	gl_heal_daemon on
	gl_heal_wait
	[ "$(on_brick 1 records)" = during ]
}

@test "a lock held while a brick is killed and restarted still refuses the other mount" {
	gl_lock_hold "$A/lock"
	gl_brick_kill 1
	run -1 fstool lock "$B/lock" </dev/null
	gl_brick_start 1
	run -1 fstool lock "$B/lock" </dev/null
	[ "$output" = busy ]
	gl_lock_release
	run -0 fstool lock "$B/lock" </dev/null
}

@test "a lock taken while a brick is down still refuses the other mount after it returns" {
	printf '' >"$A/lock"
	gl_brick_kill 2
	gl_lock_hold "$A/lock"
	run -1 fstool lock "$B/lock" </dev/null
	gl_brick_start 2
	run -1 fstool lock "$B/lock" </dev/null
	[ "$output" = busy ]
	gl_lock_release
	run -0 fstool lock "$B/lock" </dev/null
}

@test "with two of three bricks down every operation fails and nothing changes" {
	printf 'before' | fstool replace "$A" records
	printf '' >"$A/lock"
	gl_brick_kill 1
	gl_brick_kill 2
	run -2 fstool replace "$A" records <<<"during"
	[ "$output" = "fstool: $A: ENOTCONN" ]
	run -1 cat "$B/records"
	run -2 fstool lock "$B/lock" </dev/null
	[ "$output" = "fstool: $B/lock: ENOTCONN" ]
	run -2 fstool append "$B/audit" <<<"line"
	gl_brick_start 1
	gl_brick_start 2
	gl_heal_wait
	run -0 cat "$B/records"
	[ "$output" = before ]
}
