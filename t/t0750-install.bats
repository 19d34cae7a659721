#!/usr/bin/env bats
# Building and installing as packagers and operators expect: the flags a
# packager passes, what make compiles in, make install and uninstall, the
# PAM module's directory, a set-user-ID installation kept over a reinstall,
# and what make deps installs. Each test works on a copy of this tree and
# its fresh build, so that make there rebuilds only what a change needs.
load lib

top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# copy_tree [DIR]: this tree's sources and build in $w (DIR/src, by
# default in the test's directory), times kept.
copy_tree() {
	w="${1:-$BATS_TEST_TMPDIR}/src"
	mkdir -p "$w"
	(cd "$top" && cp -a Makefile cmd lib pam share doc bin "$w/")
}

svc=lvinstsvc

teardown() {
	[ -z "${service:-}" ] || rm -f "/etc/pam.d/$service"
	[ -z "${scratch:-}" ] || rm -rf "$scratch"
	userdel "$svc" 2>/dev/null || true
}

# pam_service MODULE ARGS...: a PAM service of this test's own, the module
# alone after pam_permit; its name in $service.
pam_service() {
	service="lvinstall-$$-$BATS_TEST_NUMBER"
	printf 'auth requisite pam_permit.so\nauth required %s\naccount required pam_permit.so\n' \
		"$*" >"/etc/pam.d/$service"
}

# with_syslog OUT COMMAND...: runs COMMAND with /dev/log a socket of this
# test's, in a mount namespace of its own (over a /dev with only the
# devices it needs); the messages sent there go to OUT, one a line. Waits
# for the first message and exits with COMMAND's status.
with_syslog() {
	local out=$1 rc catcher
	shift
	python3 "$BATS_TEST_DIRNAME/syslog-catch.py" "$out.sock" "$out" 3>&- &
	catcher=$!
	for _ in $(seq 200); do [ -S "$out.sock" ] && break; sleep 0.05; done
	mkdir -p "$out.dev"
	unshare --mount --propagation private sh -c '
		mount --rbind /dev "$1" && mount -t tmpfs -o mode=755 lvdev /dev || exit 70
		for n in null zero random urandom; do
			touch "/dev/$n" && mount --bind "$1/$n" "/dev/$n" || exit 70
		done
		ln -s /proc/self/fd /dev/fd && touch /dev/log && mount --bind "$2" /dev/log || exit 70
		shift 2
		exec "$@"' sh "$out.dev" "$out.sock" "$@"
	rc=$?
	for _ in $(seq 200); do [ -s "$out" ] && break; sleep 0.05; done
	rm -f "$out.sock"
	wait "$catcher"
	return "$rc"
}

# mk ARGS...: make in the copy, silent, without what a calling make (make
# check) or CI put in the environment.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR make -s -C "$w" "$@"
}

