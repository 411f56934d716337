#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd with real clients: tftp-hpa, atftp (blksize 1428, tsize,
# windowsize) and curl fetch from a server on loopback high ports (IPv4 and
# IPv6); bytes compared with md5. Per-device CTLSEP/ITLSEP mapping with
# case-insensitive MACs, a file over 32 MiB (block rollover at blksize 512),
# netascii, the trace lines, SIGUSR1 counters, the Max Serving Count, a small
# boot storm, privilege drop, and the command line.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R/firmware"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"          # exact multiple of 512: empty last block
head -c 4321 /dev/urandom > "$R/CTLSEP00AABBCCDDEE.tlv"
: > "$R/CTLSEP0011223344FF.tlv"                       # empty per-device files: never served
: > "$R/ITLSEP0011223344FF.tlv"
printf '<device><name>SEP00AABBCCDDEE</name></device>\n' > "$R/SEP00AABBCCDDEE.cnf.xml"
head -c 777 /dev/urandom > "$R/SEP00AABBCCDDEE.cnf.xml.sgn"
head -c 3000 /dev/urandom > "$R/firmware/load.bin"
printf 'line one\nline two\r\nbare cr\r end\n' > "$R/text.txt"
: > "$R/empty.bin"
head -c 34000000 /dev/urandom > "$R/big.bin"         # 66407 blocks of 512: rolls over
chmod -R a+rX "$R"

md5() { md5sum < "$1" | cut -d' ' -f1; }
# same WANT GOT: GOT is not empty and has WANT's bytes (tftp-hpa leaves an empty file on errors).
same() { [ -s "$2" ] && [ "$(md5 "$1")" = "$(md5 "$2")" ]; }

PORT=$(free_port)
LOG=$T_TMP/server.log
"$BIN/ctl-tftpd" --listen 127.0.0.1:$PORT --listen "[::1]:$PORT" --root "$R" >"$LOG" 2>&1 &
SRV=$!
T_PIDS="$T_PIDS $SRV"
wait_for 5 grep -q "Listening on \[::1\]" "$LOG" || { echo "Bail out! server did not start"; cat "$LOG"; exit 1; }

hpa() { tftp 127.0.0.1 $PORT -m binary -c get "$1" "$2"; }
O=$T_TMP/out
mkdir -p "$O"

# --- tftp-hpa: plain RFC 1350, 512-byte lock-step, like a phone ---------------------
hpa CTLSEP001122334455.tlv "$O/1"
check "tftp-hpa CTLSEP<MAC>.tlv without per-device file = CTLFile.tlv (md5)" same "$R/CTLFile.tlv" "$O/1"
hpa ITLSEP001122334455.tlv "$O/2"
check "tftp-hpa ITLSEP<MAC>.tlv = ITLFile.tlv, 5120 bytes (final empty block)" same "$R/ITLFile.tlv" "$O/2"
hpa CTLSEP00AABBCCDDEE.tlv "$O/3"
check "per-device CTLSEP file served when present" same "$R/CTLSEP00AABBCCDDEE.tlv" "$O/3"
hpa CTLSEP00aabbccddee.tlv "$O/4"
check "lower-case MAC maps to the per-device file" same "$R/CTLSEP00AABBCCDDEE.tlv" "$O/4"
hpa ctlsep00AaBbCcDdEe.TLV "$O/5"
check "mixed-case prefix and MAC map too" same "$R/CTLSEP00AABBCCDDEE.tlv" "$O/5"
hpa ITLSEP00AABBCCDDEE.tlv "$O/6"
check "ITLSEP of that phone (no per-device ITL) = ITLFile.tlv" same "$R/ITLFile.tlv" "$O/6"
hpa SEP00AABBCCDDEE.cnf.xml "$O/7"
check "SEP<MAC>.cnf.xml served as it is" same "$R/SEP00AABBCCDDEE.cnf.xml" "$O/7"
hpa SEP00AABBCCDDEE.cnf.xml.sgn "$O/8"
check "SEP<MAC>.cnf.xml.sgn served as it is" same "$R/SEP00AABBCCDDEE.cnf.xml.sgn" "$O/8"
hpa firmware/load.bin "$O/9"
check "file in a subdirectory" same "$R/firmware/load.bin" "$O/9"
hpa empty.bin "$O/10"
check "empty file: one empty DATA block" test -f "$O/10" -a ! -s "$O/10"
hpa CTLSEP0011223344FF.tlv "$O/10a"
check "empty per-device CTLSEP file: falls back to CTLFile.tlv (non-empty, md5)" same "$R/CTLFile.tlv" "$O/10a"
hpa ITLSEP0011223344ff.tlv "$O/10b"
check "empty per-device ITLSEP file: falls back to ITLFile.tlv (non-empty, md5)" same "$R/ITLFile.tlv" "$O/10b"
"$BIN/tftp-raw" 127.0.0.1:$PORT '\0\1CTLSEP0011223344FF.tlv\0octet\0tsize\00\0' > "$O/10c"
expect_grep "empty per-device file: tsize is the cluster file's size" "OACK tsize=5000 " "$O/10c"
tftp 127.0.0.1 $PORT -m netascii -c get text.txt "$O/11"
check "netascii round trip through tftp-hpa" same "$R/text.txt" "$O/11"
hpa big.bin "$O/12"
check "34 MB file at blksize 512 (block number rollover), tftp-hpa" same "$R/big.bin" "$O/12"

