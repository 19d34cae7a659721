#!/usr/bin/env bats
# A set-user-ID installation that lost its set-user-ID bit or owner (make
# install over make install-setuid, a package reinstalled): a program the
# state directory refuses says what is wrong with it. As root: a scratch
# service user owns the state directory, a scratch user runs copies of
# lv-verify (plain, set-user-ID to the wrong user, or to the right one but
# without the privilege).
load lib

svc=lvsvc-lost
usr=lvuser-lost

setup_file() {
	scratch_user "$svc"
	scratch_user "$usr"
	export D
	D=$(mktemp -d /tmp/lv-lost.XXXXXX)
	chmod 755 "$D"
	LV_DIR="$D/state" LV_CONF="$D/lv.conf" lv-enroll --init
	chown -R "$svc" "$D/state" "$D/state-key"
	mkdir -m 755 "$D/bin"
}

teardown_file() {
	for u in "$svc" "$usr"; do userdel "$u" 2>/dev/null || true; done
	rm -rf "$D"
}

# verify_copy OWNER MODE [WRAPPER...]: a copy of lv-verify with that owner
# and mode, run by the scratch user against the service user's directory.
verify_copy() {
	local owner=$1 mode=$2
	shift 2
	cp "$(command -v lv-verify)" "$D/bin/lv-verify"
	chown "$owner" "$D/bin/lv-verify"
	chmod "$mode" "$D/bin/lv-verify"
	run --separate-stderr runuser -u "$usr" -- "$@" "$D/bin/lv-verify" -d "$D/state" -c "$D/lv.conf" \
		"$usr" <<<"000000"
}

denied() {
	echo "lv-verify: cannot open state directory $D/state: Permission denied ($1)"
}

@test "a copy that is not set-user-ID: 74, and it says whose the directory is and to reinstall set-user-ID" {
	verify_copy root 0755
	[ "$status" -eq 74 ]
	[ "$output" = "" ]
	[ "$stderr" = "$(denied "it belongs to $svc, but $D/bin/lv-verify is not set-user-ID: reinstall it set-user-ID to $svc, see lv(7)")" ]
}

@test "a copy set-user-ID to another user than the directory's owner: 74, naming both" {
	verify_copy "$usr" 4755
	[ "$status" -eq 74 ]
	[ "$stderr" = "$(denied "it belongs to $svc, but $D/bin/lv-verify is set-user-ID to $usr: reinstall it set-user-ID to $svc, see lv(7)")" ]
}

@test "a copy set-user-ID to the owner that ran without it (no_new_privs): 74, saying so" {
	verify_copy "$svc" 4755 setpriv --no-new-privs
	[ "$status" -eq 74 ]
	[ "$stderr" = "$(denied "it belongs to $svc, and $D/bin/lv-verify is set-user-ID to $svc but did not run so: a nosuid mount, or no_new_privs?")" ]
}

@test "a directory the program's own user cannot open gives the plain message" {
	chmod 0000 "$D/state"
	run --separate-stderr runuser -u "$svc" -- "$(command -v lv-verify)" -d "$D/state" -c "$D/lv.conf" \
		"$usr" <<<"000000"
	chmod 0700 "$D/state"
	[ "$status" -eq 74 ]
	[ "$stderr" = "lv-verify: cannot open state directory $D/state: Permission denied" ]
}
