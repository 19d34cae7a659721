#!/usr/bin/env bats
# make install honours PREFIX and DESTDIR, writes nothing outside them and
# works for an unprivileged user into a directory that user owns.
load lib

teardown() {
	[ -z "${work:-}" ] || rm -rf "$work"
}

# as_user COMMAND...: as nobody when we are root, else as ourselves.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	else
		"$@"
	fi
}

@test "make install as an unprivileged user writes only under DESTDIR" {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	# Under /tmp, not the test's directory, so that nobody can reach it.
	work=$(mktemp -d /tmp/lv-install.XXXXXX)
	chmod 755 "$work"
	mkdir "$work/src" "$work/dest"
	(cd "$top" && tar cf - --exclude=.git --exclude='./t' .) | tar xpf - -C "$work/src"
	[ "$(id -u)" != 0 ] || chown -R nobody "$work/src" "$work/dest"
	# Built for the PREFIX it is installed in, as a packager does: BINDIR
	# is compiled into the PAM module.
	as_user make -s -C "$work/src" all PREFIX=/opt/lv >/dev/null
	find "$work/src" -type f -exec sha256sum {} + | sort >"$BATS_TEST_TMPDIR/src.before"
	touch "$BATS_TEST_TMPDIR/marker"
	run -0 as_user make -C "$work/src" install PREFIX=/opt/lv DESTDIR="$work/dest"
	# Everything landed under DESTDIR/PREFIX, in its place, but the
	# configuration: under DESTDIR, where CONFFILE says.
	(cd "$work/dest" && find . -type f | sort) >installed
	run -0 grep -v '^\./opt/lv/' installed
	[ "$output" = "./etc/lv/lv.conf" ]
	cmp "$top/etc/lv.conf" "$work/dest/etc/lv/lv.conf"
	for p in "$top"/bin/lv-*; do
		[ -x "$work/dest/opt/lv/bin/${p##*/}" ]
	done
	for m in "$top"/doc/*.[1-8]; do
		s=${m##*.}
		[ -f "$work/dest/opt/lv/share/man/man$s/${m##*/}" ]
	done
	[ -x "$work/dest/opt/lv/share/lv/demo" ]
	[ -f "$work/dest/opt/lv/share/lv/demo.d/10-lost-phone.sh" ]
	# The source tree is as it was, and the user wrote nothing else where it
	# could write.
	find "$work/src" -type f -exec sha256sum {} + | sort | cmp "$BATS_TEST_TMPDIR/src.before" -
	if [ "$(id -u)" = 0 ]; then
		run -0 find /tmp /var/tmp /dev/shm -maxdepth 1 -user nobody -newer "$BATS_TEST_TMPDIR/marker"
		[ "$output" = "" ]
	fi
}

@test "an installed demo runs from its installed place" {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	work=$(mktemp -d /tmp/lv-install.XXXXXX)
	make -s -C "$top" install DESTDIR="$work" >/dev/null
	PATH="$work/usr/local/bin:$PATH" run -0 "$work/usr/local/share/lv/demo" \
		"$work/usr/local/share/lv/demo.d/10-lost-phone.sh"
	[ "${lines[-1]}" = "lv demo: every step behaved as shown." ]
}