@test "CPPFLAGS reach the compiler; a warning stops the build only with WERROR=1" {
	copy_tree
	echo '#warning "CPPFLAGS seen"' >"$BATS_TEST_TMPDIR/seen.h"
	rm "$w/lib/lv_valid.o" "$w/pam/pam_lv.so"
	run --separate-stderr -0 mk lib/lv_valid.o pam/pam_lv.so CPPFLAGS="-include $BATS_TEST_TMPDIR/seen.h"
	[ "$output" = "CC lib/lv_valid.c
CC pam/pam_lv.so" ]
	run -0 grep -c 'warning: #warning "CPPFLAGS seen"' <<<"$stderr"
	[ "$output" = 2 ]
	rm "$w/lib/lv_valid.o"
	run --separate-stderr -2 mk lib/lv_valid.o CPPFLAGS="-include $BATS_TEST_TMPDIR/seen.h" WERROR=1
	[[ "$stderr" == *'error: #warning "CPPFLAGS seen" [-Werror=cpp]'* ]]
	[ ! -e "$w/lib/lv_valid.o" ]
	WERROR=1 run --separate-stderr -2 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$w" \
		lib/lv_valid.o CPPFLAGS="-include $BATS_TEST_TMPDIR/seen.h"
	[[ "$stderr" == *'error: #warning "CPPFLAGS seen" [-Werror=cpp]'* ]]
}

@test "--version in every program prints the version and the compiled-in directory, configuration and user" {
	for p in "$top"/bin/lv-*; do
		run --separate-stderr -0 "$p" --version
		[ "$output" = "${p##*/} 0.1.0
state directory: /var/lib/lv
configuration: /etc/lv/lv.conf
set-user-ID user: _lv" ]
	done
}

@test "a changed STATEDIR, CONFFILE or LV_USER rebuilds the programs, a changed BINDIR the PAM module, and nothing else" {
	copy_tree
	set -- STATEDIR=/srv/x CONFFILE=/srv/x.conf LV_USER=lvx
	run -0 mk all "$@"
	[ "$(sort <<<"$output")" = "$({ printf 'CC lib/%s.c\n' lv_cli lv_ctx
		cd "$top" && printf 'LD %s\n' bin/lv-*; } | sort)" ]
	run -0 "$w/bin/lv-status" --version
	[ "$output" = "lv-status 0.1.0
state directory: /srv/x
configuration: /srv/x.conf
set-user-ID user: lvx" ]
	run -0 mk all "$@"
	[ "$output" = "" ]
	run -0 mk all "$@" BINDIR=/opt/y/bin
	[ "$output" = "CC pam/pam_lv.so" ]
	run -0 mk all "$@" BINDIR=/opt/y/bin
	[ "$output" = "" ]
	# Only what the Makefile rebuilds for them may include the two headers.
	cd "$top"
	run -0 grep -l -e '"lv_build\.h"' -e '"pam_lv_bindir\.h"' lib/*.[ch] cmd/*.c pam/*.c bench/*.c fuzz/*.[ch] t/*.c
	[ "$output" = "$({ sed -n 's/^BUILD_H_USERS = //p' Makefile | tr ' ' '\n' | sed 's,.*,lib/&.c,'
		echo pam/pam_lv.c; } | LC_ALL=C sort)" ]
}

@test "pam_lv runs the programs from the BINDIR it was built with" {
	copy_tree
	run -0 mk pam/pam_lv.so BINDIR="$BATS_TEST_TMPDIR/prefix/bin"
	[ "$output" = "CC pam/pam_lv.so" ]
	mkdir -p "$BATS_TEST_TMPDIR/prefix"
	cp -a "$top/bin" "$BATS_TEST_TMPDIR/prefix/"
	pam_service "$w/pam/pam_lv.so dir=$LV_DIR conf=$LV_CONF"
	enrol root
	run -0 pamtester "$service" root authenticate <<<"$code"
	[ "$output" = "SMS code or backup code: pamtester: successfully authenticated" ]
}

@test "when pam_lv cannot run a program, syslog names the path it tried and why" {
	enrol root
	mkdir "$BATS_TEST_TMPDIR/noexec"
	cp "$top/bin/lv-verify" "$BATS_TEST_TMPDIR/noexec/"
	chmod 644 "$BATS_TEST_TMPDIR/noexec/lv-verify"
	for dir in nothing noexec; do
		pam_service "$top/pam/pam_lv.so bindir=$BATS_TEST_TMPDIR/$dir dir=$LV_DIR conf=$LV_CONF"
		run -1 with_syslog "$BATS_TEST_TMPDIR/syslog" pamtester "$service" root authenticate <<<"$code"
		[ "$output" = "Login verification is not available now; the system log says why.
pamtester: System error" ]
	done
	run -0 sed 's/.*: pam_lv(lvinstall-[0-9-]*:auth): //' "$BATS_TEST_TMPDIR/syslog"
	[ "$output" = "cannot run $BATS_TEST_TMPDIR/nothing/lv-verify: No such file or directory
cannot run $BATS_TEST_TMPDIR/noexec/lv-verify: Permission denied" ]
}

@test "with PREFIX=/usr the PAM module goes where Debian's libpam finds modules by name, elsewhere to PREFIX/lib/security" {
	local libpam
	libpam=$(dirname "$(find /usr/lib -name pam_permit.so | head -n 1)")
	copy_tree
	run -0 mk install PREFIX=/usr DESTDIR="$BATS_TEST_TMPDIR/debian"
	run -0 find "$BATS_TEST_TMPDIR/debian" -name 'pam_*.so'
	[ "$output" = "$BATS_TEST_TMPDIR/debian$libpam/pam_lv.so" ]
	run -0 mk install PREFIX=/opt/lv DESTDIR="$BATS_TEST_TMPDIR/opt"
	run -0 find "$BATS_TEST_TMPDIR/opt" -name 'pam_*.so'
	[ "$output" = "$BATS_TEST_TMPDIR/opt/opt/lv/lib/security/pam_lv.so" ]
	run -0 mk install PREFIX=/usr PAMDIR=/pam DESTDIR="$BATS_TEST_TMPDIR/pamdir"
	run -0 find "$BATS_TEST_TMPDIR/pamdir" -name 'pam_*.so'
	[ "$output" = "$BATS_TEST_TMPDIR/pamdir/pam/pam_lv.so" ]
}

@test "make install over a set-user-ID installation keeps the self-service programs so; anyone but root is refused" {
	id "$svc" >/dev/null 2>&1 || useradd -M -d /nonexistent -p '*' -s /usr/sbin/nologin "$svc"
	# Under /tmp, not the test's directory, so that nobody can reach it.
	scratch=$(mktemp -d /tmp/lv-install-setuid.XXXXXX)
	chmod 755 "$scratch"
	copy_tree "$scratch"
	local d="$scratch/dest" bin="$scratch/dest/usr/local/bin" modes
	mk install-setuid DESTDIR="$d" LV_USER="$svc" >/dev/null
	modes="root 755 lv-backup
root 755 lv-device
root 755 lv-enroll
root 755 lv-expire
$svc 4755 lv-requests
$svc 4755 lv-sendcode
root 755 lv-status
root 755 lv-temppass
root 755 lv-unenroll
root 755 lv-unlock
$svc 4755 lv-verify"
	[ "$(cd "$bin" && stat -c '%U %a %n' *)" = "$modes" ]
	# An older installation made every support program set-user-ID too.
	chown "$svc" "$bin/lv-status"
	chmod 4755 "$bin/lv-status"
	run -0 mk install DESTDIR="$d" LV_USER="$svc"
	[ "$output" = "make install: lv-status is no longer set-user-ID (lv(7), Set-user-ID installation)" ]
	[ "$(cd "$bin" && stat -c '%U %a %n' *)" = "$modes" ]
	[ "$(ls -A "$bin" | wc -l)" -eq 11 ]
	chown -R nobody "$w"
	run --separate-stderr -2 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$w" install DESTDIR="$d" LV_USER="$svc"
	[ "${stderr_lines[0]}" = "make install: $bin/lv-verify is set-user-ID to $svc: run make install as root, which keeps it so" ]
	[ "$(cd "$bin" && stat -c '%U %a %n' *)" = "$modes" ]
}

@test "make uninstall removes exactly what make install wrote" {
	local d="$BATS_TEST_TMPDIR/dest"
	copy_tree
	mkdir -p "$d/usr/local/bin" "$d/usr/local/lib/security" "$d/usr/local/share/man/man"{1,5,7,8}
	echo other >"$d/usr/local/bin/other"
	echo other >"$d/usr/local/share/man/man1/other.1"
	echo other >"$d/usr/local/lib/security/pam_other.so"
	(cd "$d" && find . | sort) >before
	run -0 mk install DESTDIR="$d"
	[ "$output" = "" ]
	[ -x "$d/usr/local/bin/lv-verify" ]
	[ -f "$d/usr/local/share/lv/demo.d/10-lost-phone.sh" ]
	[ -f "$d/usr/local/lib/security/pam_lv.so" ]
	run -0 mk uninstall DESTDIR="$d"
	[ "$output" = "" ]
	(cd "$d" && find . | sort) | diff -u before -
}

@test "etc/lv.conf is installed where CONFFILE says only when none is there, and make uninstall leaves it" {
	local d="$BATS_TEST_TMPDIR/dest" p="$BATS_TEST_TMPDIR/prefix"
	copy_tree
	mkdir "$w/etc"
	printf '# every key at its default\n' >"$w/etc/lv.conf"
	run -0 mk install DESTDIR="$d"
	[ "$output" = "" ]
	cmp "$w/etc/lv.conf" "$d/etc/lv/lv.conf"
	[ "$(stat -c %a "$d/etc/lv/lv.conf")" = 644 ]
	echo 'lock_after = 3' >"$d/etc/lv/lv.conf"
	run -0 mk install DESTDIR="$d"
	run -0 mk uninstall DESTDIR="$d"
	[ "$(cat "$d/etc/lv/lv.conf")" = "lock_after = 3" ]
	run -0 find "$d" -type f
	[ "$output" = "$d/etc/lv/lv.conf" ]
	# Without DESTDIR, nothing is written outside PREFIX unless asked.
	set -- PREFIX="$p" CONFFILE="$BATS_TEST_TMPDIR/etc/lv.conf"
	mk all "$@" >/dev/null
	run -0 mk install "$@"
	[ "$output" = "make install: $BATS_TEST_TMPDIR/etc/lv.conf is outside PREFIX and not installed; make install-conf installs it" ]
	[ ! -e "$BATS_TEST_TMPDIR/etc" ]
	run -0 mk install-conf "$@"
	cmp "$w/etc/lv.conf" "$BATS_TEST_TMPDIR/etc/lv.conf"
	# A tree without one installs none.
	rm -r "$w/etc"
	run -0 mk install "$@" DESTDIR="$d.none"
	[ "$output" = "" ]
	run -0 find "$d.none" -name lv.conf
	[ "$output" = "" ]
}

@test "make demo installs only what building and the demo need, make check adds what the tests run, the sanitizers, the browser tests and bench theirs" {
	local build demo check t
	build="build-essential pkg-config libsodium-dev libcdb-dev libqrencode-dev libpam0g-dev liboath-dev libjson-c-dev"
	build="$build libfido2-dev libcbor-dev"
	demo="$build faketime oathtool"
	check="$demo bats python3 procps parallel curl shellcheck mandoc man-db zbar-tools pamtester"
	check="$check libpam-google-authenticator openssh-server openssh-client jq python3-cryptography"
	for t in "demo:$demo" "check:$check" "deps:$check" "check-asan:$check clang libclang-rt-14-dev" \
		"check-valgrind:$check valgrind" "fuzz:$build clang libclang-rt-14-dev" \
		"fuzz-replay:$build clang libclang-rt-14-dev" "check-distributed:$check" \
		"check-web:$check chromium chromium-driver python3-selenium qrencode" \
		"bench:$build libpam-google-authenticator pamtester python3"; do
		run -0 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -n -C "$top" "${t%%:*}"
		[ "${lines[0]}" = "tools/install-debs ${t#*:}" ]
	done
}

# A package that installs as openssh-server does: its maintainer scripts
# enable ssh.service (with an alias) and ssh.socket, make start links for
# the init script, and ask policy-rc.d to start it (what invoke-rc.d and
# deb-systemd-invoke do), noting the answer in DPKG_ROOT/started.
fake_apt() {
	mkdir -p "$BATS_TEST_TMPDIR/stub"
	cat >"$BATS_TEST_TMPDIR/stub/apt-get" <<-'EOF'
	#!/bin/sh
	[ "$1" = update ] && exit 0
	r=$DPKG_ROOT
	mkdir -p "$r/lib/systemd/system" "$r/etc/init.d"
	printf '[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n' \
		>"$r/lib/systemd/system/ssh.service"
	printf '[Socket]\nListenStream=22\n[Install]\nWantedBy=sockets.target\n' >"$r/lib/systemd/system/ssh.socket"
	printf '#!/bin/sh\n### BEGIN INIT INFO\n# Provides: ssh\n# Required-Start:\n# Required-Stop:\n# Default-Start: 2 3 4 5\n# Default-Stop:\n# Short-Description: ssh\n### END INIT INFO\n' \
		>"$r/etc/init.d/ssh"
	chmod 755 "$r/etc/init.d/ssh"
	printf '%s\n' /lib/systemd/system/ssh.service /lib/systemd/system/ssh.socket /etc/init.d/ssh \
		>"$r/var/lib/dpkg/info/lvtest-sshd.list"
	printf 'Package: lvtest-sshd\nStatus: install ok installed\nArchitecture: all\nVersion: 1\nMaintainer: t\nDescription: t\n\n' \
		>>"$r/var/lib/dpkg/status"
	DPKG_MAINTSCRIPT_PACKAGE=lvtest-sshd deb-systemd-helper enable ssh.service ssh.socket
	update-rc.d ssh defaults
	find "$r/etc" -type l | wc -l >"$r/enabled"
	"$r/usr/sbin/policy-rc.d" ssh start
	echo $? >"$r/started"
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/stub/apt-get"
}

@test "what make deps installs starts no service and leaves none enabled; the machine's own stay" {
	local r="$BATS_TEST_TMPDIR/root"
	fake_apt
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/usr/sbin" "$r/lib/systemd/system"
	touch "$r/var/lib/dpkg/status"
	printf '#!/bin/sh\nexit 0\n' >"$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
	cp "$r/usr/sbin/policy-rc.d" own-policy
	# A service of the machine's own, enabled before.
	printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' >"$r/lib/systemd/system/own.service"
	DPKG_ROOT=$r DPKG_MAINTSCRIPT_PACKAGE=own deb-systemd-helper enable own.service
	DPKG_ROOT=$r PATH="$BATS_TEST_TMPDIR/stub:$PATH" run -0 "$top/tools/install-debs" lvtest-sshd
	[ "$output" = "installing: lvtest-sshd
install-debs: disabled ssh.service ssh.socket (installed for the tests, not to run)" ]
	# Enabled by the package, refused a start, then disabled.
	[ "$(cat "$r/enabled")" -eq 8 ]
	[ "$(cat "$r/started")" = 101 ]
	run -0 find "$r/etc" -type l -printf '%P -> %l\n'
	[ "$(sort <<<"$output")" = "rc2.d/K01ssh -> ../init.d/ssh
rc3.d/K01ssh -> ../init.d/ssh
rc4.d/K01ssh -> ../init.d/ssh
rc5.d/K01ssh -> ../init.d/ssh
systemd/system/multi-user.target.wants/own.service -> /lib/systemd/system/own.service" ]
	cmp own-policy "$r/usr/sbin/policy-rc.d"
	[ ! -e "$r/usr/sbin/policy-rc.d.install-debs" ]
	# Nothing missing: nothing done.
	DPKG_ROOT=$r PATH="$BATS_TEST_TMPDIR/stub:$PATH" run -0 "$top/tools/install-debs" lvtest-sshd
	[ "$output" = "" ]
	run -0 shellcheck "$top/tools/install-debs"
}

# The real package on this machine: make check installed the OpenSSH
# server (t0710 and t0711 start their own sshd on a private port) through
# tools/install-debs, so on a machine that had no ssh service of its own
# (CI's fresh one) none runs, none listens on port 22 and none is enabled
# for the next boot.
@test "the OpenSSH server make check installed is neither running, nor listening, nor enabled" {
	local pid d dirs
	run -0 dpkg-query -W -f='${db:Status-Status}' openssh-server
	[ "$output" = installed ]
	# No listening socket on port 22 (0016), IPv4 or IPv6.
	run -0 awk '$4 == "0A" && $2 ~ /:0016$/' /proc/net/tcp /proc/net/tcp6
	[ "$output" = "" ]
	# No sshd of the package's configuration: it would write /run/sshd.pid
	# (the tests' own write theirs elsewhere).
	if [ -e /run/sshd.pid ]; then
		pid=$(cat /run/sshd.pid)
		run -1 kill -0 "$pid"
	fi
	# No wants or alias link for its units (what systemctl is-enabled reads),
	# no start link for its init script.
	dirs=()
	for d in /etc/systemd/system /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d; do
		[ ! -d "$d" ] || dirs+=("$d")
	done
	[ "${#dirs[@]}" -gt 0 ]
	run -0 find "${dirs[@]}" \( -lname '*/ssh.service' -o -lname '*/ssh.socket' -o -name 'S[0-9]*ssh' \) -print
	[ "$output" = "" ]
}
