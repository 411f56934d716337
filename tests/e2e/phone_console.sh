#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The two console families of phone-verifier boot against the real
# ctl-tftpd, line for line in the shapes real phones print: the 88xx
# ("NNNN NOT Mon DD hh:mm:ss.uuuuuu", dgetfile(N)-GETXXTP per file,
# "dgetfile(N)-XXTP complete - status = 100", the SECUREAPP- lines of an
# 8861) and the 79xx ("NNN: NOT hh:mm:ss.uuuuuu", SECD: tlRequestFile,
# TFTP: [n]:Requesting / Finished, validate_file_envelope). No line a real
# phone never prints (tlUpdate, tlVerifyTrust, cfgVerify) appears; what
# ctl-suite adds (which record of which held list vouched, why a file was
# refused) is a "ctl-suite: " line printed only with --verbose. Status
# messages in each family's words: a refused .sgn is "File auth error"
# (7940) or "invalid file ..., authenticated fail. Reason:14." (8945), a
# damaged CTL "Trust List Verification Failed" (79xx), "Trust List Update
# Failed" (88xx) or "Trust List update failed, verification failure" (69xx).
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/phone.sh"
MAC=0011215A1AE3
R=$T_TMP/root
F=$T_TMP/files
mkdir -p "$R" "$F"
nogrep() { # DESC PATTERN FILE (extended regexp)
	if grep -qE -- "$2" "$3"; then not_ok "$1"; grep -E -- "$2" "$3" | sed 's/^/#   /' | head -5
	else ok "$1"; fi
}
greps() { # DESC PATTERN FILE (extended regexp)
	if grep -qE -- "$2" "$3"; then ok "$1"; else not_ok "$1 (no /$2/)"; sed 's/^/#   /' "$3" | head -40; fi
}

cluster_ctl "$F/ctl1.tlv" sast1 1700000000 >/dev/null
cluster_ctl "$F/ctl2.tlv" sast2 1700000100 >/dev/null
rogue_ctl "$F/rogue.tlv" >/dev/null
cluster_itl "$F/itl.tlv" >/dev/null
printf '<device><deviceProtocol>SIP</deviceProtocol></device>\n' > "$F/SEP$MAC.cnf.xml"
"$CC" sign-file --cert "$PKI/ccm1.pem" --key "$PKI/ccm1.key" "$F/SEP$MAC.cnf.xml" >/dev/null
"$CC" sign-file --cert "$PKI/ccm2.pem" --key "$PKI/ccm2.key" --out "$F/other.sgn" \
	--filename "SEP$MAC.cnf.xml.sgn" "$F/SEP$MAC.cnf.xml" >/dev/null
cp "$F/ctl1.tlv" "$R/CTLFile.tlv"
cp "$F/itl.tlv" "$R/ITLFile.tlv"
cp "$F/SEP$MAC.cnf.xml.sgn" "$R/"
chmod -R a+rX "$R"
start_ctl_tftpd "$T_TMP/server.log" --root "$R" --no-inotify
PORT=$TPORT
boot() { # STATE OUT [options]
	_s=$1; _o=$2; shift 2
	"$PV" boot --mac "$MAC" --tftp 127.0.0.1:$PORT --state "$_s" "$@" > "$_o" 2>"$T_TMP/last.err"
}
LINE88='^[0-9]+ (NOT|INF|DEB|WRN|ERR) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} '
LINE79='^[0-9]+: (NOT|ERR) [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} '
STATUS='^[0-2][0-9]:[0-5][0-9]:[0-6][0-9] '
FAKE='tlUpdate|tlVerifyTrust|cfgVerify|ctl-suite'

