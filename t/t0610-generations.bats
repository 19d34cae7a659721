#!/usr/bin/env bats
# The records as numbered generations (lv-state(5), Conditional commits):
# each change links a complete file to the next number; the newest that
# reads whole is the state; the previous release's layout is read as it is.
load lib

gens() {
	find "$(acctdir "$1")" -maxdepth 1 -name 'records*' -printf '%f\n' | sort
}

@test "each change links the next generation and keeps the newest four" {
	enrol alice
	[ "$(gens alice)" = records.1 ]
	lv-backup new alice >/dev/null
	[ "$(gens alice)" = $'records.1\nrecords.2' ]
	for i in 1 2 3; do fail_backup alice 1; done
	[ "$(gens alice)" = $'records.2\nrecords.3\nrecords.4\nrecords.5' ]
	[ "$(ls -A "$(acctdir alice)")" = $'audit\nlock\nrecords.2\nrecords.3\nrecords.4\nrecords.5' ]
	run -0 lv-records dump "$(acctdir alice)/records.5"
	[[ "$output" == *$'\ngeneration\t5\n'* ]]
}

@test "a change that removes a number or a secret keeps no older generation" {
	enrol alice --phone +15551234567 --totp >/dev/null
	lv-backup new alice >/dev/null
	lv-unenroll alice --totp --reason "new phone"
	[ "$(gens alice)" = records.3 ]
	lv-enroll --update alice --phone +15557654321
	[ "$(gens alice)" = records.4 ]
	[[ "$(state_bytes)" != *5551234567* ]]
	lv-unenroll alice --reason gone
	[ "$(gens alice)" = records.5 ]
	[[ "$(state_bytes)" != *5557654321* ]]
}

@test "a state directory of the previous release is read as it is and converted at its first change" {
	tar -xf "$BATS_TEST_DIRNAME/fixtures/prev-release.tar"
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	: >"$LV_CONF"
	chmod 600 "$LV_CONF"
	[ "$(gens alice)" = records ]
	run -0 lv-status alice
	[[ "$output" == *$'\nbackup-codes\t3\n'* ]]
	[ "$(gens alice)" = records ]
	run -0 lv-verify alice <code2
	[ "$(gens alice)" = $'records\nrecords.1' ]
	run -1 lv-verify alice <code1
	[ "$output" = "lv-verify: rejected: this backup code is inactive: it was used, or a later code was used (codes must be used in order); generate a new one with lv-backup new" ]
	run -0 lv-verify alice <code3
	[ "$(gens alice)" = $'records\nrecords.1\nrecords.2\nrecords.3' ]
	lv-backup new alice >/dev/null
	[ "$(gens alice)" = $'records.1\nrecords.2\nrecords.3\nrecords.4' ]
}

@test "a damaged newest generation: readers show the one before and say so; a change is refused (74)" {
	enrol alice
	lv-backup new alice >/dev/null
	d=$(acctdir alice)
	cp "$d/records.2" "$d/records.1"
	head -c 100 /dev/urandom >"$d/records.3"
	chmod 600 "$d/records.3"
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "lv-status: records of alice: generation 3 is damaged; 2 is shown" ]
	[[ "$output" == *$'\nbackup-codes\t2\n'* ]]
	before=$(cat "$d/records.2" "$d/records.3" | od -An -tx1)
	run -74 lv-verify alice <<<"$code"
	[ "$output" = "lv-verify: damaged records of alice (generation 3; 2 is intact): restore them from a backup" ]
	run -74 lv-backup new alice
	[ "$(cat "$d/records.2" "$d/records.3" | od -An -tx1)" = "$before" ]
}

@test "a generation whose number is not the one it records is damaged" {
	enrol alice
	d=$(acctdir alice)
	cp "$d/records.1" "$d/records.2"
	run --separate-stderr -0 lv-status alice
	[ "$stderr" = "lv-status: records of alice: generation 2 is damaged; 1 is shown" ]
	run -74 lv-verify alice <<<"$code"
}

@test "only damaged generations: every program exits 74" {
	enrol alice
	: >"$(acctdir alice)/records.1"
	run -74 lv-status alice
	[ "$output" = "lv-status: damaged records of alice; restore them from a backup" ]
	run -74 lv-verify alice <<<"$code"
}

@test "a dead writer's temporary file stays until it is an hour old, then the next change removes it" {
	enrol alice
	d=$(acctdir alice)
	printf 'torn' >"$d/.records.tmp.00000000000000aa"
	printf 'torn' >"$d/.records.tmp.00000000000000bb"
	touch -d '2 hours ago' "$d/.records.tmp.00000000000000aa"
	run -0 lv-status alice
	run -0 lv-verify alice <<<"$code"
	[ ! -e "$d/.records.tmp.00000000000000aa" ]
	[ -e "$d/.records.tmp.00000000000000bb" ]
	run -1 lv-verify alice <<<"$code"
}

@test "a generation that is a symbolic link is never followed (77)" {
	enrol alice
	d=$(acctdir alice)
	mv "$d/records.1" real
	ln -s "$BATS_TEST_TMPDIR/real" "$d/records.1"
	run -77 lv-status alice
	[ "$output" = "lv-status: unsafe records of alice: a symbolic link" ]
	run -77 lv-verify alice <<<"$code"
}
