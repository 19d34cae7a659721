#!/usr/bin/env bats
# The Debian packaging's files as they are in the tree, checked where
# t/package/run cannot: its unit is rated as a whole there, and its cron
# line runs only on a machine without systemd (CI's). Here: the unit's
# sandbox line by line, the cron line on both kinds of machine, the
# set-user-ID list and the lintian overrides' reasons.
load lib

top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
deb=$top/debian

# rules_path NAME: the value debian/rules gives make for NAME.
rules_path() {
	sed -n "s/.*[[:space:]]$1=\\([^[:space:]]*\\).*/\\1/p" "$deb/rules"
}

@test "lv-expire.service runs lv-expire as the packages' user on their paths, with only the state directory writable" {
	local unit="$deb/login-verify.lv-expire.service" user state conf want
	user=$(rules_path LV_USER) state=$(rules_path STATEDIR) conf=$(rules_path CONFFILE)
	[ "$user $state $conf" = "_lv /var/lib/lv /etc/lv/lv.conf" ]
	for want in "User=$user" "Group=$user" "ExecStart=/usr/bin/lv-expire -d $state -c $conf" \
		ProtectSystem=strict "ReadWritePaths=$state" NoNewPrivileges=yes PrivateTmp=yes PrivateDevices=yes \
		PrivateNetwork=yes ProtectHome=yes CapabilityBoundingSet= RestrictSUIDSGID=yes UMask=0077; do
		# Once, as here: a second line would add to it or override it.
		run -0 grep -c "^${want%%=*}=" "$unit"
		[ "$output" = 1 ] || { echo "${want%%=*}= $output times"; return 1; }
		run -0 grep -cxF "$want" "$unit"
	done
}

# cron_as_run SYSTEMD_DIR LV_EXPIRE: the cron entry's command, with those
# in place of /run/systemd/system and /usr/bin/lv-expire, run as cron runs
# it (sh, cron.d's PATH) with a logger that keeps what it is given in
# $BATS_TEST_TMPDIR/logged.
cron_as_run() {
	local line cmd
	line=$(grep -v -e '^#' -e '^$' -e '=' "$deb/login-verify.lv-expire.cron.d")
	[ "$(awk -F '\t' '{ print NF, $1, $2 }' <<<"$line")" = "3 * * * * * _lv" ] || return 70
	cmd=$(awk -F '\t' '{ print $3 }' <<<"$line")
	[ "$(grep -o -e /run/systemd/system -e /usr/bin/lv-expire <<<"$cmd" | sort | uniq -c | awk '{ print $1 }' |
		paste -sd ' ')" = "1 2" ] || return 70
	cmd=${cmd//\/run\/systemd\/system/$1}
	cmd=${cmd//\/usr\/bin\/lv-expire/$2}
	mkdir -p fakebin
	printf '#!/bin/sh\n{ echo "logger $*"; cat; } >>%s/logged\n' "$BATS_TEST_TMPDIR" >fakebin/logger
	chmod 755 fakebin/logger
	: >logged
	env -i PATH="$BATS_TEST_TMPDIR/fakebin:/usr/bin:/bin" /bin/sh -c "$cmd"
}

@test "the cron line runs lv-expire, its output to syslog, only where systemd does not run and lv-expire is installed" {
	printf '#!/bin/sh\necho "lv-expire ran $*"\necho "a warning" >&2\n' >lv-expire
	chmod 755 lv-expire
	run -0 cron_as_run "$BATS_TEST_TMPDIR/no-systemd" "$BATS_TEST_TMPDIR/lv-expire"
	[ "$output" = "" ]
	[ "$(cat logged)" = "logger -t lv-expire -p authpriv.info
lv-expire ran 
a warning" ]
	mkdir -p run/systemd/system
	run -0 cron_as_run "$BATS_TEST_TMPDIR/run/systemd/system" "$BATS_TEST_TMPDIR/lv-expire"
	[ "$output" = "" ]
	[ "$(cat logged)" = "" ]
	# Removed, not purged: the conffile stays, lv-expire is gone.
	chmod 644 lv-expire
	run -0 cron_as_run "$BATS_TEST_TMPDIR/no-systemd" "$BATS_TEST_TMPDIR/lv-expire"
	[ "$output" = "" ]
	[ "$(cat logged)" = "" ]
}

@test "the package makes set-user-ID exactly the programs make install-setuid does" {
	run -0 sed -n 's/^\tfor p in \(.*\); do$/\1/p' "$deb/login-verify.postinst"
	[ "$output" = "$(sed -n 's/^SETUID_PROGS = //p' "$top/Makefile")" ]
	[ "$output" = "lv-verify lv-sendcode lv-requests" ]
}

@test "every lintian override says why in the comment above it" {
	local f n=0
	for f in "$deb"/*.lintian-overrides; do
		run -0 awk 'NF && !/^#/ && prev !~ /^# ./ { print FILENAME ":" FNR ": " $0 } { prev = $0 }' "$f"
		[ "$output" = "" ]
		n=$((n + $(grep -c -v -e '^#' -e '^$' "$f")))
	done
	[ "$n" -ge 1 ]
}
