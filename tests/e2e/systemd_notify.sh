#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Type=notify readiness without systemd: tests/tools/systemd/notify-listen.py
# plays systemd's side (an AF_UNIX datagram socket as $NOTIFY_SOCKET, a
# path for ctl-tftpd and ctl-tvsd, an abstract @name for ctl-provider). Each
# daemon sends READY=1 only once its port is bound (the listener finds the
# port taken when READY=1 arrives), RELOADING=1 then READY=1 on SIGHUP
# (systemctl reload), STOPPING=1 on SIGTERM, and exits 0. SIGUSR1 still
# makes ctl-tftpd log its counters (the signal it had before SIGHUP meant
# reload under the units).
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
. "$(dirname "$0")/tvsd_env.inc"

need_provider
need_tvsd
LISTEN=$TOP/tests/tools/systemd/notify-listen.py

# listen_notify NAME LOG PROTO OUT: the listener in the background, up when it returns.
listen_notify() {
	python3 "$LISTEN" "$@" &
	T_PIDS="$T_PIDS $!"
	wait_for 10 test -f "$4.up" || { echo "Bail out! notify-listen.py did not start"; exit 1; }
}

# lines OUT PATTERN: how many of OUT's lines match PATTERN.
lines() { grep -c -- "$2" "$1" 2>/dev/null || true; }

# cycle NAME PID OUT PROTO: READY at start, RELOADING+READY on HUP, STOPPING on TERM.
cycle() {
	_n=$1; _pid=$2; _out=$3
	if wait_for 10 grep -q '^READY=1' "$_out"; then ok "$_n: READY=1 arrived"; else
		not_ok "$_n: READY=1 arrived"; sed 's/^/#   /' "$_out"; fi
	expect_eq "$_n: the $4 port was bound when READY=1 arrived" \
		"$(sed -n 's/^READY=1 bound=//p' "$_out" | head -1)" yes
	kill -HUP "$_pid"
	wait_for 10 test "$(lines "$_out" '^READY=1')" -ge 2
	expect_eq "$_n: SIGHUP sent RELOADING=1 with MONOTONIC_USEC" \
		"$(lines "$_out" '^RELOADING=1;MONOTONIC_USEC=[0-9][0-9]* ')$(lines "$_out" '^RELOADING=1;MONOTONIC_USEC=[0-9][0-9]*$')" "01"
	expect_eq "$_n: then READY=1 again (messages in order)" \
		"$(cut -d' ' -f1 "$_out" | sed 's/;MONOTONIC_USEC=.*//' | tr '\n' ' ')" "READY=1 RELOADING=1 READY=1 "
	kill -TERM "$_pid"
	wait "$_pid"
	expect_eq "$_n: exit status 0 after SIGTERM" "$?" 0
	wait_for 10 grep -q '^STOPPING=1' "$_out"
	expect_eq "$_n: STOPPING=1 last" "$(tail -1 "$_out")" "STOPPING=1"
}

# ctl-tftpd, NOTIFY_SOCKET a path.
mkdir -p "$T_TMP/root"
listen_notify "$T_TMP/tftpd.sock" "$T_TMP/tftpd.log" udp "$T_TMP/tftpd.out"
NOTIFY_SOCKET=$T_TMP/tftpd.sock "$BIN/ctl-tftpd" --listen 127.0.0.1:0 --root "$T_TMP/root" \
	>"$T_TMP/tftpd.log" 2>&1 &
TPID=$!
T_PIDS="$T_PIDS $TPID"
wait_for 10 grep -q '^READY=1' "$T_TMP/tftpd.out"
kill -USR1 "$TPID"
if wait_for 10 grep -q 'Status: requests' "$T_TMP/tftpd.log"; then
	ok "ctl-tftpd: SIGUSR1 still logs the counters"; else not_ok "ctl-tftpd: SIGUSR1 still logs the counters"; fi
expect_eq "ctl-tftpd: SIGUSR1 sends nothing to systemd" "$(wc -l <"$T_TMP/tftpd.out" | tr -d ' ')" 1
cycle ctl-tftpd "$TPID" "$T_TMP/tftpd.out" udp

# ctl-provider, NOTIFY_SOCKET an abstract name.
make_node "$T_TMP/node"
ABS="@ctl-e2e-notify-$$"
listen_notify "$ABS" "$T_TMP/node/log" tcp "$T_TMP/prov.out"
PROV_ENV="NOTIFY_SOCKET=$ABS" start_provider "$T_TMP/node"
cycle ctl-provider "$PROV_PID" "$T_TMP/prov.out" tcp

# ctl-tvsd.
make_tvs_node "$T_TMP/tvs"
listen_notify "$T_TMP/tvsd.sock" "$T_TMP/tvs/log" tcp "$T_TMP/tvsd.out"
NOTIFY_SOCKET=$T_TMP/tvsd.sock start_tvsd "$T_TMP/tvs"
cycle ctl-tvsd "$TVSD_PID" "$T_TMP/tvsd.out" tcp

# Outside systemd nothing changes: no NOTIFY_SOCKET, same log, exit 0.
"$BIN/ctl-tftpd" --listen 127.0.0.1:0 --root "$T_TMP/root" >"$T_TMP/plain.log" 2>&1 &
P=$!
T_PIDS="$T_PIDS $P"
wait_for 10 grep -q 'Listening on' "$T_TMP/plain.log"
kill -TERM "$P"
wait "$P"
expect_eq "ctl-tftpd without NOTIFY_SOCKET: exit 0" "$?" 0
finish
