#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# show-ctl prints what CUCM's `show ctl` prints (doc/show-ctl.8): the
# checksum block is MD5 and SHA1 only (SHA256 only with --sha256), each
# equal to md5sum/sha1sum/sha256sum of the file; a missing or empty file
# prints exactly CUCM's three lines; a file that does not parse prints its
# checksums, its length and "Error parsing the CTL File."; a token CTL and a
# tokenless CTL list CUCM's header block, record blocks, role names,
# serials, fingerprints and etoken sentences, and end with
# "The CTL file was verified successfully."; exit statuses 0, 1, 3.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider

TAB=$(printf '\t')
# same_text DESC GOT_FILE WANT_FILE: the two files are byte for byte equal.
same_text() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1"; diff "$3" "$2" | sed 's/^/#   /' | head -20; fi
}
# count_lines FILE LINE: how many lines of FILE are exactly LINE.
count_lines() { grep -cxF -- "$2" "$1"; }
# spaced fingerprint of a PEM certificate, as show ctl prints it
fp_of() { openssl x509 -noout -fingerprint -sha1 -in "$1" | sed 's/.*=//; s/:/ /g'; }
serial_of() { openssl x509 -noout -serial -in "$1" | sed 's/.*=//; s/^\(00\)*//; s/../&:/g; s/:$//'; }

NOTFOUND="CTL File not found. Please run CTLClient plugin or run the CLI - utils ctl.. to generate the CTL file."
printf 'Length of CTL file: 0\n%s\nError parsing the CTL File.\n' "$NOTFOUND" >"$T_TMP/want.none"

# --- no file (1b)
mkdir -p "$T_TMP/none"
expect_exit "no CTLFile.tlv: exit 3" 3 "$SHOWCTL" --root "$T_TMP/none"
same_text "... exactly CUCM's three lines" "$T_TMP/last.out" "$T_TMP/want.none"
expect_grep "... the reason on stderr" "show-ctl: $T_TMP/none/CTLFile.tlv" "$T_TMP/last.err"

# --- empty file: CUCM reads it as no file
mkdir -p "$T_TMP/empty"; : >"$T_TMP/empty/CTLFile.tlv"
expect_exit "empty CTLFile.tlv: exit 3" 3 "$SHOWCTL" --root "$T_TMP/empty"
same_text "... the same three lines" "$T_TMP/last.out" "$T_TMP/want.none"

# --- garbage: checksums, length, the parse error line
head -c 777 /dev/urandom >"$T_TMP/garbage.tlv"
printf 'The checksum value of the CTL file:\n%s(MD5)\n%s(SHA1)\n\nLength of CTL file: 777\nError parsing the CTL File.\n' \
	"$(md5 "$T_TMP/garbage.tlv")" "$(sha1sum "$T_TMP/garbage.tlv" | cut -d' ' -f1)" >"$T_TMP/want.garbage"
expect_exit "a file that does not parse: exit 3" 3 "$SHOWCTL" "$T_TMP/garbage.tlv"
same_text "... checksums, length, Error parsing the CTL File." "$T_TMP/last.out" "$T_TMP/want.garbage"
if grep -q "Verification of the" "$T_TMP/last.out"; then not_ok "... no Verification line"; else ok "... no Verification line"; fi

# --- token CTL (1a): two eTokens, CCM+TFTP, CAPF
make_ctls "$T_TMP/c"
CTL=$T_TMP/c/a.tlv
expect_exit "token CTL: verified, exit 0" 0 "$SHOWCTL" "$CTL"
cp "$T_TMP/last.out" "$T_TMP/token.out"
expect_eq "line 1: the checksum title" "$(sed -n 1p "$T_TMP/token.out")" "The checksum value of the CTL file:"
expect_eq "line 2: md5sum of the file (MD5)" "$(sed -n 2p "$T_TMP/token.out")" "$(md5 "$CTL")(MD5)"
expect_eq "line 3: sha1sum of the file (SHA1)" "$(sed -n 3p "$T_TMP/token.out")" \
	"$(sha1sum "$CTL" | cut -d' ' -f1)(SHA1)"
expect_eq "no SHA256 line without --sha256" "$(grep -c '(SHA256)' "$T_TMP/token.out")" 0
expect_eq "line 5: the length" "$(sed -n 5p "$T_TMP/token.out")" "Length of CTL file: $(wc -c <"$CTL" | tr -d ' ')"
expect_eq "Parse CTL File and its rule" "$(grep -A1 -xF 'Parse CTL File' "$T_TMP/token.out" | tail -1)" "----------------"
expect_eq "Version line" "$(count_lines "$T_TMP/token.out" "Version:${TAB}1.2")" 1
expect_eq "the table heading once for the header and once per record" \
	"$(count_lines "$T_TMP/token.out" "BYTEPOS${TAB}TAG${TAB}${TAB}LENGTH${TAB}VALUE")" 5
for l in "7${TAB}SIGNATUREINFO${TAB}2${TAB}15" "8${TAB}DIGESTALGORTITHM${TAB}1" \
	"9${TAB}SIGNATUREALGOINFO${TAB}2${TAB}8" "10${TAB}SIGNATUREALGORTITHM${TAB}1" \
	"11${TAB}SIGNATUREMODULUS${TAB}1" "14${TAB}FILENAME${TAB}12" "15${TAB}TIMESTAMP${TAB}4"; do
	expect_eq "header line '$l'" "$(count_lines "$T_TMP/token.out" "$l")" 1
