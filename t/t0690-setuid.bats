#!/usr/bin/env bats
# The set-user-ID deployment (SPEC, Privilege), as root: a scratch service
# user owns the state directory; two ordinary users and an admin run the
# installed programs.
load lib

svc=lvsvc-test
u1=lvuser1-test
u2=lvuser2-test
adm=lvadm-test
admgrp=lvadmgrp-test
# How a refusal to an ordinary user ends while admin_group names $admgrp.
others="root and the admin group $admgrp (admin_group in $D/lv.conf) may act on any"

setup_file() {
	D=$(mktemp -d /tmp/lv-setuid.XXXXXX)
	chmod 755 "$D"
	export D
	getent group "$admgrp" >/dev/null || groupadd "$admgrp"
	for u in "$svc" "$u1" "$u2" "$adm"; do
		id "$u" >/dev/null 2>&1 || useradd -M -d /nonexistent -p '*' -s /bin/sh "$u"
	done
	usermod -a -G "$admgrp" "$adm"
	"$BATS_TEST_DIRNAME/setuid-install" "$D" "$svc"
	cat >"$D/gw" <<-EOF
	#!/bin/sh
	{ echo "args: \$*"; echo "ids: \$(id -u) \$(id -ru)"; cat; env | sort; } >>"$D/gw.out"
	EOF
	touch "$D/gw.out"
	chown "$svc" "$D/gw.out"
	chmod 755 "$D/gw"
	printf 'sms_gateway = %s\nadmin_group = %s\n' "$D/gw" "$admgrp" >"$D/lv.conf"
	runuser -u "$svc" -- "$D/prefix/bin/lv-enroll" --init
}

teardown_file() {
	for u in "$svc" "$u1" "$u2" "$adm"; do userdel "$u" 2>/dev/null || true; done
	groupdel "$admgrp" 2>/dev/null || true
	rm -rf "$D"
}

setup() {
	cd "$D" || return 1
	unset LV_DIR LV_CONF
	for u in "$u1" "$u2"; do
		as root lv-unenroll "$u" --reason "next test" >/dev/null 2>&1 || true
	done
	rm -f "$D/phone.key" "$D/phone.pub"
	: >"$D/gw.out"
}

# as USER PROGRAM ARGS...: an installed program run by USER.
as() {
	local who=$1 prog=$2
	shift 2
	runuser -u "$who" -- "$D/prefix/bin/$prog" "$@"
}

