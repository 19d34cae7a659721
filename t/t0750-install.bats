#!/usr/bin/env bats
# Building and installing as packagers and operators expect: the flags a
# packager passes, what make compiles in, make install and uninstall, the
# PAM module's directory, a set-user-ID installation kept over a reinstall,
# and what make deps installs. Each test works on a copy of this tree and
# its fresh build, so that make there rebuilds only what a change needs.
load lib

top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# copy_tree: this tree's sources and build in $w, times kept.
copy_tree() {
	w="$BATS_TEST_TMPDIR/src"
	mkdir -p "$w"
	(cd "$top" && cp -a Makefile cmd lib pam share doc bin "$w/")
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
}
