#!/usr/bin/env bats
# lv-expire's bucket hints: a bucket whose hint is later than now is passed
# over; writers lower the hint; a missing, damaged or raced hint means a
# sweep, never a skipped expiry.
load lib
export TZ=UTC

# The tests run years after the enrolments, whose audit lines would be
# trimmed (audit_retention, t0503): every line is kept here.
setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	conf "audit_retention = 0"
}

T="2030-01-01 00:00:00"
# A keyed hash's shape, for planted records (they are never accepted).
HASH=$(printf 'ab%.0s' {1..32})

expire() {
	local when=$1
	shift
	run --separate-stderr faketime -f "$when" lv-expire "$@"
}

# The hints file above an account's bucket, and the account's slot in it.
hints() {
	dirname "$(dirname "$(acctdir "$1")")"
}
slot() {
	echo $((16#$(basename "$(dirname "$(acctdir "$1")")")))
}

# buddy ACCOUNT: a name in the same leaf bucket (lv_store_bucket: the
# first two bytes of BLAKE2b of the name).
buddy() {
	python3 -c '
import hashlib, sys
want = hashlib.blake2b(sys.argv[1].encode(), digest_size=2).digest()
print(next("b%d" % i for i in range(10**7)
           if hashlib.blake2b(b"b%d" % i, digest_size=2).digest() == want))' "$1"
}

# plant_code ACCOUNT: an SMS code that expired in 2001, written behind the
# store's back, so no hint knows of it.
plant_code() {
	records-set "$(records "$1")" "sms.code.00000099=1000000000"$'\t0\tlive\t'"$HASH"
}
planted() {
	grep -a -c 'sms\.code\.00000099' "$(records "$1")"
}

@test "a bucket whose hint is later than now is passed over, and swept once the hint is gone" {
	enrol alice
	run -0 lv-expire
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	[ -f "$(hints alice)/.hints" ]
	plant_code alice
	expire "$T"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
	run -0 planted alice
	rm "$(hints alice)/.hints"
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	run -0 lv-status alice
	[[ "$output" == *$'sms-pending\tno'* ]]
}

@test "a writer lowers the hint: the next sweep visits the bucket, every account in it" {
	enrol alice
	b=$(buddy alice)
	enrol "$b"
	[ "$(acctdir alice | xargs dirname)" = "$(acctdir "$b" | xargs dirname)" ]
	run -0 lv-expire
	plant_code "$b"
	faketime -f "$T" lv-temppass alice --ttl 60 >/dev/null
	expire "2030-01-01 00:00:59"
	[ "$output" = "accounts 2, codes 0, requests 0, passwords 0, audit-lines 0" ]
	expire "2030-01-01 00:01:00"
	[ "$output" = "accounts 2, codes 1, requests 0, passwords 1, audit-lines 0" ]
	expire "2030-01-01 00:01:00"
	[ "$output" = "accounts 2, codes 0, requests 0, passwords 0, audit-lines 0" ]
}

@test "every kind of writer lowers the hint: SMS codes and login requests too" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
	enrol bob
	run -0 lv-expire
	faketime -f "$T" lv-requests new alice >/dev/null
	faketime -f "$T" lv-sendcode bob >/dev/null
	expire "2030-01-01 00:10:01"
	[ "$output" = "accounts 2, codes 1, requests 1, passwords 0, audit-lines 0" ]
}

@test "an account of another bucket with nothing due is not read" {
	enrol alice
	enrol bob
	run -0 lv-expire
	plant_code bob
	faketime -f "$T" lv-temppass alice --ttl 60 >/dev/null
	[ "$(hints alice)/$(slot alice)" != "$(hints bob)/$(slot bob)" ]
	expire "2030-01-01 00:01:00"
	[ "$output" = "accounts 2, codes 0, requests 0, passwords 1, audit-lines 0" ]
	run -0 planted bob
}

@test "a damaged hint means a sweep" {
	enrol alice
	run -0 lv-expire
	plant_code alice
	printf 'X' | dd of="$(hints alice)/.hints" bs=1 seek=$(($(slot alice) * 101 + 40)) conv=notrunc 2>/dev/null
	expire "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "" ]
}

@test "an emptied hints file means a sweep, and is filled again" {
	enrol alice
	run -0 lv-expire
	plant_code alice
	: >"$(hints alice)/.hints"
	expire "$T"
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	plant_code alice
	expire "$T"
	[ "$output" = "accounts 1, codes 0, requests 0, passwords 0, audit-lines 0" ]
}

@test "the hint file: one fixed-width slot a leaf bucket, the time nothing is due before" {
	enrol alice
	faketime -f "$T" lv-temppass alice --ttl 60 >/dev/null
	expire "$T"
	file="$(hints alice)/.hints"
	run -0 stat -c '%a %s' "$file"
	[ "$output" = "600 $((($(slot alice) + 1) * 101))" ]
	run -0 dd if="$file" bs=101 skip="$(slot alice)" count=1 status=none
	[[ "$output" =~ ^lv1-hint\ [0-9a-f]{16}\ [0-9]{20}\ 00000000001893456060\ [0-9a-f]{32}$ ]]
	expire "2030-01-01 00:01:00"
	run -0 dd if="$file" bs=101 skip="$(slot alice)" count=1 status=none
	[[ "$output" =~ ^lv1-hint\ [0-9a-f]{16}\ [0-9]{20}\ 09223372036854775807\ [0-9a-f]{32}$ ]]
}

@test "--dry-run trusts a hint but writes none" {
	enrol alice
	faketime -f "$T" lv-temppass alice --ttl 60 >/dev/null
	rm -f "$(hints alice)/.hints"
	expire "2030-01-01 00:01:00" --dry-run
	[ "$output" = "$(printf '%s\n' "alice: codes 0, requests 0, passwords 1, audit-lines 0" \
	    "accounts 1, codes 0, requests 0, passwords 1, audit-lines 0")" ]
	[ ! -e "$(hints alice)/.hints" ]
}

@test "an unsafe hints file: reported (77), its buckets swept, and writers refuse" {
	enrol alice
	run -0 lv-expire
	plant_code alice
	chmod 0666 "$(hints alice)/.hints"
	expire "$T"
	[ "$status" -eq 77 ]
	[ "$output" = "accounts 1, codes 1, requests 0, passwords 0, audit-lines 0" ]
	[ "$stderr" = "lv-expire: unsafe hint file $(basename "$(hints alice)")/.hints: mode 0666 gives access to others" ]
	run -77 lv-temppass alice
	[[ "$output" == "lv-temppass: unsafe hint of bucket "*": mode 0666 gives access to others" ]]
	run -0 lv-status alice
	[[ "$output" != *temppass* ]]
}

@test "a sweep's compare and swap loses to any writer in between; a held hint blocks a sweep" {
	conf "audit_retention = 0" "lock_wait_ms = 100"
	enrol alice
	run -0 --separate-stderr hint-cas alice
	[ "$output" = "$(printf '%s\n' 'a 5000' 'b 3000' 'c 3000' 'd 9000' 'e 0' 'f none' 'g busy' 'h 0')" ]
	[[ "$stderr" == "hint-cas: hint of bucket "*" is busy (lock held for more than 100 ms); try again" ]]
}
