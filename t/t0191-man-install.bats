#!/usr/bin/env bats
# make install puts every man page, of every section, where man finds it, and
# man renders each without a complaint. Into a DESTDIR, with the PREFIX this
# tree was built for, so that nothing here is rebuilt under other tests.
load lib

@test "make install puts every page in its section, and man -l renders each" {
	local top m s n=0
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	run -0 make -s -C "$top" install DESTDIR="$BATS_TEST_TMPDIR/x"
	for m in "$top"/doc/*.[1-8]; do
		s=${m##*.}
		m=$BATS_TEST_TMPDIR/x/usr/local/share/man/man$s/${m##*/}
		[ -f "$m" ] || { echo "not installed: $m"; return 1; }
		MANWIDTH=80 run --separate-stderr -0 man -l "$m"
		[ "$stderr" = "" ]
		[[ "$output" == *NAME* && "$output" == *"SEE ALSO"* ]]
		n=$((n + 1))
	done
	[ "$n" -ge 15 ]
	for s in 1 5 7 8; do
		ls "$BATS_TEST_TMPDIR/x/usr/local/share/man/man$s/"*."$s"
	done
}

@test "man finds the overview, the file formats and the PAM module by name" {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	run -0 make -s -C "$top" install DESTDIR="$BATS_TEST_TMPDIR/x"
	MANPATH="$BATS_TEST_TMPDIR/x/usr/local/share/man" run -0 man -w lv lv.conf lv-state pam_lv lv-login lv-verify
	[ "$output" = "$BATS_TEST_TMPDIR/x/usr/local/share/man/man7/lv.7
$BATS_TEST_TMPDIR/x/usr/local/share/man/man5/lv.conf.5
$BATS_TEST_TMPDIR/x/usr/local/share/man/man5/lv-state.5
$BATS_TEST_TMPDIR/x/usr/local/share/man/man8/pam_lv.8
$BATS_TEST_TMPDIR/x/usr/local/share/man/man8/lv-login.8
$BATS_TEST_TMPDIR/x/usr/local/share/man/man1/lv-verify.1" ]
}
