#!/usr/bin/env bats
# A high hourly cap: the list of the hour's request times outgrows a small
# record value. Apart from t0300 so the suite runs it in parallel.
load lib

@test "a high hourly cap is honoured to the last request" {
	lv-device keygen --key phone.key >phone.pub
	enrol alice --device-key - <phone.pub
	printf 'request_pending_max = 100\nrequest_hourly = 200\n' >"$LV_CONF"
	at -2000s sh -c 'for i in $(seq 100); do lv-requests new alice || exit 1; done' >/dev/null
	at -1000s sh -c 'for i in $(seq 100); do lv-requests new alice || exit 1; done' >/dev/null
	run -75 lv-requests new alice
	[[ "$output" =~ ^"lv-requests: 200 login requests of alice in the last hour, the most allowed: try again in 1"[0-9]{3}" s"$ ]]
}
