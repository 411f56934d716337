#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd under packet loss: a client that drops 10% of the DATA packets
# it receives (the shared client engine's loss simulation) still gets the
# right bytes, in lock-step and with windows; the server recovers by
# timeout (never by duplicate ACK) and counts its retransmissions.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R"
head -c 100000 /dev/urandom > "$R/fw100k.bin"
head -c 1000000 /dev/urandom > "$R/fw1m.bin"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5000 /dev/urandom > "$R/ITLFile.tlv"
chmod -R a+rX "$R"
md5() { md5sum < "$1" | cut -d' ' -f1; }
same() { [ -f "$2" ] && [ "$(md5 "$1")" = "$(md5 "$2")" ]; }

LOG=$T_TMP/server.log
start_ctl_tftpd "$LOG" --root "$R" --timeout 50 --max-timeout 200 --retries 20
PORT=$TPORT
SRV=$TFTPD_PID
O=$T_TMP/out
mkdir -p "$O"

check "10% DATA loss, 512 lock-step, 100 kB" "$BIN/tftp-get" --loss 10 --seed 7 --timeout 150 --retries 30 \
	127.0.0.1:$PORT fw100k.bin "$O/a"
dropped=$(sed -n 's/.* dropped \([0-9]*\).*/\1/p' "$T_TMP/last.out")
check "bytes correct" same "$R/fw100k.bin" "$O/a"
[ "${dropped:-0}" -gt 0 ] && ok "packets were really dropped ($dropped)" || not_ok "no packet dropped"

check "10% DATA loss, blksize 1428, windowsize 8, 1 MB" "$BIN/tftp-get" --loss 10 --seed 11 --timeout 150 --retries 30 \
	--blksize 1428 --windowsize 8 127.0.0.1:$PORT fw1m.bin "$O/b"
check "windowed bytes correct" same "$R/fw1m.bin" "$O/b"

check "10% DATA loss, 50 phones x 2 files, all verified" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$PORT -n 50 --loss 10 \
	--timeout 150 -f "CTLSEP%M.tlv=$R/CTLFile.tlv" -f "ITLSEP%M.tlv=$R/ITLFile.tlv"
expect_grep "storm with loss: 100 ok" "RESULT ok=100 failed=0 corrupt=0" "$T_TMP/last.out"

kill -USR1 $SRV
wait_for 5 grep -q "Status: requests" "$LOG"
r=$(sed -n 's/.*Status:.* retransmits \([0-9]*\).*/\1/p' "$LOG" | tail -1)
[ "${r:-0}" -gt 0 ] && ok "server recovered by retransmission ($r)" || not_ok "server retransmits: ${r:-none}"
if grep "Status: requests" "$LOG" | tail -1 | grep -q " failed 0 "; then ok "no failed transfer on the server"; else
	not_ok "server counted failures"; grep "Status:" "$LOG" | sed 's/^/#   /'; fi
finish