# --- atftp with options --------------------------------------------------------------
atftp -g -r CTLSEP001122334455.tlv -l "$O/a1" --option "blksize 1428" --option "tsize 0" 127.0.0.1 $PORT >/dev/null 2>&1
check "atftp blksize 1428 + tsize" same "$R/CTLFile.tlv" "$O/a1"
atftp -g -r ITLSEP001122334455.tlv -l "$O/a2" --option "blksize 1428" --option "windowsize 8" 127.0.0.1 $PORT >/dev/null 2>&1
check "atftp blksize 1428 + windowsize 8" same "$R/ITLFile.tlv" "$O/a2"
atftp -g -r big.bin -l "$O/a3" --option "blksize 1428" --option "windowsize 16" --option "tsize 0" 127.0.0.1 $PORT >/dev/null 2>&1
check "atftp 34 MB, blksize 1428, windowsize 16" same "$R/big.bin" "$O/a3"
atftp -g -r big.bin -l "$O/a4" --option "windowsize 64" 127.0.0.1 $PORT >/dev/null 2>&1
check "atftp 34 MB, blksize 512, windowsize 64 (rollover inside windows)" same "$R/big.bin" "$O/a4"
expect_exit "atftp: missing file fails" 255 atftp -g -r nosuch.bin -l "$O/a5" 127.0.0.1 $PORT

# --- curl ----------------------------------------------------------------------------
check "curl (tsize, timeout, blksize 512 by default)" curl -s -o "$O/c1" "tftp://127.0.0.1:$PORT/CTLSEP001122334455.tlv"
check "curl bytes" same "$R/CTLFile.tlv" "$O/c1"
check "curl --tftp-blksize 1428" curl -s --tftp-blksize 1428 -o "$O/c2" "tftp://127.0.0.1:$PORT/SEP00AABBCCDDEE.cnf.xml.sgn"
check "curl blksize 1428 bytes" same "$R/SEP00AABBCCDDEE.cnf.xml.sgn" "$O/c2"
check "curl --tftp-no-options" curl -s --tftp-no-options -o "$O/c3" "tftp://127.0.0.1:$PORT/ITLFile.tlv"
check "curl no-options bytes" same "$R/ITLFile.tlv" "$O/c3"
expect_exit "curl: file not found is exit 68" 68 curl -s -o "$O/c4" "tftp://127.0.0.1:$PORT/nosuch.bin"

# --- IPv6 on ::1 ----------------------------------------------------------------------
tftp -6 ::1 $PORT -m binary -c get CTLSEP001122334455.tlv "$O/v1"
check "IPv6: tftp-hpa -6 on ::1" same "$R/CTLFile.tlv" "$O/v1"
check "IPv6: curl tftp://[::1]" curl -s --tftp-blksize 1428 -o "$O/v2" "tftp://[::1]:$PORT/ITLSEP00AABBCCDDEE.tlv"
check "IPv6: curl bytes" same "$R/ITLFile.tlv" "$O/v2"
atftp -g -r CTLSEP00AABBCCDDEE.tlv -l "$O/v3" --option "blksize 1428" ::1 $PORT >/dev/null 2>&1
check "IPv6: atftp blksize 1428 (path MTU cap 1448 on IPv6)" same "$R/CTLSEP00AABBCCDDEE.tlv" "$O/v3"
"$BIN/tftp-raw" "[::1]:$PORT" '\0\1CTLFile.tlv\0octet\0blksize\065464\0' > "$O/v4"
expect_grep "IPv6: blksize capped at 1448 (MTU 1500 - 52)" "OACK blksize=1448" "$O/v4"

