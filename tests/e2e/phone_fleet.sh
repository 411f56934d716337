#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot storms against the real ctl-tftpd: 1,000 fresh phones in one
# process all report Trust List Updated and end with the server's md5
# (checked against md5sum); a second storm with state kept finds nothing
# to update; under 10% DATA loss every phone still ends with the right files.
. "$(dirname "$0")/../lib/e2e.sh"
need_pki
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
R=$T_TMP/root
mkdir -p "$R"
md5() { md5sum < "$1" | cut -d' ' -f1; }
"$CC" build --out "$R/CTLFile.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --capf "$PKI/capf.pem" --sign-key "$PKI/sast1.key" \
	--sign-cert "$PKI/sast1.pem" >/dev/null
"$CC" build --itl --tokenless --out "$R/ITLFile.tlv" --sast "$PKI/ccm1.pem" --ccm-tftp "$PKI/ccm1.pem" \
	--tvs "$PKI/tvs1.pem" --sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem" >/dev/null
chmod -R a+rX "$R"
PORT=$(free_port)
LOG=$T_TMP/server.log
"$BIN/ctl-tftpd" --listen 127.0.0.1:$PORT --root "$R" --timeout 50 --max-timeout 200 --retries 20 -q >"$LOG" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 5 sh -c "'$PV' compare --state '$T_TMP/none' --tftp 127.0.0.1:$PORT --mac 000000000000 --timeout 100 --retries 1 >/dev/null 2>&1; [ \$? -ne 8 ]" ||
	{ echo "Bail out! ctl-tftpd did not answer"; cat "$LOG"; exit 1; }

J=$T_TMP/fleet.json
expect_exit "1000 fresh phones (exit 0)" 0 "$PV" fleet --count 1000 --concurrency 200 \
	--tftp 127.0.0.1:$PORT --state-root "$T_TMP/phones" --json
cp "$T_TMP/last.out" "$J"
expect_grep "1000 x Trust List Updated" "\"Trust List Updated\":1000" "$J"
expect_grep "1000 phones with the server's md5" "\"server_md5_phones\":1000" "$J"
expect_grep "server CTL md5 = md5sum" "\"server_ctl_md5\":\"$(md5 "$R/CTLFile.tlv")\"" "$J"
expect_grep "server ITL md5 = md5sum" "\"server_itl_md5\":\"$(md5 "$R/ITLFile.tlv")\"" "$J"
n=$(ls "$T_TMP/phones" | wc -l)
check "1000 distinct state directories" test "$n" -eq 1000
bad=0
for d in "$T_TMP"/phones/SEP*; do
	[ "$(md5 "$d/CTLFile.tlv")" = "$(md5 "$R/CTLFile.tlv")" ] || bad=$((bad + 1))
done
check "every stored CTL equals the server's (md5sum)" test "$bad" -eq 0

expect_exit "second storm with the same state: nothing to update" 0 "$PV" fleet --count 1000 \
	--concurrency 200 --tftp 127.0.0.1:$PORT --state-root "$T_TMP/phones" --json
expect_grep "1000 x unchanged" "\"Trust List Unchanged\":1000" "$T_TMP/last.out"

expect_exit "text summary" 0 "$PV" fleet --count 50 --tftp 127.0.0.1:$PORT --mac-prefix 0A0B
expect_grep "summary: status count" "Trust List Updated               50" "$T_TMP/last.out"
expect_grep "summary: md5" "phones with the server's md5: 50 of 50" "$T_TMP/last.out"
expect_grep "summary: percentiles" "boot time ms: p50 " "$T_TMP/last.out"

expect_exit "300 phones under 10% DATA loss (exit 0)" 0 "$PV" fleet --count 300 --concurrency 100 \
	--tftp 127.0.0.1:$PORT --loss 10 --seed 3 --timeout 100 --retries 30 --json
expect_grep "all 300 with the server's md5 under loss" "\"server_md5_phones\":300" "$T_TMP/last.out"
expect_grep "all 300 updated under loss" "\"Trust List Updated\":300" "$T_TMP/last.out"
d=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' "$T_TMP/last.out")
[ "${d:-0}" -gt 0 ] && ok "packets really dropped ($d)" || not_ok "no packet dropped"

expect_exit "MAC prefix too long for the count: usage" 2 "$PV" fleet --count 20 --mac-prefix 00112233445 \
	--tftp 127.0.0.1:$PORT
finish
