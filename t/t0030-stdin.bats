#!/usr/bin/env bats
# An answer on standard input: one line of at most 256 printable bytes;
# spaces and dashes are ignored, letters are case-insensitive. Anything else
# exits 65, counts as no failure and changes nothing.
load lib

# unchanged ACCOUNT: the records are byte for byte what they were at $before.
unchanged() {
	cmp -s "$before" "$(records "$1")"
}


malformed() {
	enrol alice
	before="$BATS_TEST_TMPDIR/before"
	cp "$(records alice)" "$before"
}

@test "binary junk on stdin exits 65 and changes nothing" {
	malformed
	run -65 lv-verify alice < <(printf '\x00\x01\xff\xfe%s\n' "$code")
	[ "$output" = "lv-verify: malformed answer: one line of at most 256 printable bytes expected" ]
	run -65 lv-verify alice < <(head -c 64 /dev/urandom)
	run -65 lv-verify alice < <(printf '%s\x1b\n' "$code")
	unchanged alice
	[ "$(fact alice failures)" = 0 ]
}

@test "257 bytes exit 65; a code padded with spaces to 256 bytes is accepted" {
	malformed
	local pad256 pad257
	pad256=$(printf '%-256s' "$code")
	pad257=$(printf '%-257s' "$code")
	[ "${#pad256}" -eq 256 ]
	run -65 lv-verify alice <<<"$pad257"
	[ "$output" = "lv-verify: malformed answer: one line of at most 256 printable bytes expected" ]
	unchanged alice
	run -0 lv-verify alice <<<"$pad256"
}

@test "a megabyte on stdin exits 65 without reading it all into the records" {
	malformed
	run -65 lv-verify alice < <(head -c 1048576 /dev/zero | tr '\0' A)
	unchanged alice
}

@test "two lines on stdin exit 65, even when the first is the right code" {
	malformed
	run -65 lv-verify alice < <(printf '%s\n%s\n' "$code" "$code")
	run -65 lv-verify alice < <(printf '%s\n\n' "$code")
	unchanged alice
	run -0 lv-verify alice <<<"$code"
}

@test "an empty answer, or only spaces and dashes, exits 65" {
	malformed
	run -65 lv-verify alice </dev/null
	[ "$output" = "lv-verify: malformed answer: empty" ]
	run -65 lv-verify alice <<<""
	run -65 lv-verify alice <<<" - -- "
	unchanged alice
}

@test "a tab inside the answer exits 65" {
	malformed
	run -65 lv-verify alice <<<"${code:0:9}	${code:10}"
	[ "$output" = "lv-verify: malformed answer: a tab is not part of any code" ]
	unchanged alice
}

@test "an answer of no known shape exits 65 and counts no failure" {
	malformed
	for a in 12345 1234567 ABCD-EFGH-JKMN-PQR ABCD-EFGH-JKMN-PQRST hello "ABCD EFGH JKMN PQRU"; do
		run -65 lv-verify alice <<<"$a"
		[ "$output" = "lv-verify: malformed answer: not a 6-digit code, a backup code or a temporary password" ]
	done
	unchanged alice
	[ "$(fact alice failures)" = 0 ]
}

@test "lower case, no dashes, spaces instead and no final newline are all the same code" {
	enrol alice
	run -0 lv-verify alice <<<"${code,,}"
	lv-backup new alice >code2
	run -0 lv-verify alice <<<"$(tr -d '-' <code2)"
	lv-backup new alice >code3
	run -0 lv-verify alice < <(printf '%s' "$(tr '-' ' ' <code3)")
	lv-backup new alice >code4
	run -0 lv-verify alice < <(printf '  %s\r\n' "$(cat code4)")
}

@test "Crockford look-alikes read as their digits: O as 0, I and L as 1" {
	enrol alice
	# Find a code with a 0 or a 1 in it, then type it with the look-alike.
	local i
	for ((i = 0; i < 40; i++)); do
		[[ "$code" == *[01]* ]] && break
		lv-backup reset alice >code.txt
		code=$(cat code.txt)
	done
	[[ "$code" == *[01]* ]]
	run -0 lv-verify alice <<<"$(tr '01' 'ol' <<<"$code")"
}

@test "--method backup refuses a 6-digit answer as malformed (65)" {
	malformed
	run -65 lv-verify alice --method backup <<<123456
	[ "$output" = "lv-verify: malformed answer: not a backup code" ]
	unchanged alice
}