# --- the client engine: rollover, windows, netascii ----------------------------------
check "tftp-get (client engine) 34 MB, 512 lock-step" "$BIN/tftp-get" 127.0.0.1:$PORT big.bin "$O/e1"
check "tftp-get bytes" same "$R/big.bin" "$O/e1"
check "tftp-get windowsize 64 blksize 1428 tsize" "$BIN/tftp-get" --windowsize 64 --blksize 1428 --tsize 127.0.0.1:$PORT big.bin "$O/e2"
check "tftp-get windowed bytes" same "$R/big.bin" "$O/e2"

# --- trace lines -----------------------------------------------------------------------
expect_grep "read request traced" "Read Request from[127.0.0.1:" "$LOG"
expect_grep "per-device resolution traced" "HandleCTL: [CTLSEP001122334455.tlv] is CTLSEPMac.tlv file, Searching[001122334455]" "$LOG"
expect_grep "fallback traced" "serving [CTLFile.tlv]" "$LOG"
expect_grep "per-device hit traced" "HandleCTL: found per-device file [CTLSEP00AABBCCDDEE.tlv]" "$LOG"
expect_grep "ITL resolution traced" "HandleITL: [ITLSEP001122334455.tlv] is ITLSEPMac.tlv file" "$LOG"
expect_grep "Serving Count traced" "Serving Count[" "$LOG"
expect_grep "transfer traced with size" "Transferred[CTLFile.tlv] to 127.0.0.1:" "$LOG"
expect_grep "big transfer traced" "Transferred[big.bin] to 127.0.0.1:" "$LOG"
expect_grep "IPv6 transfer traced" "Transferred[CTLFile.tlv] to [::1]:" "$LOG"
expect_grep "file not found traced" "File not found[nosuch.bin] for 127.0.0.1:" "$LOG"
wait_for 10 sh -c "[ \$(grep -c 'client port unreachable' '$LOG') -ge 2 ]"
kill -USR1 $SRV
wait_for 5 grep -q "Status: requests" "$LOG"
expect_grep "SIGUSR1 prints the counters" "Status: requests" "$LOG"
# The two tftp-raw probes above read one answer and close their port: those
# transfers end on ICMP port unreachable; no other transfer may fail.
st=$(grep "Status: requests" "$LOG" | tail -1)
if echo "$st" | grep -q " failed 2 " && echo "$st" | grep -q " unreachable 2 "; then
	ok "no failed transfer but the two probes that left (ICMP unreachable)"
else not_ok "failed transfers"; grep Status "$LOG" | sed 's/^/#   /'; fi

# --- a small boot storm through the load generator -----------------------------------
check "200 phones x (CTLSEP, ITLSEP) at once, all verified" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$PORT -n 200 \
	-f "CTLSEP%M.tlv=$R/CTLFile.tlv" -f "ITLSEP%M.tlv=$R/ITLFile.tlv"
expect_grep "load generator result" "RESULT ok=400 failed=0 corrupt=0" "$T_TMP/last.out"
check "storm over IPv6 with blksize 1428, windowsize 4" "$BIN/ctl-tftp-load" -q -s "[::1]:$PORT" -n 100 --blksize 1428 --windowsize 4 --tsize \
	-f "CTLSEP%M.tlv=$R/CTLFile.tlv"

# --- an empty cluster trust list is never served ------------------------------------
R2=$T_TMP/root-empty
mkdir -p "$R2"
: > "$R2/CTLFile.tlv"
: > "$R2/CTLSEP00AABBCCDDEE.tlv"
head -c 100 /dev/urandom > "$R2/ITLFile.tlv"
chmod -R a+rX "$R2"
start_ctl_tftpd "$T_TMP/empty.log" --root "$R2"
"$BIN/tftp-raw" 127.0.0.1:$TPORT '\0\1CTLSEP00AABBCCDDEE.tlv\0octet\0' > "$T_TMP/e1.out"
expect_grep "empty per-device and empty CTLFile.tlv: ERROR 1, no empty file" "ERROR 1 " "$T_TMP/e1.out"
"$BIN/tftp-raw" 127.0.0.1:$TPORT '\0\1CTLSEP001122334455.tlv\0octet\0' > "$T_TMP/e2.out"
expect_grep "no per-device file and empty CTLFile.tlv: ERROR 1" "ERROR 1 " "$T_TMP/e2.out"
hpa_e() { rm -f "$2"; tftp 127.0.0.1 $TPORT -m binary -c get "$1" "$2"; }
hpa_e ITLSEP001122334455.tlv "$O/e3"
check "the non-empty ITLFile.tlv beside it is served (md5)" same "$R2/ITLFile.tlv" "$O/e3"
kill $TFTPD_PID

