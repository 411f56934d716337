#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd options, each with an outcome a client sees: --max-file-size
# (ERROR 3 above it, the file at the limit served), --allow-hardlinks
# (refused without it, served with it), --mtu and --max-blksize (the OACK
# blksize on IPv4 and IPv6, and downloads at the capped size),
# --max-windowsize (the OACK windowsize and a windowed download),
# --wrq-error (the ERROR code of a write request) and --cache-size 0 (the
# right bytes, nothing kept). Each section also runs the same request
# without the option, so an option that does nothing fails its test.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 2500 /dev/urandom > "$R/limit.bin"
head -c 2501 /dev/urandom > "$R/over.bin"
head -c 3000 /dev/urandom > "$R/linked.bin"
ln "$R/linked.bin" "$R/linked2.bin"
head -c 300000 /dev/urandom > "$R/fw.bin"
chmod -R a+rX "$R"
O=$T_TMP/out
mkdir -p "$O"

md5() { md5sum < "$1" | cut -d' ' -f1; }
same() { [ -s "$2" ] && [ "$(md5 "$1")" = "$(md5 "$2")" ]; }
S_N=0
# start NAME ARGS...: a daemon on 127.0.0.1 and ::1 (both port 0); sets P, P6, LOG, SRV.
start() {
	S_N=$((S_N + 1))
	LOG=$T_TMP/$1.log
	shift
	start_ctl_tftpd "$LOG" --listen "[::1]:0" --root "$R" "$@"
	P=$TPORT
	SRV=$TFTPD_PID
	wait_for 5 grep -q 'Listening on \[::1\]:' "$LOG"
	P6=$(sed -n 's/.*Listening on \[::1\]:\([0-9][0-9]*\),.*/\1/p' "$LOG" | head -1)
}
stop() { kill "$SRV"; wait "$SRV" 2>/dev/null; }
raw() { "$BIN/tftp-raw" "$@"; }
# rrq NAME [OPTIONS]: a tftp-raw RRQ string (tftp-raw decodes the \0 escapes).
rrq() { printf '\\0\\1%s\\0octet\\0%s' "$1" "${2:-}"; }
hpa() { rm -f "$3"; tftp 127.0.0.1 "$1" -m binary -c get "$2" "$3"; }

# --- defaults: what each option changes ----------------------------------------------
start defaults
raw 127.0.0.1:$P "$(rrq over.bin)" > "$O/d1"
expect_grep "default: a 2501-byte file is served" "DATA 1 512" "$O/d1"
raw 127.0.0.1:$P "$(rrq linked.bin)" > "$O/d2"
expect_grep "default: a file with two hard links is refused (ERROR 2)" "ERROR 2 file has several hard links" "$O/d2"
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/d3"
expect_grep "default: blksize capped at 1468 (MTU 1500 - 32) on IPv4" "OACK blksize=1468 port" "$O/d3"
raw "[::1]:$P6" "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/d4"
expect_grep "default: blksize capped at 1448 (MTU 1500 - 52) on IPv6" "OACK blksize=1448 port" "$O/d4"
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'windowsize\0100\0')" > "$O/d5"
expect_grep "default: windowsize capped at 64" "OACK windowsize=64 port" "$O/d5"
raw 127.0.0.1:$P '\0\2upload.bin\0octet\0' > "$O/d6"
expect_grep "default: write request answered ERROR 2" "ERROR 2 " "$O/d6"
stop

# --- --max-file-size -------------------------------------------------------------------
start maxfile --max-file-size 2500
raw 127.0.0.1:$P "$(rrq over.bin)" > "$O/m1"
expect_grep "--max-file-size 2500: 2501 bytes refused with ERROR 3 and a message" "ERROR 3 file too large" "$O/m1"
expect_grep "--max-file-size: refusal logged with the name" "Access denied[over.bin] for 127.0.0.1:" "$LOG"
hpa $P limit.bin "$O/m2"
check "--max-file-size 2500: a file of exactly 2500 bytes is served (md5)" same "$R/limit.bin" "$O/m2"
raw 127.0.0.1:$P "$(rrq CTLSEP00AABBCCDDEE.tlv)" > "$O/m3"
expect_grep "--max-file-size applies to the cluster file behind CTLSEP<MAC>.tlv" "ERROR 3 file too large" "$O/m3"
stop

# --- --allow-hardlinks -----------------------------------------------------------------
start hardlinks --allow-hardlinks
hpa $P linked.bin "$O/h1"
check "--allow-hardlinks: the hard-linked file is served (md5)" same "$R/linked.bin" "$O/h1"
hpa $P linked2.bin "$O/h2"
check "--allow-hardlinks: and under its other name" same "$R/linked.bin" "$O/h2"
stop

