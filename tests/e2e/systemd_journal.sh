#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Logs journald reads: with JOURNAL_STREAM set to standard error's
# DEV:INO (what systemd sets when stderr is the journal) every line of
# ctl-tftpd, ctl-provider and ctl-tvsd starts with a <N> syslog priority and
# has no timestamp of its own; a JOURNAL_STREAM naming another file (an
# inherited one, stderr redirected) changes nothing. --syslog sends the
# lines to syslog(3): checked in a mount namespace of its own where
# /dev/log is tests/tools/systemd/syslog-listen.py's socket.
# ctl-provider --hash-password --credentials: created 0600, a second user
# added, a group-readable file refused. ctl-provider --quiet keeps notices,
# warnings and errors only.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
. "$(dirname "$0")/tvsd_env.inc"

need_provider
need_tvsd

# devino FILE: "DEV:INO" as systemd writes JOURNAL_STREAM.
devino() { stat -L -c '%d:%i' "$1"; }

# journal_lines NAME LOG: every line "<N>..." with N 0-7, no "YYYY-MM-DD".
journal_lines() {
	_bad=$(grep -cv '^<[0-7]>' "$2")
	_ts=$(grep -c '^<[0-7]>[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] ' "$2")
	_n=$(wc -l <"$2" | tr -d ' ')
	if [ "$_n" -gt 1 ] && [ "$_bad" -eq 0 ] && [ "$_ts" -eq 0 ]; then
		ok "$1: all $_n lines start with <N>, no timestamp"
	else
		not_ok "$1: $_bad line(s) without <N>, $_ts with a timestamp, of $_n"
		sed 's/^/#   /' "$2" | head -10
	fi
}

# -- ctl-tftpd --------------------------------------------------------------------
mkdir -p "$T_TMP/root"
: >"$T_TMP/tftpd.log"
JOURNAL_STREAM=$(devino "$T_TMP/tftpd.log") "$BIN/ctl-tftpd" --listen 127.0.0.1:0 \
	--root "$T_TMP/root" >>"$T_TMP/tftpd.log" 2>&1 &
P=$!
T_PIDS="$T_PIDS $P"
wait_for 10 grep -q 'Listening on' "$T_TMP/tftpd.log"
port=$(sed -n 's/.*Listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$T_TMP/tftpd.log")
# A request for a missing file (information: phones ask for many) and one
# for ../etc/passwd (a refusal: a warning).
for f in nosuchfile ../etc/passwd; do
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"\0\1"+sys.argv[2].encode()+b"\0octet\0",("127.0.0.1",int(sys.argv[1]))); s.recvfrom(600)' \
		"$port" "$f" >/dev/null 2>&1
done
kill -USR1 "$P"
wait_for 10 grep -q 'Status: requests' "$T_TMP/tftpd.log"
kill -TERM "$P"; wait "$P"
journal_lines ctl-tftpd "$T_TMP/tftpd.log"
expect_grep "ctl-tftpd: the listening line at <6> info" "<6>Listening on 127.0.0.1:" "$T_TMP/tftpd.log"
expect_grep "ctl-tftpd: a missing file at <6> info" "<6>File not found[nosuchfile]" "$T_TMP/tftpd.log"
expect_grep "ctl-tftpd: a refused name at <4> warning" "<4>Access denied[../etc/passwd]" "$T_TMP/tftpd.log"
expect_grep "ctl-tftpd: the status line at <5> notice" "<5>Status: requests" "$T_TMP/tftpd.log"
expect_grep "ctl-tftpd: the shutdown at <5> notice" "<5>signal 15: shutting down" "$T_TMP/tftpd.log"

# A JOURNAL_STREAM that names another file: plain lines.
: >"$T_TMP/plain.log"
JOURNAL_STREAM=$(devino "$T_TMP/root") "$BIN/ctl-tftpd" --listen 127.0.0.1:0 \
	--root "$T_TMP/root" >>"$T_TMP/plain.log" 2>&1 &
P=$!
T_PIDS="$T_PIDS $P"
wait_for 10 grep -q 'Listening on' "$T_TMP/plain.log"
kill -TERM "$P"; wait "$P"
expect_eq "ctl-tftpd: JOURNAL_STREAM of another file: timestamped lines, no <N>" \
	"$(grep -c '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:.]* ctl-tftpd: ' "$T_TMP/plain.log")/$(grep -c '^<' "$T_TMP/plain.log")" \
	"$(wc -l <"$T_TMP/plain.log" | tr -d ' ')/0"

# -- ctl-provider and ctl-tvsd -------------------------------------------------
make_node "$T_TMP/node"
: >"$T_TMP/node/log"
PROV_ENV="JOURNAL_STREAM=$(devino "$T_TMP/node/log")" start_provider "$T_TMP/node"
$P login --user admin --password wrong >/dev/null 2>&1
kill -HUP "$PROV_PID"
wait_for 10 grep -q 'SIGHUP' "$T_TMP/node/log"
stop_provider
journal_lines ctl-provider "$T_TMP/node/log"
expect_grep "ctl-provider: listening at <5>" "<5>listening on 127.0.0.1:" "$T_TMP/node/log"
expect_grep "ctl-provider: a connection at <6> info" "<6>connection from 127.0.0.1:" "$T_TMP/node/log"
expect_grep "ctl-provider: a failed login at <4> warning" "<4>login failed for user admin" "$T_TMP/node/log"
expect_grep "ctl-provider: SIGHUP at <5> notice" "<5>SIGHUP" "$T_TMP/node/log"

