#!/usr/bin/env bats
load lib

@test "HMAC-SHA1, HOTP, TOTP (RFC 6238 appendix B, SHA-1) and base32 match the published vectors" {
	run -0 totp-vectors
	[ "$output" = "33 vectors passed" ]
}