# --- --mtu and --max-blksize -----------------------------------------------------------
start mtu --mtu 1000
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/u1"
expect_grep "--mtu 1000: blksize capped at 968 on IPv4" "OACK blksize=968 port" "$O/u1"
raw "[::1]:$P6" "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/u2"
expect_grep "--mtu 1000: blksize capped at 948 on IPv6" "OACK blksize=948 port" "$O/u2"
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'blksize\0600\0')" > "$O/u3"
expect_grep "--mtu 1000: a smaller request is granted as asked" "OACK blksize=600 port" "$O/u3"
rm -f "$O/u4"
atftp -g -r fw.bin -l "$O/u4" --option "blksize 1400" 127.0.0.1 $P >/dev/null 2>&1
check "--mtu 1000: atftp asking blksize 1400 gets the right bytes (md5)" same "$R/fw.bin" "$O/u4"
grep "Serving\[fw.bin\]" "$LOG" | grep -q "blksize 968 " && ok "--mtu 1000: logged blksize 968" \
	|| not_ok "--mtu 1000: fw.bin not served at blksize 968"
stop
start maxblk --max-blksize 700
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/b1"
expect_grep "--max-blksize 700: OACK blksize=700 on IPv4" "OACK blksize=700 port" "$O/b1"
raw "[::1]:$P6" "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/b2"
expect_grep "--max-blksize 700: OACK blksize=700 on IPv6 too" "OACK blksize=700 port" "$O/b2"
check "--max-blksize 700: tftp-get asking 1428 gets the right bytes" \
	"$BIN/tftp-get" --blksize 1428 127.0.0.1:$P fw.bin "$O/b3"
check "--max-blksize 700: md5" same "$R/fw.bin" "$O/b3"
stop
start maxblk-over-mtu --max-blksize 4000 --mtu 1000
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'blksize\065464\0')" > "$O/b4"
expect_grep "--max-blksize 4000 overrides --mtu 1000" "OACK blksize=4000 port" "$O/b4"
stop

# --- --max-windowsize ------------------------------------------------------------------
start window --max-windowsize 4
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'windowsize\0100\0')" > "$O/w1"
expect_grep "--max-windowsize 4: OACK windowsize=4" "OACK windowsize=4 port" "$O/w1"
raw 127.0.0.1:$P "$(rrq CTLFile.tlv 'windowsize\03\0')" > "$O/w2"
expect_grep "--max-windowsize 4: windowsize 3 granted as asked" "OACK windowsize=3 port" "$O/w2"
check "--max-windowsize 4: tftp-get asking 64 gets the right bytes" \
	"$BIN/tftp-get" --windowsize 64 --blksize 1428 127.0.0.1:$P fw.bin "$O/w3"
check "--max-windowsize 4: md5" same "$R/fw.bin" "$O/w3"
grep "Serving\[fw.bin\]" "$LOG" | grep -q "windowsize 4," && ok "--max-windowsize 4: transfer logged with windowsize 4" \
	|| not_ok "--max-windowsize 4: fw.bin not served with windowsize 4"
stop

# --- --wrq-error -----------------------------------------------------------------------
start wrq --wrq-error 4
raw 127.0.0.1:$P '\0\2upload.bin\0octet\0' > "$O/q1"
expect_grep "--wrq-error 4: write request answered ERROR 4" "ERROR 4 " "$O/q1"
check "--wrq-error 4: nothing written into the root" test ! -e "$R/upload.bin"
stop
expect_exit "--wrq-error 3 is refused (usage, exit 2)" 2 "$BIN/ctl-tftpd" --wrq-error 3 --listen 127.0.0.1:0 --root "$R"

# --- --cache-size 0 --------------------------------------------------------------------
start nocache --cache-size 0
hpa $P fw.bin "$O/c1"
check "--cache-size 0: right bytes" same "$R/fw.bin" "$O/c1"
hpa $P CTLSEP00AABBCCDDEE.tlv "$O/c2"
check "--cache-size 0: CTLSEP<MAC>.tlv = CTLFile.tlv" same "$R/CTLFile.tlv" "$O/c2"
head -c 300000 /dev/urandom > "$T_TMP/fw2"
cp "$T_TMP/fw2" "$R/.fw.tmp" && chmod 644 "$R/.fw.tmp" && mv "$R/.fw.tmp" "$R/fw.bin"
hpa $P fw.bin "$O/c3"
check "--cache-size 0: a replaced file is served new" same "$T_TMP/fw2" "$O/c3"
check "--cache-size 0: 50 phones at once, every download verified" "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$P -n 50 \
	-f "CTLSEP%M.tlv=$R/CTLFile.tlv" -f "fw.bin=$R/fw.bin"
expect_grep "--cache-size 0: load result" "RESULT ok=100 failed=0 corrupt=0" "$T_TMP/last.out"
kill -USR1 $SRV
wait_for 5 grep -q "Status: requests" "$LOG"
expect_grep "--cache-size 0: nothing cached" "cached 0 files 0 bytes" "$LOG"
stop
finish