# 1. 88xx first boot: CTL and ITL on first use, the signed config.
boot "$T_TMP/p88" "$T_TMP/c88.out" --console 88xx
expect_eq "88xx first boot: exit 0" "$?" 0
O=$T_TMP/c88.out
sed 's/^/#   /' "$O"
if grep -qvE "($LINE88|$STATUS)" "$O"; then not_ok "88xx: every line has the 88xx prefix or the status clock"
	grep -vE "($LINE88|$STATUS)" "$O" | sed 's/^/#   /' | head -5; else ok "88xx: every line has the 88xx prefix or the status clock"; fi
nogrep "88xx: no line a real phone never prints" "$FAKE" "$O"
nogrep "88xx: no 79xx line" 'SECD: |TFTP: \[' "$O"
greps "88xx: dgetfile GETXXTP for the CTL (real 8861 shape)" \
	'^1 NOT .* dgetfile\(([0-9]+)\)-GETXXTP \[GT\1\]\[src=CTLSEP'"$MAC"'\.tlv\]\[dest=/tmp/CTLFile\.tlv\]\[serv=\]\[serv6=\]\[sec=0\]$' "$O"
greps "88xx: dgetfile GETXXTP for the ITL" \
	'NOT .* dgetfile\(([0-9]+)\)-GETXXTP \[GT\1\]\[src=ITLSEP'"$MAC"'\.tlv\]\[dest=/tmp/ITLFile\.tlv\]\[serv=\]\[serv6=\]\[sec=0\]$' "$O"
greps "88xx: dgetfile GETXXTP for the .sgn" \
	'dgetfile\(([0-9]+)\)-GETXXTP \[GT\1\]\[src=SEP'"$MAC"'\.cnf\.xml\.sgn\]\[dest=/tmp/SEP'"$MAC"'\.cnf\.xml\.sgn\]' "$O"
greps "88xx: completion as the 8861 logs it" 'NOT .* dgetfile\([0-9]+\)-XXTP complete - status = 100$' "$O"
greps "88xx: NOT Hashes match" "$LINE88"'SECUREAPP-Hashes match\.\.\. authentication successful\.$' "$O"
greps "88xx: NOT TL parse to table" '^[0-9]+ NOT .* SECUREAPP-updateFromFile: TL parse to table: CTL_SUCCESS$' "$O"
greps "88xx: NOT Updating master TL table" '^[0-9]+ NOT .* SECUREAPP-updateFromFile: Updating master TL table$' "$O"
greps "88xx: DEB TL file verified successfully." '^[0-9]+ DEB .* SECUREAPP-TL file verified successfully\.$' "$O"
greps "88xx: INF TL file updated." '^[0-9]+ INF .* SECUREAPP-TL file updated\.$' "$O"
greps "88xx: status CTL and ITL installed" "${STATUS}CTL and ITL installed$" "$O"
expect_eq "88xx: two lists installed, two TL file updated. lines" "$(grep -c 'SECUREAPP-TL file updated\.' "$O")" 2

# ... the same boot again with --verbose: ctl-suite's explanation, marked.
boot "$T_TMP/p88v" "$T_TMP/c88v.out" --console 88xx --verbose
expect_eq "88xx --verbose: exit 0" "$?" 0
O=$T_TMP/c88v.out
sed 's/^/#   /' "$O"
greps "--verbose: the CTL taken on first use, with its md5" \
	"^ctl-suite: CTLFile\.tlv updated \(trust on first use\), md5 $(md5 "$F/ctl1.tlv")$" "$O"
greps "--verbose: the ITL vouched for by the CTL's CCM+TFTP record 3" \
	"^ctl-suite: ITLFile\.tlv updated \(signed by .*cucm-pub\.example\.lab.*, record 3 \(CCM\+TFTP\) of the held CTL\), md5 $(md5 "$F/itl.tlv")$" "$O"
greps "--verbose: the .sgn vouched for by record 3 of the held CTL" \
	"^ctl-suite: SEP$MAC\.cnf\.xml\.sgn signed by record 3 \(CCM\+TFTP\) of the held CTL" "$O"