done
expect_eq "header SERIALNUMBER: the signer's serial in colon hex" \
	"$(grep "^5${TAB}SERIALNUMBER" "$T_TMP/token.out" | head -1 | cut -f4)" "$(serial_of "$PKI/sast1.pem")"
expect_eq "signature: lower-case hex, 8 a line, no zero padding" \
	"$(grep -A1 "^12${TAB}SIGNATURE" "$T_TMP/token.out" | tail -1 | grep -cE "^${TAB}${TAB}[0-9a-f]{1,2}(  [0-9a-f]{1,2}){7}\$")" 1
for i in 1 2 3 4; do
	expect_eq "CTL Record #:$i then ----" "$(grep -A1 -xF "CTL Record #:$i" "$T_TMP/token.out" | tail -1)" "----"
done
expect_eq "no fifth record" "$(count_lines "$T_TMP/token.out" "CTL Record #:5")" 0
expect_eq "two SAST records" \
	"$(count_lines "$T_TMP/token.out" "4${TAB}FUNCTION${TAB}2${TAB}System Administrator Security Token")" 2
expect_eq "one CCM+TFTP" "$(count_lines "$T_TMP/token.out" "4${TAB}FUNCTION${TAB}2${TAB}CCM+TFTP")" 1
expect_eq "one CAPF" "$(count_lines "$T_TMP/token.out" "4${TAB}FUNCTION${TAB}2${TAB}CAPF")" 1
expect_eq "sast1's CERTIFICATE as its SHA1 fingerprint" \
	"$(grep "^9${TAB}CERTIFICATE" "$T_TMP/token.out" | head -1 | cut -f4)" "$(fp_of "$PKI/sast1.pem") (SHA1 Hash HEX)"
expect_eq "record SERIALNUMBER in colon hex" \
	"$(grep "^6${TAB}SERIALNUMBER" "$T_TMP/token.out" | head -1 | cut -f4)" "$(serial_of "$PKI/sast1.pem")"
expect_eq "the signing eToken: used" "$(count_lines "$T_TMP/token.out" "This etoken was used to sign the CTL file.")" 1
expect_eq "the other eToken: not used" "$(count_lines "$T_TMP/token.out" "This etoken was not used to sign the CTL file.")" 1
expect_eq "the used sentence closes record 1 (the signer)" \
	"$(awk '/^CTL Record #:2$/ { exit } /^This etoken/ { print }' "$T_TMP/token.out")" "This etoken was used to sign the CTL file."
expect_eq "last line: verified" "$(tail -1 "$T_TMP/token.out")" "The CTL file was verified successfully."
expect_eq "no Verification ... Failed" "$(grep -c 'Verification of the' "$T_TMP/token.out")" 0

expect_exit "--sha256: exit 0" 0 "$SHOWCTL" --sha256 "$CTL"
expect_eq "--sha256: line 4 is sha256sum (SHA256)" "$(sed -n 4p "$T_TMP/last.out")" \
	"$(sha256sum "$CTL" | cut -d' ' -f1)(SHA256)"
expect_eq "--sha256: the rest unchanged" "$(sed 4d "$T_TMP/last.out" | md5sum)" "$(md5sum <"$T_TMP/token.out")"

# --- tokenless CTL (CUCM 10 style): the CallManager signs as SAST and is CCM+TFTP
"$CC_" build --out "$T_TMP/tl.tlv" --tokenless --sast "$PKI/ccm1.pem" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" --capf "$PKI/capf.pem" \
	--sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem" >/dev/null 2>&1 ||
	{ echo "Bail out! tokenless build failed"; exit 1; }
expect_exit "tokenless CTL: exit 0" 0 "$SHOWCTL" "$T_TMP/tl.tlv"
expect_eq "tokenless: one SAST, used" "$(count_lines "$T_TMP/last.out" "This etoken was used to sign the CTL file.")" 1
expect_eq "tokenless: no other etoken sentence" "$(grep -c '^This etoken was not' "$T_TMP/last.out")" 0
expect_eq "tokenless: DNSNAME of the CCM+TFTP record" \
	"$(count_lines "$T_TMP/last.out" "2${TAB}DNSNAME${TAB}21${TAB}cucm-pub.example.lab")" 1
expect_eq "tokenless: roles in order" \
	"$(grep "^4${TAB}FUNCTION" "$T_TMP/last.out" | cut -f4 | tr '\n' '|')" \
	"System Administrator Security Token|CCM+TFTP|CAPF|"
expect_eq "tokenless: md5 line equals md5sum" "$(sed -n 2p "$T_TMP/last.out")" "$(md5 "$T_TMP/tl.tlv")(MD5)"
expect_eq "tokenless: last line" "$(tail -1 "$T_TMP/last.out")" "The CTL file was verified successfully."

# --- a signature that does not verify: exit 1 (ctl-suite's failure line, doc/show-ctl.8)
cp "$CTL" "$T_TMP/flip.tlv"; flip_bit "$T_TMP/flip.tlv" $(($(wc -c <"$CTL") - 1))
expect_exit "bad signature: exit 1" 1 "$SHOWCTL" "$T_TMP/flip.tlv"
expect_eq "... not verified successfully" "$(grep -c 'verified successfully' "$T_TMP/last.out")" 0
expect_eq "... the checksums are of the file shown" "$(sed -n 2p "$T_TMP/last.out")" "$(md5 "$T_TMP/flip.tlv")(MD5)"

expect_exit "--help lists --sha256" 0 "$SHOWCTL" --help
expect_grep "... --sha256" "--sha256" "$T_TMP/last.out"
finish