# --quiet: notices, warnings and errors only.
: >"$T_TMP/node/log"
PROV_ENV="JOURNAL_STREAM=$(devino "$T_TMP/node/log")" start_provider "$T_TMP/node" --quiet
$P login --user admin >/dev/null 2>&1
$P login --user admin --password wrong >/dev/null 2>&1
stop_provider
expect_grep "ctl-provider --quiet: listening at <5> notice" "<5>listening on 127.0.0.1:" "$T_TMP/node/log"
expect_grep "ctl-provider --quiet: the failed login still logged" "<4>login failed for user admin" \
	"$T_TMP/node/log"
expect_eq "ctl-provider --quiet: no information lines (connections, the good login)" \
	"$(grep -c '^<[67]>' "$T_TMP/node/log")" 0

make_tvs_node "$T_TMP/tvs"
: >"$T_TMP/tvs/log"
JOURNAL_STREAM=$(devino "$T_TMP/tvs/log") start_tvsd "$T_TMP/tvs"
stop_tvsd
journal_lines ctl-tvsd "$T_TMP/tvs/log"

# -- --syslog -----------------------------------------------------------------------
python3 "$TOP/tests/tools/systemd/syslog-listen.py" "$T_TMP/log.sock" "$T_TMP/syslog.out" &
T_PIDS="$T_PIDS $!"
wait_for 10 test -f "$T_TMP/syslog.out.up" || { echo "Bail out! syslog-listen.py did not start"; exit 1; }
# /dev/log exists in a mount namespace of ctl-tftpd's own: a tmpfs over
# /dev holding the devices it opens (bound from the host's /dev, kept
# reachable under $T_TMP/hostdev first) and the listener's socket as log.
mkdir -p "$T_TMP/hostdev"
# --propagation private: none of these mounts is seen outside (the cleanup's
# rm -rf of $T_TMP must never meet the host's /dev there).
unshare -m --propagation private sh -c '
	set -e
	mount --make-rprivate /
	mount --bind /dev "'"$T_TMP"'/hostdev"
	mount -t tmpfs tmpfs /dev
	for d in null zero urandom random; do touch /dev/$d; mount --bind "'"$T_TMP"'/hostdev/$d" /dev/$d; done
	touch /dev/log; mount --bind "'"$T_TMP"'/log.sock" /dev/log
	"'"$BIN"'/ctl-tftpd" --syslog --listen 127.0.0.1:0 --root "'"$T_TMP"'/root" >"'"$T_TMP"'/sys.err" 2>&1 &
	p=$!; i=0
	while [ $i -lt 100 ] && ! grep -q "Listening on" "'"$T_TMP"'/syslog.out"; do sleep 0.1; i=$((i+1)); done
	kill -TERM $p; wait $p' 2>"$T_TMP/ns.err" || {
	echo "# unshare -m (a mount namespace: root with CAP_SYS_ADMIN) failed:"; sed "s/^/#   /" "$T_TMP/ns.err"; }
expect_grep "--syslog: the listening line reached /dev/log as daemon.info (<30>) from ctl-tftpd[PID]" \
	"<30>" "$T_TMP/syslog.out"
expect_eq "--syslog: each line names ctl-tftpd[PID]" \
	"$(grep -c 'ctl-tftpd\[[0-9]*\]: ' "$T_TMP/syslog.out")" "$(wc -l <"$T_TMP/syslog.out" | tr -d ' ')"
expect_grep "--syslog: the shutdown as daemon.notice (<29>)" "<29>" "$T_TMP/syslog.out"
expect_eq "--syslog: nothing on standard error" "$(wc -c <"$T_TMP/sys.err" 2>/dev/null | tr -d ' ')" 0

# -- --hash-password --credentials -----------------------------------------------------
C=$T_TMP/etc/credentials
mkdir -p "$T_TMP/etc"
printf 'first\n' | (umask 022; "$PROV" --hash-password admin --credentials "$C") 2>"$T_TMP/h.err"
expect_eq "--hash-password --credentials creates the file mode 0600 (umask 022)" \
	"$(stat -c %a "$C")" 600
expect_grep "  ... and says so" "user admin added" "$T_TMP/h.err"
printf 'second\n' | "$PROV" --hash-password bob --credentials "$C" 2>/dev/null
expect_eq "a second user is appended" "$(cut -d: -f1 "$C" | tr '\n' ' ')" "admin bob "
chmod 640 "$C"
before=$(md5sum <"$C")
expect_exit "a group-readable credential file is refused (exit 1)" 1 \
	sh -c "printf 'x\n' | '$PROV' --hash-password carol --credentials '$C'"
expect_grep "  ... naming the mode and the fix" "mode 0640" "$T_TMP/last.err"
expect_eq "  ... and left as it was" "$(md5sum <"$C")/$(stat -c %a "$C")" "$before/640"
finish
