#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd in a boot storm of phones that retransmit their RRQ every
# 200 ms: every retransmission must join its request (queued, running or
# just finished) instead of starting an orphan transfer, so the storm ends
# with no failure and no slot held, and 100 phones that boot right after it
# are all served at once.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5000 /dev/urandom > "$R/ITLFile.tlv"
chmod -R a+rX "$R"

PORT=$(free_port)
LOG=$T_TMP/server.log
"$BIN/ctl-tftpd" --listen 127.0.0.1:$PORT --root "$R" >"$LOG" 2>&1 &
SRV=$!
T_PIDS="$T_PIDS $SRV"
wait_for 5 grep -q "Listening on" "$LOG" || { echo "Bail out! server did not start"; cat "$LOG"; exit 1; }
FILES="-f CTLSEP%M.tlv=$R/CTLFile.tlv -f ITLSEP%M.tlv=$R/ITLFile.tlv"

# status FIELD: asks for a status line and prints FIELD's value from it.
status() {
	n=$(grep -c "Status: requests" "$LOG")
	kill -USR1 $SRV
	wait_for 5 sh -c "[ \$(grep -c 'Status: requests' '$LOG') -gt $n ]"
	grep "Status: requests" "$LOG" | tail -1 | sed -n "s/.* $1 \([0-9]*\).*/\1/p"
}

# shellcheck disable=SC2086
check "2,000 phones x 2 files, RRQ retransmitted every 200 ms" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$PORT \
	-n 2000 --timeout 200 $FILES
expect_grep "storm: every transfer ok" "RESULT ok=4000 failed=0 corrupt=0" "$T_TMP/last.out"
# Every retransmitted RRQ joined its request: exactly one transfer each.
c=$(status completed)
echo "# duplicates joined: $(status duplicates)"
expect_eq "one transfer per request, none started twice" "$c" 4000

# shellcheck disable=SC2086
check "right after the storm, 100 new phones (2 s budget each)" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$PORT \
	-n 100 --mac-base 00AA00000000 --timeout 200 --retries 10 --busy-retries 10 $FILES
expect_grep "recovery: all 100 phones served" "RESULT ok=200 failed=0 corrupt=0" "$T_TMP/last.out"

# No slot stays taken: polled, each poll bounded.
i=0
a=$(status active)
while [ "${a:-x}" != 0 ] && [ $i -lt 40 ]; do sleep 0.25; a=$(status active); i=$((i + 1)); done
expect_eq "no transfer left active after the storm" "$a" 0
f=$(status failed)
expect_eq "the server counted no failed transfer" "$f" 0
check "server process alive" kill -0 $SRV

# --- phones with an address each, under a per-source rate -------------------------
PORT=$(free_port)
LOG=$T_TMP/server2.log
"$BIN/ctl-tftpd" --listen 127.0.0.1:$PORT --root "$R" --source-rate 10 >"$LOG" 2>&1 &
SRV=$!
T_PIDS="$T_PIDS $SRV"
wait_for 5 grep -q "Listening on" "$LOG" || { echo "Bail out! server did not start"; cat "$LOG"; exit 1; }
# shellcheck disable=SC2086
check "2,000 phones from 2,000 addresses, --source-rate 10" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$PORT \
	-n 2000 --retransmit 200 --source-range 127.1.0.0/16 $FILES
expect_grep "every transfer ok" "RESULT ok=4000 failed=0 corrupt=0" "$T_TMP/last.out"
d=$(status dropped)
expect_eq "no phone over its address's rate" "$d" 0
finish
