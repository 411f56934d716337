#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The phone-boot simulation against the real ctl-tftpd: trust on first use,
# a CTL re-signed by the second token accepted, a rogue token refused with
# the old CTL kept, a tampered CTL, erase then re-trust, an ITL chained
# through the CTL's CCM+TFTP record, .sgn configuration files signed by a
# listed TFTP certificate or by another, md5 agreement with md5sum and
# `ctl-client show`, a cluster without CTL, a phone holding only an ITL
# taking (or refusing) its first CTL, and an unreachable server.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/phone.sh"
MAC=0011215A1AE3
R=$T_TMP/root
S=$T_TMP/phone
F=$T_TMP/files
mkdir -p "$R" "$F"

cluster_ctl "$F/ctl1.tlv" sast1 1700000000 >/dev/null
cluster_ctl "$F/ctl2.tlv" sast2 1700000100 >/dev/null
rogue_ctl "$F/rogue.tlv" >/dev/null
cluster_itl "$F/itl.tlv" >/dev/null
printf '<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>\n' \
	> "$F/SEP$MAC.cnf.xml"
check "ctl-client sign-file with the CCM+TFTP certificate" "$CC" sign-file --cert "$PKI/ccm1.pem" \
	--key "$PKI/ccm1.key" "$F/SEP$MAC.cnf.xml"
expect_grep "sign-file reports the header length" "header length" "$T_TMP/last.out"
check "ctl-client show reads the .sgn header" sh -c "'$CC' show '$F/SEP$MAC.cnf.xml.sgn' | grep -q 'PAYLOAD'"
"$CC" sign-file --cert "$PKI/ccm2.pem" --key "$PKI/ccm2.key" --out "$F/other.sgn" \
	--filename "SEP$MAC.cnf.xml.sgn" "$F/SEP$MAC.cnf.xml" >/dev/null
expect_exit "sign-file without a key is a usage error" 2 "$CC" sign-file --cert "$PKI/ccm1.pem" "$F/SEP$MAC.cnf.xml"

cp "$F/ctl1.tlv" "$R/CTLFile.tlv"
cp "$F/itl.tlv" "$R/ITLFile.tlv"
cp "$F/SEP$MAC.cnf.xml.sgn" "$R/"
chmod -R a+rX "$R"
LOG=$T_TMP/server.log
start_ctl_tftpd "$LOG" --root "$R" --no-inotify
PORT=$TPORT
boot() { "$PV" boot --mac "$MAC" --tftp 127.0.0.1:$PORT --state "$S" "$@"; }

# 1. A fresh phone trusts the first CTL and ITL, then takes the signed config.
# --verbose adds ctl-suite's explanations ("ctl-suite: " lines) to the
# phone's own console lines.
expect_exit "fresh phone: trust on first use (exit 0)" 0 boot --verbose
O=$T_TMP/last.out
expect_grep "console: tlRequestFile" "SECD: tlRequestFile: Request CTLSEP$MAC.tlv" "$O"
expect_grep "console: TFTP request" "TFTP: [1]:Requesting CTLSEP$MAC.tlv from 127.0.0.1:$PORT" "$O"
expect_grep "console: rcvd bytes = file size" "TFTP: [1]:Finished --> rcvd $(wc -c < "$F/ctl1.tlv") bytes" "$O"
expect_grep "console: validate_file_envelope" "SECD: validate_file_envelope: File sign verify SUCCESS; header length <" "$O"
expect_grep "--verbose: TOFU" "ctl-suite: CTLFile.tlv updated (trust on first use), md5 $(md5 "$R/CTLFile.tlv")" "$O"
expect_grep "--verbose: ITL trusted through the CTL's CCM+TFTP record 3" \
	"ctl-suite: ITLFile.tlv updated (signed by CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US, record 3 (CCM+TFTP) of the held CTL)" "$O"
expect_grep "status: Trust List Updated" " Trust List Updated" "$O"
expect_grep "--verbose: signed config verified by record 3" "ctl-suite: SEP$MAC.cnf.xml.sgn signed by record 3 (CCM+TFTP) of the held CTL" "$O"
check "stored CTL is the server's (md5sum)" test "$(md5 "$S/CTLFile.tlv")" = "$(md5 "$R/CTLFile.tlv")"
check "stored ITL is the server's (md5sum)" test "$(md5 "$S/ITLFile.tlv")" = "$(md5 "$R/ITLFile.tlv")"
check "stored config is the payload" cmp "$S/SEP$MAC.cnf.xml" "$F/SEP$MAC.cnf.xml"