greps "--verbose: the bytes received" "^ctl-suite: dgetfile\([0-9]+\) rcvd $(wc -c < "$F/ctl1.tlv") bytes$" "$O"
nogrep "--verbose: still no tlUpdate/tlVerifyTrust/cfgVerify" 'tlUpdate|tlVerifyTrust|cfgVerify' "$O"

# 2. 88xx: the CTL re-signed by the second token; then a rogue token.
cp "$F/ctl2.tlv" "$R/CTLFile.tlv"
boot "$T_TMP/p88" "$T_TMP/c88-2.out" --console 88xx --verbose
expect_eq "88xx: CTL by token 2 accepted (exit 0)" "$?" 0
greps "88xx: status Trust List Updated" "${STATUS}Trust List Updated$" "$T_TMP/c88-2.out"
greps "--verbose: record 2 (SAST) of the held CTL vouched" \
	"^ctl-suite: CTLFile\.tlv updated \(signed by .*SAST.*, record 2 \(SAST\) of the held CTL\), md5 $(md5 "$F/ctl2.tlv")$" "$T_TMP/c88-2.out"
greps "--verbose: the unchanged ITL" "^ctl-suite: ITLFile\.tlv unchanged, md5 $(md5 "$F/itl.tlv")$" "$T_TMP/c88-2.out"
cp "$F/rogue.tlv" "$R/CTLFile.tlv"
boot "$T_TMP/p88" "$T_TMP/c88-3.out" --console 88xx
expect_eq "88xx: rogue CTL refused (exit 1)" "$?" 1
greps "88xx rogue: status Trust List Update Failed" "${STATUS}Trust List Update Failed$" "$T_TMP/c88-3.out"
nogrep "88xx rogue: no invented line" "$FAKE" "$T_TMP/c88-3.out"
boot "$T_TMP/p88" "$T_TMP/c88-3v.out" --console 88xx --verbose
greps "--verbose: why it was refused (signer not a SAST of the held CTL)" \
	"^ctl-suite: CTLFile\.tlv refused: .*SAST-ADN0bad0bad.*; keeping the held one, md5 $(md5 "$F/ctl2.tlv")$" "$T_TMP/c88-3v.out"

# 3. Damaged CTL: each family's words, exit 3.
cp "$F/ctl2.tlv" "$R/CTLFile.tlv"
flip_bit "$R/CTLFile.tlv" 1000
boot "$T_TMP/p88" "$T_TMP/c88-4.out" --console 88xx
expect_eq "88xx tampered: exit 3" "$?" 3
greps "88xx tampered: Trust List Update Failed (the 8800 guide's only failure string)" \
	"${STATUS}Trust List Update Failed$" "$T_TMP/c88-4.out"
boot "$T_TMP/p69" "$T_TMP/c69.out" --model 6971
expect_eq "69xx tampered: exit 3" "$?" 3
greps "69xx: Trust List update failed, verification failure" \
	"${STATUS}Trust List update failed, verification failure$" "$T_TMP/c69.out"
greps "69xx prints the 88xx-family console" "$LINE88" "$T_TMP/c69.out"
boot "$T_TMP/p79t" "$T_TMP/c79t.out"
expect_eq "79xx tampered: exit 3" "$?" 3
greps "79xx: Trust List Verification Failed" "${STATUS}Trust List Verification Failed$" "$T_TMP/c79t.out"

# 4. 79xx first boot and a .sgn signed by another certificate.
cp "$F/ctl1.tlv" "$R/CTLFile.tlv"
boot "$T_TMP/p79" "$T_TMP/c79.out"
expect_eq "79xx first boot: exit 0" "$?" 0
O=$T_TMP/c79.out
if grep -qvE "($LINE79|$STATUS)" "$O"; then not_ok "79xx: every line has the 79xx prefix or the status clock"
	grep -vE "($LINE79|$STATUS)" "$O" | sed 's/^/#   /' | head -5; else ok "79xx: every line has the 79xx prefix or the status clock"; fi
