#!/usr/bin/env bats
load lib

@test "lv's TOTP check (HOTP, RFC 4226; TOTP, RFC 6238 appendix B, SHA-1) and base32 match the published vectors" {
	run -0 totp-vectors
	[ "$output" = "28 vectors passed" ]
}
