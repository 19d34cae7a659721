# lv-expire every minute (lv-expire(1)), as the state directory's owner _lv,
# for machines without systemd; where systemd runs, lv-expire.timer does it
# and this line does nothing. The counts and any error go to syslog.
SHELL=/bin/sh
PATH=/usr/bin:/bin

* * * * *	_lv	[ -d /run/systemd/system ] || [ ! -x /usr/bin/lv-expire ] || /usr/bin/lv-expire 2>&1 | logger -t lv-expire -p authpriv.info