nogrep "79xx: no line a real phone never prints" "$FAKE" "$O"
greps "79xx: tlRequestFile" "${LINE79}SECD: tlRequestFile: Request CTLSEP$MAC\.tlv$" "$O"
greps "79xx: Requesting ... from" "${LINE79}TFTP: \[[0-9]+\]:Requesting CTLSEP$MAC\.tlv from 127\.0\.0\.1:$PORT$" "$O"
greps "79xx: Finished --> rcvd N bytes" "${LINE79}TFTP: \[[0-9]+\]:Finished --> rcvd $(wc -c < "$F/ctl1.tlv") bytes$" "$O"
greps "79xx: validate_file_envelope" "${LINE79}SECD: validate_file_envelope: File sign verify SUCCESS; header length <[0-9]+>$" "$O"
greps "79xx: status Trust List Updated" "${STATUS}Trust List Updated$" "$O"
cp "$F/other.sgn" "$R/SEP$MAC.cnf.xml.sgn"
boot "$T_TMP/p79" "$T_TMP/c79-2.out"
expect_eq "79xx: .sgn by another certificate refused (exit 5)" "$?" 5
greps "79xx: File auth error (7940)" "${STATUS}File auth error$" "$T_TMP/c79-2.out"
boot "$T_TMP/p79" "$T_TMP/c79-2v.out" --verbose
greps "--verbose: the refused .sgn and why" "^ctl-suite: SEP$MAC\.cnf\.xml\.sgn refused: " "$T_TMP/c79-2v.out"
boot "$T_TMP/p88" "$T_TMP/c88-5.out" --model 8945
expect_eq "8945: the same .sgn refused (exit 5)" "$?" 5
greps "8945: invalid file ..., authenticated fail. Reason:14." \
	"${STATUS}invalid file SEP$MAC\.cnf\.xml\.sgn, authenticated fail\. Reason:14\.$" "$T_TMP/c88-5.out"

# 5. fleet --verbose: every phone's console, ctl-suite's lines among them.
cp "$F/ctl1.tlv" "$R/CTLFile.tlv"
cp "$F/SEP$MAC.cnf.xml.sgn" "$R/"
"$PV" fleet --count 2 --tftp 127.0.0.1:$PORT --console 88xx --verbose --no-progress \
	> "$T_TMP/fleet.out" 2>"$T_TMP/last.err"
expect_eq "fleet --verbose: exit 0" "$?" 0
greps "fleet --verbose: 88xx lines prefixed SEP<MAC>" '^SEP[0-9A-F]{12} [0-9]+ NOT .* dgetfile\([0-9]+\)-GETXXTP ' "$T_TMP/fleet.out"
greps "fleet --verbose: ctl-suite's lines prefixed SEP<MAC>" \
	'^SEP[0-9A-F]{12} ctl-suite: CTLFile\.tlv updated \(trust on first use\)' "$T_TMP/fleet.out"
"$PV" fleet --count 2 --tftp 127.0.0.1:$PORT --console 88xx --no-progress > "$T_TMP/fleet2.out" 2>&1
nogrep "fleet without --verbose: no console line" 'ctl-suite: |GETXXTP' "$T_TMP/fleet2.out"

# 6. A cluster without CTL: File Not Found, No Trust List Installed, in both.
rm -f "$R/CTLFile.tlv" "$R/ITLFile.tlv"
boot "$T_TMP/pn" "$T_TMP/cn.out" --console 88xx
expect_eq "88xx, nothing served: exit 4" "$?" 4
greps "88xx: File Not Found <name>" "${STATUS}File Not Found CTLSEP$MAC\.tlv$" "$T_TMP/cn.out"
greps "88xx: No Trust List Installed" "${STATUS}No Trust List Installed$" "$T_TMP/cn.out"
nogrep "88xx: no invented line" "$FAKE" "$T_TMP/cn.out"
finish