# --- Max Serving Count ---------------------------------------------------------------
P2=$(free_port)
"$BIN/ctl-tftpd" --listen 127.0.0.1:$P2 --root "$R" --max-transfers 1 --timeout 2000 >"$T_TMP/busy.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 5 grep -q "Listening on" "$T_TMP/busy.log"
# The first transfer stays open: tftp-raw reads DATA 1 and never acknowledges it.
"$BIN/tftp-raw" 127.0.0.1:$P2 '\0\1CTLFile.tlv\0octet\0' > "$T_TMP/first.out"
expect_grep "first transfer started" "DATA 1 512" "$T_TMP/first.out"
"$BIN/tftp-raw" 127.0.0.1:$P2 '\0\1ITLFile.tlv\0octet\0' > "$T_TMP/second.out"
expect_grep "beyond --max-transfers: ERROR 0 so the phone retries" "ERROR 0 Server busy" "$T_TMP/second.out"
expect_grep "busy refusal logged" "reached Max Serving Count[1]" "$T_TMP/busy.log"

# --- admission: with --admit 1 requests wait their turn, none is lost ----------------
P4=$(free_port)
"$BIN/ctl-tftpd" --listen 127.0.0.1:$P4 --root "$R" --admit 1 >"$T_TMP/admit.log" 2>&1 &
ADM=$!
T_PIDS="$T_PIDS $ADM"
wait_for 5 grep -q "Listening on" "$T_TMP/admit.log"
check "--admit 1: 100 phones x 2 files at once, all verified" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$P4 -n 100 \
	-f "CTLSEP%M.tlv=$R/CTLFile.tlv" -f "ITLSEP%M.tlv=$R/ITLFile.tlv"
expect_grep "--admit 1: load generator result" "RESULT ok=200 failed=0 corrupt=0" "$T_TMP/last.out"
kill -USR1 $ADM
wait_for 5 grep -q "Status: requests" "$T_TMP/admit.log"
expect_grep "--admit 1: never more than one transfer at a time" " peak 1 " "$T_TMP/admit.log"

# --- privileges ------------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	P3=$(free_port)
	"$BIN/ctl-tftpd" --listen 127.0.0.1:$P3 --root "$R" --user nobody --chroot >"$T_TMP/priv.log" 2>&1 &
	PP=$!
	T_PIDS="$T_PIDS $PP"
	wait_for 5 grep -q "serving" "$T_TMP/priv.log"
	tftp 127.0.0.1 $P3 -m binary -c get CTLSEP001122334455.tlv "$O/p1"
	check "--user nobody --chroot still serves" same "$R/CTLFile.tlv" "$O/p1"
	u=$(awk '/^Uid:/ {print $2}' /proc/$PP/status)
	[ "$u" = "$(id -u nobody)" ] && ok "runs as nobody after binding" || not_ok "uid is $u"
	[ "$(readlink /proc/$PP/root)" = "$R" ] && ok "chrooted into the root" || not_ok "root is $(readlink /proc/$PP/root)"
fi

# --- command line ----------------------------------------------------------------------
expect_exit "--help exits 0" 0 "$BIN/ctl-tftpd" --help
expect_grep "--help lists --max-transfers" "--max-transfers" "$T_TMP/last.out"
missing=""
for o in $(grep -o -- '--[a-z][a-z-]*' "$T_TMP/last.out" | sort -u); do
	grep -q -- "${o#--}" "$TOP/doc/ctl-tftpd.8" || missing="$missing $o"
done
[ -z "$missing" ] && ok "every --help option is in doc/ctl-tftpd.8" || not_ok "not in the man page:$missing"
expect_exit "unknown option exits 2" 2 "$BIN/ctl-tftpd" --bogus
expect_exit "bad number exits 2" 2 "$BIN/ctl-tftpd" --max-transfers 0
expect_exit "bad address exits 2" 2 "$BIN/ctl-tftpd" --listen 300.1.1.1:69
expect_exit "port in use exits 1" 1 "$BIN/ctl-tftpd" --listen 127.0.0.1:$PORT --root "$R"
expect_grep "and says why" "cannot listen on 127.0.0.1:$PORT: Address already in use" "$T_TMP/last.err"
expect_exit "missing root exits 1" 1 "$BIN/ctl-tftpd" --listen 127.0.0.1:$(free_port) --root "$T_TMP/nonexistent"
expect_exit "ctl-tftp-load --help exits 0" 0 "$BIN/ctl-tftp-load" --help
expect_exit "ctl-tftp-load without server exits 2" 2 "$BIN/ctl-tftp-load"

kill $SRV
wait $SRV
rc=$?
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || not_ok "SIGTERM: exit $rc"
finish