# 2. Trust list md5 vs md5sum and show ctl.
expect_exit "trust-list" 0 "$PV" trust-list --state "$S"
expect_grep "trust-list shows the md5sum of the server's CTL" "MD5:       $(md5 "$R/CTLFile.tlv")" "$T_TMP/last.out"
"$CC" show "$R/CTLFile.tlv" > "$T_TMP/show.txt" 2>&1
expect_grep "ctl-client show prints the same md5" "$(md5 "$S/CTLFile.tlv")(MD5)" "$T_TMP/show.txt"
expect_exit "trust-list --json" 0 "$PV" trust-list --state "$S" --json
expect_grep "json md5" "\"md5\":\"$(md5 "$R/ITLFile.tlv")\"" "$T_TMP/last.out"
expect_exit "compare --server-file: match" 0 "$PV" compare --state "$S" --server-file "$R/CTLFile.tlv"
expect_grep "compare says match" "CTL: phone $(md5 "$R/CTLFile.tlv"), server $(md5 "$R/CTLFile.tlv")" "$T_TMP/last.out"
expect_exit "compare --tftp: both files match" 0 "$PV" compare --state "$S" --tftp 127.0.0.1:$PORT --mac "$MAC"

# 3. Unchanged: a no-op without a status message.
expect_exit "second boot: unchanged (exit 0)" 0 boot
if grep -q "ctl-suite: " "$T_TMP/last.out"; then not_ok "no ctl-suite: line without --verbose"; else ok "no ctl-suite: line without --verbose"; fi
if grep -q "Trust List Updated" "$T_TMP/last.out"; then not_ok "no status for an unchanged list"; else ok "no status for an unchanged list"; fi
expect_exit "third boot, --verbose: unchanged (exit 0)" 0 boot --verbose
expect_grep "--verbose: unchanged" "ctl-suite: CTLFile.tlv unchanged, md5 $(md5 "$R/CTLFile.tlv")" "$T_TMP/last.out"
if grep -q "Trust List Updated" "$T_TMP/last.out"; then not_ok "no status for an unchanged list"; else ok "no status for an unchanged list"; fi

# 4. Re-signed by the second token: accepted.
expect_exit "compare before the update: mismatch" 1 "$PV" compare --state "$S" --server-file "$F/ctl2.tlv"
expect_grep "compare: the server's file is newer" "newer: the server's file" "$T_TMP/last.out"
expect_grep "compare: the phone would accept it" "the phone would accept the server's file" "$T_TMP/last.out"
cp "$F/ctl2.tlv" "$R/CTLFile.tlv"
expect_exit "CTL re-signed by the second token: accepted" 0 boot --verbose
# ctl-suite's explanation names the signer (the second token) and the held
# CTL's record that vouched for it: record 2, the second SAST.
SAST2_CN=$(openssl x509 -in "$PKI/sast2.pem" -noout -subject -nameopt sep_multiline | sed -n 's/^ *CN=//p')
expect_grep "updated through SAST record 2" \
	"ctl-suite: CTLFile.tlv updated (signed by CN=$SAST2_CN;OU=IPCBU;O=Cisco Systems, record 2 (SAST) of the held CTL), md5 $(md5 "$F/ctl2.tlv")" \
	"$T_TMP/last.out"
expect_grep "status: Trust List Updated (token 2)" "Trust List Updated" "$T_TMP/last.out"
check "stored CTL is the new one" test "$(md5 "$S/CTLFile.tlv")" = "$(md5 "$F/ctl2.tlv")"

# 5. Rogue token: refused, old CTL kept.
expect_exit "compare with the rogue file: mismatch" 1 "$PV" compare --state "$S" --server-file "$F/rogue.tlv"
expect_grep "compare: records only on the server" "only on the server: record 1 SAST CN=SAST-ADN0bad0bad;OU=IPCBU;O=Cisco Systems" "$T_TMP/last.out"
expect_grep "compare: the phone would refuse it" "the phone would refuse the server's file" "$T_TMP/last.out"
cp "$F/rogue.tlv" "$R/CTLFile.tlv"
expect_exit "CTL signed by a rogue token: Trust List Update Failed (exit 1)" 1 boot --verbose
expect_grep "status: Trust List Update Failed" " Trust List Update Failed" "$T_TMP/last.out"
expect_grep "--verbose names the rogue signer and keeps the held CTL" \
	"ctl-suite: CTLFile.tlv refused: signer CN=SAST-ADN0bad0bad;OU=IPCBU;O=Cisco Systems" "$T_TMP/last.out"
