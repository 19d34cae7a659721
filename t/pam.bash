# Shared by the PAM test files (after lib): a scratch user the account
# database holds, since pam_lv logs in only such names, and a PAM service
# file of each test's own: pam_permit, then pam_lv with the tree's
# programs ($bindir when set), the test's state and configuration.

# scratch_user [PASSWORD]: adds $user, with PASSWORD or none.
scratch_user() {
	id "$user" >/dev/null 2>&1 || useradd -M -d /nonexistent -p '*' -s /usr/sbin/nologin "$user"
	[ $# -eq 0 ] || echo "$user:$1" | chpasswd
}

teardown_file() {
	userdel "$user" 2>/dev/null || true
}

setup() {
	export LV_DIR="$BATS_TEST_TMPDIR/state"
	export LV_CONF="$BATS_TEST_TMPDIR/lv.conf"
	cd "$BATS_TEST_TMPDIR" || return 1
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	service="lvtest-$$-$BATS_TEST_NUMBER"
	write_service ""
}

teardown() {
	rm -f "/etc/pam.d/$service"
}

# pam_lv's line in a service file, with OPTIONS after the test's own.
pam_lv_line() {
	echo "auth required $top/pam/pam_lv.so bindir=${bindir:-$top/bin} dir=$LV_DIR conf=$LV_CONF wait=5 $1"
}

# write_service OPTIONS: the test's service, pam_lv with OPTIONS.
write_service() {
	cat >"/etc/pam.d/$service" <<-EOS
	auth requisite pam_permit.so
	$(pam_lv_line "$1")
	account required pam_permit.so
	EOS
}
