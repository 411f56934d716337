#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# phone-verifier's TFTP client against a hostile server
# (tests/tools/tftp/hostile-tftpd.py, loopback, kernel-picked port): an
# impostor port sending DATA or ERROR, wrong block numbers, OACK values
# nobody asked for, a tsize too large, more data than the announced tsize,
# a file past the client's limit, an oversized block and an ERROR in
# mid-transfer. Each must end the CTL transfer with its own error (or, for
# impostors, be ignored), store nothing, and never crash the phone (run it
# with BUILD=<an ASan+UBSan build> as well). The honest mode is the control.
. "$(dirname "$0")/../lib/e2e.sh"
need_pki
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
HOSTILE=$TOP/tests/tools/tftp/hostile-tftpd.py
MAC=0011215A1AE7
F=$T_TMP/CTLFile.tlv
md5() { md5sum < "$1" | cut -d' ' -f1; }
"$CC" build --out "$F" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem" >/dev/null ||
	{ echo "Bail out! ctl-client build failed"; exit 1; }

# hostile MODE: starts the server for one case (port in HPORT, log in HLOG).
hostile() {
	HLOG=$T_TMP/$1.log
	rm -f "$T_TMP/$1.port"
	python3 "$HOSTILE" "$T_TMP/$1.port" "$HLOG" "$1" "$F" 60 &
	HPID=$!
	T_PIDS="$T_PIDS $HPID"
	wait_for 10 test -s "$T_TMP/$1.port" || { echo "Bail out! hostile-tftpd did not start"; exit 1; }
	HPORT=$(cat "$T_TMP/$1.port")
}

# boot_case MODE WANT_EXIT [BOOT OPTIONS]: one fresh phone's boot against that server.
boot_case() {
	_mode=$1 _want=$2
	shift 2
	hostile "$_mode"
	S=$T_TMP/phone-$_mode
	expect_exit "$_mode: boot exits $_want" "$_want" timeout 120 "$PV" boot --mac "$MAC" \
		--tftp "127.0.0.1:$HPORT" --state "$S" --timeout 300 --retries 3 "$@"
	set -- "$_mode"
	cp "$T_TMP/last.out" "$T_TMP/$1.out"
	cp "$T_TMP/last.err" "$T_TMP/$1.err"
	if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T_TMP/$1.err"; then
		not_ok "$1: no sanitizer report"; sed 's/^/#   /' "$T_TMP/$1.err" | head -20
	else
		ok "$1: no sanitizer report"
	fi
	kill "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
}

stored_nothing() { # MODE
	check "$1: no CTL stored" test ! -e "$T_TMP/phone-$1/CTLFile.tlv"
}

REQ="TFTP: [1]:Error -->"
NAME=CTLSEP$MAC.tlv

# Control: the honest server.
boot_case ok 0 --verbose
expect_grep "ok: the CTL is installed (--verbose)" "ctl-suite: CTLFile.tlv updated (trust on first use)" "$T_TMP/ok.out"
check "ok: stored CTL is the server's" test "$(md5 "$T_TMP/phone-ok/CTLFile.tlv")" = "$(md5 "$F")"

# An impostor port sends DATA (garbage) for each block: ignored and told off.
boot_case wrong-tid 0
check "wrong-tid: stored CTL is the real one" test "$(md5 "$T_TMP/phone-wrong-tid/CTLFile.tlv")" = "$(md5 "$F")"
expect_grep "wrong-tid: the impostor got ERROR 5 (Unknown transfer ID)" "impostor got ERROR 5" "$HLOG"

# An impostor port sends ERROR 0 mid-transfer: ignored.
boot_case spoofed-error 0
check "spoofed-error: stored CTL is the real one" \
	test "$(md5 "$T_TMP/phone-spoofed-error/CTLFile.tlv")" = "$(md5 "$F")"
expect_grep "spoofed-error: the impostor got ERROR 5" "impostor got ERROR 5" "$HLOG"

# Blocks numbered 0 or from the future, before each right one: ignored.
boot_case wrong-block 0
check "wrong-block: stored CTL is the real one" test "$(md5 "$T_TMP/phone-wrong-block/CTLFile.tlv")" = "$(md5 "$F")"
expect_grep "wrong-block: the transfer completed" "transfer complete: $(wc -c < "$F") bytes" "$HLOG"

# Wrong block numbers only: block 1 never comes, so the transfer times out.
for m in never-block-1 block-zero; do
	boot_case $m 8
	expect_grep "$m: timeout, with the retransmissions" "$REQ timeout $NAME after 3 retransmissions" "$T_TMP/$m.out"
	expect_grep "$m: Trust List Update Failed" " Trust List Update Failed" "$T_TMP/$m.out"
	stored_nothing $m
done

# OACKs nobody asked for: ERROR 8 to the server, protocol error.
for m in oack-window oack-blksize oack-unknown; do
	boot_case $m 8
	expect_grep "$m: protocol error" "$REQ protocol error $NAME after " "$T_TMP/$m.out"
	expect_grep "$m: the server is told ERROR 8" "client ERROR 8 Unacceptable OACK" "$HLOG"
	stored_nothing $m
done

# Sizes.
boot_case oack-tsize-big 8
expect_grep "oack-tsize-big: file too large" "$REQ file too large $NAME after " "$T_TMP/oack-tsize-big.out"
expect_grep "oack-tsize-big: the server is told ERROR 3" "client ERROR 3 File too large" "$HLOG"
stored_nothing oack-tsize-big

boot_case tsize-lie 8
expect_grep "tsize-lie: protocol error" "$REQ protocol error $NAME after " "$T_TMP/tsize-lie.out"
expect_grep "tsize-lie: refused at the first block past the announced size" \
	"client stopped at block $(( $(wc -c < "$F") / 1468 + 1 )) (error)" "$HLOG"
expect_grep "tsize-lie: the server is told why" "client ERROR 4 DATA beyond the announced tsize" "$HLOG"
stored_nothing tsize-lie

boot_case huge 8
expect_grep "huge: file too large" "$REQ file too large $NAME after " "$T_TMP/huge.out"
expect_grep "huge: refused at the 16 MiB limit" "client stopped at block 32769 (error)" "$HLOG"
stored_nothing huge

boot_case oversize-data 8
expect_grep "oversize-data: protocol error" "$REQ protocol error $NAME after " "$T_TMP/oversize-data.out"
expect_grep "oversize-data: the server is told why" "client ERROR 4 DATA larger than blksize" "$HLOG"
stored_nothing oversize-data

# ERROR in mid-transfer: the server's code and its text, escaped.
boot_case error-mid 8
expect_grep "error-mid: the server's error, escaped" \
	"$REQ Undefined error $NAME: code 0 \"disk gone\\x1b[31m\\x07\"" "$T_TMP/error-mid.out"
stored_nothing error-mid
finish