check "old CTL kept" test "$(md5 "$S/CTLFile.tlv")" = "$(md5 "$F/ctl2.tlv")"

# 6. Tampered: Trust List Verification Failed.
cp "$F/ctl2.tlv" "$R/CTLFile.tlv"
flip_bit "$R/CTLFile.tlv" 1000
expect_exit "tampered CTL: Trust List Verification Failed (exit 3)" 3 boot
expect_grep "status: Trust List Verification Failed" " Trust List Verification Failed" "$T_TMP/last.out"
expect_grep "console: sign verify FAILED" "File sign verify FAILED; header length <" "$T_TMP/last.out"
check "CTL kept after tampering" test "$(md5 "$S/CTLFile.tlv")" = "$(md5 "$F/ctl2.tlv")"

# 7. Erase, then a boot re-trusts (the server went back to the first CTL).
expect_exit "erase" 0 "$PV" erase --state "$S"
expect_grep "erase message" "Erasing CTL and ITL files" "$T_TMP/last.out"
check "erase removed both lists" test ! -e "$S/CTLFile.tlv" -a ! -e "$S/ITLFile.tlv"
cp "$F/ctl1.tlv" "$R/CTLFile.tlv"
expect_exit "boot after erase: trusts again" 0 boot --verbose
expect_grep "TOFU after erase" "ctl-suite: CTLFile.tlv updated (trust on first use)" "$T_TMP/last.out"
check "stored CTL after erase" test "$(md5 "$S/CTLFile.tlv")" = "$(md5 "$F/ctl1.tlv")"

# 8. A config signed by a certificate the trust list does not hold.
cp "$F/other.sgn" "$R/SEP$MAC.cnf.xml.sgn"
expect_exit ".sgn signed by another certificate: File auth error (exit 5)" 5 boot --verbose
expect_grep "status: File auth error (the 7940's words)" " File auth error" "$T_TMP/last.out"
expect_grep "--verbose: the refused file named" "ctl-suite: SEP$MAC.cnf.xml.sgn refused: " "$T_TMP/last.out"

# 9. JSON result.
cp "$F/SEP$MAC.cnf.xml.sgn" "$R/"
expect_exit "boot --json" 0 boot --json
expect_grep "json status" "\"status\":\"Trust List Unchanged\"" "$T_TMP/last.out"
expect_grep "json ctl md5" "\"ctl_md5\":\"$(md5 "$F/ctl1.tlv")\"" "$T_TMP/last.out"

# 10. A cluster without trust lists: a fresh phone.
rm -f "$R/CTLFile.tlv" "$R/ITLFile.tlv"
expect_exit "no trust list on the server: No Trust List Installed (exit 4)" 4 \
	"$PV" boot --mac 0011215A1AE4 --tftp 127.0.0.1:$PORT --state "$T_TMP/phone2"
expect_grep "status: File Not Found" "File Not Found CTLSEP0011215A1AE4.tlv" "$T_TMP/last.out"
expect_grep "status: No Trust List Installed" " No Trust List Installed" "$T_TMP/last.out"

# 11. A phone holding only an ITL (non-secure cluster) gets its first CTL:
# the usual way into mixed mode. CUCM 10.x signs both with the publisher's
# CallManager certificate, the ITL's SAST record 1.
"$CC" build --tokenless --out "$F/ctl10.tlv" --sast "$PKI/ccm1.pem" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" --capf "$PKI/capf.pem" \
	--sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem" --timestamp 1700000300 >/dev/null
# The CallManager certificate regenerated (ccm2 now signs): the held ITL
# cannot vouch for it.
"$CC" build --tokenless --out "$F/ctl10-regen.tlv" --sast "$PKI/ccm2.pem" \
	--ccm-tftp "$PKI/ccm2.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" --capf "$PKI/capf.pem" \
	--sign-key "$PKI/ccm2.key" --sign-cert "$PKI/ccm2.pem" --timestamp 1700000400 >/dev/null