@test "only the self-service programs are installed set-user-ID to the service user, the state directory 0700" {
	run -0 stat -c '%U %a' "$D/state" "$D/prefix/bin"/lv-*
	[ "$output" = "$svc 700
root 755
root 755
root 755
root 755
$svc 4755
$svc 4755
root 755
root 755
root 755
root 755
$svc 4755" ]
}

@test "the site key is beside the state directory, in a directory of its own the service user owns (0700), and no one else reads it" {
	run -0 stat -c '%U %a' "$D/state-key" "$D/state-key/site.key"
	[ "$output" = "$svc 700
$svc 600" ]
	[ "$(ls -A "$D/state-key")" = site.key ]
	[ ! -e "$D/state/site.key" ]
	run -1 runuser -u "$u1" -- cat "$D/state-key/site.key"
	run --separate-stderr -0 as root lv-status --list
	[ "$stderr" = "" ]
}

@test "an ordinary user verifies their own account, and no other" {
	code1=$(as root lv-enroll "$u1" --phone +15551234567)
	code2=$(as root lv-enroll "$u2" --phone +15551234568)
	run -77 as "$u1" lv-verify "$u2" <<<"$code2"
	[ "$output" = "lv-verify: you may act only on your own account ($u1): $others" ]
	run -0 as "$u1" lv-verify "$u1" <<<"$code1"
	run -0 as root lv-verify "$u2" <<<"$code2"
}

@test "an ordinary user asks which methods their own account has, and no other's" {
	as root lv-enroll "$u1" --phone +15551234567 >/dev/null
	as root lv-enroll "$u2" --phone +15551234568 >/dev/null
	run --separate-stderr -0 as "$u1" lv-verify "$u1" --methods
	[ "$output" = "sms	gateway
backup" ]
	run -77 as "$u1" lv-verify "$u2" --methods
	[ "$output" = "lv-verify: you may act only on your own account ($u1): $others" ]
}

@test "root running a program that is not set-user-ID acts as the state directory's owner" {
	# The support programs need not be set-user-ID: root runs them (here
	# the tree's own build), and what they write stays the service user's.
	code1=$(lv-enroll -d "$D/state" -c "$D/lv.conf" "$u1" --phone +15551234567)
	run -0 find "$D/state" "$D/state-key" ! -user "$svc"
	[ "$output" = "" ]
	run -0 as "$u1" lv-verify "$u1" <<<"$code1"
	run -0 lv-unlock -d "$D/state" -c "$D/lv.conf" "$u1" --reason "ticket 7"
	run -0 find "$D/state" ! -user "$svc"
	[ "$output" = "" ]
	run -0 as root lv-status "$u1" --log
	[[ "$output" == *" event=unlock method=- result=ok by=root reason=\"ticket 7\""* ]]
}

@test "-d, -c and the environment are ignored for an ordinary caller" {
	code1=$(as root lv-enroll "$u1" --phone +15551234567)
	mkdir -m 777 "$D/elsewhere"
	run -0 runuser -u "$u1" -- env LV_DIR="$D/elsewhere/s" LV_CONF="$D/elsewhere/c" TZ=Asia/Tokyo \
		LANG=de_DE.UTF-8 PATH="$D/elsewhere" "$D/prefix/bin/lv-verify" "$u1" -d "$D/elsewhere/s2" \
		-c "$D/elsewhere/c2" <<<"$code1"
	run -0 ls -A "$D/elsewhere"
	[ "$output" = "" ]
}

@test "lv-sendcode for oneself goes through the configured gateway and never prints the code" {
	as root lv-enroll "$u1" --phone +15551234567 >/dev/null
	run --separate-stderr -0 runuser -u "$u1" -- env TZ=Asia/Tokyo LV_DIR=/x "$D/prefix/bin/lv-sendcode" "$u1"
	[ "$output" = "" ]
	run -0 grep -c '^args: +15551234567$' "$D/gw.out"
	svcid=$(id -u "$svc")
	run -0 grep -c "^ids: $svcid $svcid\$" "$D/gw.out"
	code=$(sed -n 's/.*code: \([0-9]\{6\}\).*/\1/p' "$D/gw.out")
	[ -n "$code" ]
	run -1 grep -E '^(TZ|LV_DIR)=' "$D/gw.out"
	run -77 as "$u1" lv-sendcode "$u1" --exec /bin/cat
	[ "$output" = "lv-sendcode: you may send a code only through the configured SMS gateway: root and the admin group $admgrp (admin_group in $D/lv.conf) may use --exec" ]
	run -77 as "$u1" lv-sendcode "$u2"
	[ "$output" = "lv-sendcode: you may act only on your own account ($u1): $others" ]
	run -0 as "$u1" lv-verify "$u1" <<<"$code"
}

@test "lv-requests new for oneself is allowed; list, show, answer and --exec are not" {
	as root lv-device keygen --key "$D/phone.key" >"$D/phone.pub"
	as root lv-enroll "$u1" --device-key - <"$D/phone.pub" >/dev/null
	run --separate-stderr -0 as "$u1" lv-requests new "$u1"
	[[ "$output" =~ ^[0-9a-f]{12}$'\t'[0-9]{2}$'\t'[A-Za-z0-9+/=]+$ ]]
	run -77 as "$u1" lv-requests list "$u1"
	run -77 as "$u1" lv-requests new "$u1" --exec /bin/true
	run -77 as "$u1" lv-requests new "$u2"
}

@test "support programs reach no account for an ordinary user; the admin group uses the set-user-ID ones on any account" {
	code1=$(as root lv-enroll "$u1" --phone +15551234567)
	as root lv-enroll "$u2" --phone +15551234568 >/dev/null
	# Not set-user-ID, they run with the user's own rights.
	for cmd in "lv-status $u2" "lv-backup new $u2" "lv-unlock $u2 --reason x" "lv-unenroll $u2 --reason x" \
		"lv-temppass $u2" "lv-enroll --update $u2 --phone +15550000000" "lv-expire"; do
		read -ra words <<<"$cmd"
		run -74 as "$u2" "${words[@]}"
		[ "$output" = "${words[0]}: cannot open state directory $D/state: Permission denied (it belongs to $svc: run ${words[0]} as root, or as $svc with runuser -u $svc --)" ]
	done
	run -77 as "$u2" lv-requests list "$u1"
	[ "$output" = "lv-requests: only root or the admin group $admgrp (admin_group in $D/lv.conf) may run lv-requests" ]
	run -0 as "$adm" lv-requests list "$u1"
	run -0 as "$adm" lv-verify "$u1" <<<"$code1"
	[ "$(as root lv-status "$u2" | awk -F '\t' '$1 == "enrolled" { print $2 }')" = yes ]
}

@test "with no admin_group set, the refusal says only root may, and which file can name a group" {
	local list own
	cp -p "$D/lv.conf" "$D/lv.conf.set"
	grep -v '^admin_group' "$D/lv.conf.set" >"$D/lv.conf"
	list=$(as "$adm" lv-requests list "$u1" 2>&1; echo "exit $?")
	own=$(as "$adm" lv-verify "$u1" <<<"000000" 2>&1; echo "exit $?")
	cp -p "$D/lv.conf.set" "$D/lv.conf"
	[ "$list" = "lv-requests: only root may run lv-requests; admin_group in $D/lv.conf can name a group that may too
exit 77" ]
	[ "$own" = "lv-verify: you may act only on your own account ($adm): root may act on any, and admin_group in $D/lv.conf can name a group that may too
exit 77" ]
}

@test "an ordinary user cannot read another's records" {
	run -1 runuser -u "$u2" -- find "$D/state" -name records
	[[ "$output" == *"Permission denied"* ]]
}