CCM1_SUBJ="CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US"
CCM2_SUBJ="CN=cucm-sub1.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US"
cp "$F/itl.tlv" "$R/ITLFile.tlv"
S3=$T_TMP/phone3
S4=$T_TMP/phone4
expect_exit "ITL only on the server: the phone installs the ITL (exit 0)" 0 \
	"$PV" boot --mac 0011215A1AE5 --tftp 127.0.0.1:$PORT --state "$S3" --verbose
expect_grep "ITL only: CTL not found" "File Not Found CTLSEP0011215A1AE5.tlv" "$T_TMP/last.out"
expect_grep "ITL only: ITL on first use" "ctl-suite: ITLFile.tlv updated (trust on first use)" "$T_TMP/last.out"
check "ITL only: the phone holds no CTL" test ! -e "$S3/CTLFile.tlv"
"$PV" boot --mac 0011215A1AE6 --tftp 127.0.0.1:$PORT --state "$S4" >/dev/null 2>&1
check "second ITL-only phone holds the ITL alone" test -e "$S4/ITLFile.tlv" -a ! -e "$S4/CTLFile.tlv"
cp "$F/ctl10.tlv" "$R/CTLFile.tlv"
expect_exit "ITL-only phone, CTL signed by the ITL's SAST: installed (exit 0)" 0 \
	"$PV" boot --mac 0011215A1AE5 --tftp 127.0.0.1:$PORT --state "$S3" --verbose
expect_grep "the ITL's SAST record 1 vouched for the CTL" \
	"ctl-suite: CTLFile.tlv updated (signed by $CCM1_SUBJ, record 1 (SAST) of the held ITL), md5 $(md5 "$F/ctl10.tlv")" \
	"$T_TMP/last.out"
expect_grep "status: Trust List Updated (into mixed mode)" " Trust List Updated" "$T_TMP/last.out"
check "the phone now holds that CTL" test "$(md5 "$S3/CTLFile.tlv")" = "$(md5 "$F/ctl10.tlv")"
check "and keeps its ITL" test "$(md5 "$S3/ITLFile.tlv")" = "$(md5 "$F/itl.tlv")"
cp "$F/ctl10-regen.tlv" "$R/CTLFile.tlv"
expect_exit "ITL-only phone, CTL signer unknown to the ITL: Trust List Update Failed (exit 1)" 1 \
	"$PV" boot --mac 0011215A1AE6 --tftp 127.0.0.1:$PORT --state "$S4" --verbose
expect_grep "--verbose: the ITL's SAST cannot vouch for the signer; no CTL installed" \
	"ctl-suite: CTLFile.tlv refused: signer $CCM2_SUBJ (record 1) is not a SAST of the held ITL" "$T_TMP/last.out"
expect_grep "--verbose: ... and no CTL installed" "; none installed" "$T_TMP/last.out"
expect_grep "status: Trust List Update Failed (no CTL)" " Trust List Update Failed" "$T_TMP/last.out"
check "refused: still no CTL on the phone" test ! -e "$S4/CTLFile.tlv"
check "refused: the ITL is kept" test "$(md5 "$S4/ITLFile.tlv")" = "$(md5 "$F/itl.tlv")"

# 12. Nobody listening.
DEAD=$(free_port)
expect_exit "unreachable server: exit 8" 8 "$PV" boot --mac "$MAC" --tftp 127.0.0.1:$DEAD --timeout 50 --retries 1
expect_grep "status: Trust List Update Failed (network)" "Trust List Update Failed" "$T_TMP/last.out"

# 14. No boot printed a line no phone prints; ctl-suite's lines only with --verbose.
if grep -qE 'tlUpdate|tlVerifyTrust|cfgVerify' "$T_TMP/all-output"; then
	not_ok "no tlUpdate/tlVerifyTrust/cfgVerify line in any boot"; else ok "no tlUpdate/tlVerifyTrust/cfgVerify line in any boot"; fi

# 13. Usage.
expect_exit "boot without --mac: usage" 2 "$PV" boot --tftp 127.0.0.1:$PORT
expect_exit "bad MAC: usage" 2 "$PV" boot --mac 0011215A1AEZ --tftp 127.0.0.1:$PORT
expect_exit "--help exits 0" 0 "$PV" boot --help
finish
