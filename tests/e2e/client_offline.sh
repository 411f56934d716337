#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the offline ctl-client commands: build, show, verify
# (no token, no network). Exit statuses are those of ctl-client(1):
# 0 ok, 1 verification failed / not trusted, 2 usage, 3 unreadable or
# malformed input, 4 policy, 5 cannot write the output.
. "$(dirname "$0")/../lib/e2e.sh"

need_pki
C=$BIN/ctl-client
[ -x "$C" ] || { echo "Bail out! $C missing (make all)"; exit 1; }
P=$PKI
O=$T_TMP/out
mkdir -p "$O"
TAB=$(printf '\t')

# build OUT ARGS...: a CTL signed by sast1 unless the arguments say otherwise.
std_args() {
	echo --sast "$P/sast1.pem" --sast "$P/sast2.pem" \
		--ccm-tftp "$P/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
		--capf "$P/capf.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
		--tvs "$P/tvs1.pem" --timestamp 1767115542
}
# shellcheck disable=SC2046
SIGN1="--sign-key $P/sast1.key --sign-cert $P/sast1.pem"
SIGN2="--sign-key $P/sast2.key --sign-cert $P/sast2.pem"

json_ok() { # FILE: python3 parses it as one JSON document
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"
}
json_get() { # FILE EXPR: prints d<EXPR>
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$1" "$2"
}

# ---- build -------------------------------------------------------------
# shellcheck disable=SC2046,SC2086
expect_exit "build a token CTL" 0 "$C" build --out "$O/CTLFile.tlv" $(std_args) $SIGN1
[ -s "$O/CTLFile.tlv" ] && ok "output written" || not_ok "output written"
# shellcheck disable=SC2046,SC2086
expect_exit "build the same CTL again" 0 "$C" build --out "$O/again.tlv" $(std_args) $SIGN1
check "same inputs and timestamp give the same bytes" cmp "$O/CTLFile.tlv" "$O/again.tlv"
n=$(ls -A "$O" | wc -l)
[ "$n" -eq 2 ] && ok "no temporary files left in the output folder" ||
	not_ok "output folder has $n entries: $(ls -A "$O" | tr '\n' ' ')"

# ---- verify ------------------------------------------------------------
expect_exit "verify a good CTL" 0 "$C" verify "$O/CTLFile.tlv"
expect_exit "verify --json" 0 "$C" verify --json "$O/CTLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/verify.json"
check "verify --json is one JSON document" json_ok "$T_TMP/verify.json"
[ "$(json_get "$T_TMP/verify.json" "['ok']" 2>/dev/null)" = True ] && ok "verify --json says ok" ||
	not_ok "verify --json says ok"

# ---- show --------------------------------------------------------------
expect_exit "show a good CTL" 0 "$C" show "$O/CTLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/show.txt"
expect_grep "show: Version line" "Version:${TAB}1.2" "$T_TMP/show.txt"
expect_grep "show: HeaderLength line" "HeaderLength:${TAB}" "$T_TMP/show.txt"
expect_grep "show: first record" "CTL Record #:1" "$T_TMP/show.txt"
expect_grep "show: fifth record" "CTL Record #:5" "$T_TMP/show.txt"
expect_grep "show: SAST role name" "4${TAB}FUNCTION${TAB}2${TAB}System Administrator Security Token" "$T_TMP/show.txt"
expect_grep "show: CCM+TFTP role" "4${TAB}FUNCTION${TAB}2${TAB}CCM+TFTP" "$T_TMP/show.txt"
expect_grep "show: DNS name" "2${TAB}DNSNAME${TAB}21${TAB}cucm-pub.example.lab" "$T_TMP/show.txt"
expect_grep "show: signer sentence" "This etoken was used to sign the CTL file." "$T_TMP/show.txt"
expect_grep "show: backup token sentence" "This etoken was not used to sign the CTL file." "$T_TMP/show.txt"
expect_grep "show: verified" "The CTL file was verified successfully." "$T_TMP/show.txt"
fp=$(openssl x509 -in "$P/sast1.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/:/ /g')
expect_grep "show: SHA1 fingerprint of sast1" "$fp (SHA1 Hash HEX)" "$T_TMP/show.txt"
md5=$(md5sum < "$O/CTLFile.tlv" | cut -d' ' -f1)
sha1=$(sha1sum < "$O/CTLFile.tlv" | cut -d' ' -f1)
sha256=$(sha256sum < "$O/CTLFile.tlv" | cut -d' ' -f1)
expect_grep "show: MD5 checksum" "$md5(MD5)" "$T_TMP/show.txt"
expect_grep "show: SHA1 checksum" "$sha1(SHA1)" "$T_TMP/show.txt"
expect_grep "show: length" "Length of CTL file: $(wc -c < "$O/CTLFile.tlv")" "$T_TMP/show.txt"

expect_exit "show --json" 0 "$C" show --json "$O/CTLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/show.json"
check "show --json is one JSON document" json_ok "$T_TMP/show.json"
[ "$(json_get "$T_TMP/show.json" "['md5']")" = "$md5" ] && ok "json md5" || not_ok "json md5"
[ "$(json_get "$T_TMP/show.json" "['sha1']")" = "$sha1" ] && ok "json sha1" || not_ok "json sha1"
[ "$(json_get "$T_TMP/show.json" "['sha256']")" = "$sha256" ] && ok "json sha256" || not_ok "json sha256"
[ "$(json_get "$T_TMP/show.json" "['records'].__len__()")" = 5 ] && ok "json: 5 records" ||
	not_ok "json: 5 records"
[ "$(json_get "$T_TMP/show.json" "['header']['timestamp']")" = 1767115542 ] &&
	ok "json: timestamp" || not_ok "json: timestamp"

# ---- the field sample --------------------------------------------------
expect_exit "show the sample ITL" 0 "$C" show "$SAMPLE"
cp "$T_TMP/last.out" "$T_TMP/sample.txt"
expect_grep "sample: md5" "dbf86422cbab7859f3b850c2375814f7(MD5)" "$T_TMP/sample.txt"
expect_grep "sample: 5 records" "ITL Record #:5" "$T_TMP/sample.txt"
expect_grep "sample: verified" "The ITL file was verified successfully." "$T_TMP/sample.txt"
expect_grep "sample: fingerprint of record 1" \
	"27 7B 36 21 55 2A 59 34 56 A6 3D 59 56 45 F4 F0 90 A3 5D 9C (SHA1 Hash HEX)" "$T_TMP/sample.txt"
expect_exit "verify the sample ITL" 0 "$C" verify "$SAMPLE"
expect_exit "show --json the sample" 0 "$C" show --json "$SAMPLE"
cp "$T_TMP/last.out" "$T_TMP/sample.json"
check "sample JSON parses" json_ok "$T_TMP/sample.json"

# ---- tampered and malformed files ----------------------------------------
cp "$O/CTLFile.tlv" "$O/tampered.tlv"
size=$(wc -c < "$O/CTLFile.tlv")
# one byte near the end (inside the last record's certificate) changed
printf 'X' | dd of="$O/tampered.tlv" bs=1 seek=$((size - 40)) conv=notrunc 2>/dev/null
expect_exit "verify a tampered CTL fails" 1 "$C" verify "$O/tampered.tlv"
expect_exit "show a tampered CTL fails" 1 "$C" show "$O/tampered.tlv"
cp "$T_TMP/last.out" "$T_TMP/tampered.txt"
expect_grep "show: failure line" "Verification of the CTL File Failed" "$T_TMP/tampered.txt"
expect_exit "show --json a tampered CTL" 1 "$C" show --json "$O/tampered.tlv"
cp "$T_TMP/last.out" "$T_TMP/tampered.json"
[ "$(json_get "$T_TMP/tampered.json" "['verification']['ok']" 2>/dev/null)" = False ] &&
	ok "json: verification ok false" || not_ok "json: verification ok false"

head -c 100 "$O/CTLFile.tlv" > "$O/truncated.tlv"
expect_exit "verify a truncated CTL: malformed input" 3 "$C" verify "$O/truncated.tlv"
expect_grep "truncated: message names offset and tag" "offset 5: tag 2" "$T_TMP/last.err"
head -c $((size - 1)) "$O/CTLFile.tlv" > "$O/short.tlv"
expect_exit "verify a CTL one byte short: malformed input" 3 "$C" verify "$O/short.tlv"
: > "$O/empty.tlv"
expect_exit "show an empty file: malformed input" 3 "$C" show "$O/empty.tlv"
expect_exit "show a missing file: unreadable input" 3 "$C" show "$O/missing.tlv"

# ---- trust --------------------------------------------------------------
# shellcheck disable=SC2086
expect_exit "build the held CTL (sast1 + sast2)" 0 "$C" build --out "$O/held.tlv" \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" $SIGN1
# shellcheck disable=SC2086
expect_exit "build a new CTL signed by the backup token" 0 "$C" build --out "$O/by-sast2.tlv" \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" --ccm-tftp "$P/ccm2.pem" $SIGN2
expect_exit "verify --trusted: signed by a held SAST" 0 "$C" verify --trusted "$O/held.tlv" "$O/by-sast2.tlv"
expect_exit "build a CTL signed by rogue" 0 "$C" build --out "$O/rogue.tlv" \
	--sast "$P/rogue.pem" --sast "$P/sast1.pem" --sast "$P/sast2.pem" \
	--sign-key "$P/rogue.key" --sign-cert "$P/rogue.pem"
expect_exit "verify the rogue CTL alone: its signature is fine" 0 "$C" verify "$O/rogue.tlv"
expect_exit "verify --trusted: rogue signer refused" 1 "$C" verify --trusted "$O/held.tlv" "$O/rogue.tlv"
expect_exit "show --trusted: rogue signer refused" 1 "$C" show --trusted "$O/held.tlv" "$O/rogue.tlv"

# ---- signed configuration files (.sgn) -------------------------------------
printf '<device><deviceProtocol>SIP</deviceProtocol></device>\n' > "$O/SEP001122334455.cnf.xml"
expect_exit "sign-file with the CallManager (TFTP) certificate" 0 "$C" sign-file \
	--cert "$P/ccm1.pem" --key "$P/ccm1.key" "$O/SEP001122334455.cnf.xml"
SGN=$O/SEP001122334455.cnf.xml.sgn
[ -s "$SGN" ] && ok "FILE.sgn written next to FILE" || not_ok "FILE.sgn written next to FILE"
expect_exit "verify --trusted: .sgn signed by a CCM+TFTP record of the CTL" 0 \
	"$C" verify --trusted "$O/CTLFile.tlv" "$SGN"
expect_exit "show --trusted the .sgn" 0 "$C" show --trusted "$O/CTLFile.tlv" "$SGN"
cp "$T_TMP/last.out" "$T_TMP/sgn.txt"
expect_grep "sgn: payload line" "PAYLOAD" "$T_TMP/sgn.txt"
expect_exit "show --json the .sgn" 0 "$C" show --json --trusted "$O/CTLFile.tlv" "$SGN"
cp "$T_TMP/last.out" "$T_TMP/sgn.json"
[ "$(json_get "$T_TMP/sgn.json" "['header']['filename']")" = SEP001122334455.cnf.xml.sgn ] &&
	ok "sgn: FILENAME is the file's own name" || not_ok "sgn: FILENAME is the file's own name"
hl=$(python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); print(b[8]*256+b[9])' "$SGN")
tail -c +$((hl + 1)) "$SGN" > "$T_TMP/stripped"
check "sgn: stripping the header gives the original bytes" cmp "$T_TMP/stripped" "$O/SEP001122334455.cnf.xml"
cp "$SGN" "$O/tampered.sgn"
printf 'X' | dd of="$O/tampered.sgn" bs=1 seek=$(($(wc -c < "$SGN") - 3)) conv=notrunc 2>/dev/null
expect_exit "sgn: a changed payload fails" 1 "$C" verify --trusted "$O/CTLFile.tlv" "$O/tampered.sgn"
expect_exit "sign-file with the CAPF certificate" 0 "$C" sign-file --cert "$P/capf.pem" \
	--key "$P/capf.key" --out "$O/capf.sgn" "$O/SEP001122334455.cnf.xml"
expect_exit "sgn: a CAPF signer is not a TFTP record" 1 "$C" verify --trusted "$O/CTLFile.tlv" "$O/capf.sgn"

# ---- policy and usage ---------------------------------------------------
# shellcheck disable=SC2086
expect_exit "one SAST is too few for a token CTL" 4 "$C" build --out "$O/p.tlv" \
	--sast "$P/sast1.pem" $SIGN1
# shellcheck disable=SC2086
expect_exit "--tokenless accepts one SAST" 0 "$C" build --out "$O/tokenless.tlv" --tokenless \
	--sast "$P/ccm1.pem" --ccm-tftp "$P/ccm1.pem" --sign-key "$P/ccm1.key" --sign-cert "$P/ccm1.pem"
# shellcheck disable=SC2086
expect_exit "duplicate entry refused" 4 "$C" build --out "$O/p.tlv" \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" --capf "$P/capf.pem" --capf "$P/capf.pem" $SIGN1
# shellcheck disable=SC2086
expect_exit "expired certificate refused" 4 "$C" build --out "$O/p.tlv" \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" --ccm-tftp "$P/expired.pem" $SIGN1
# shellcheck disable=SC2086
expect_exit "--allow-expired accepts it" 0 "$C" build --out "$O/expired.tlv" --allow-expired \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" --ccm-tftp "$P/expired.pem" $SIGN1
expect_exit "signer not among the SAST entries refused" 4 "$C" build --out "$O/p.tlv" \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" --ccm-tftp "$P/ccm1.pem" \
	--sign-key "$P/ccm1.key" --sign-cert "$P/ccm1.pem"
[ ! -e "$O/p.tlv" ] && ok "refused builds write nothing" || not_ok "refused builds write nothing"
expect_exit "build without --out: usage" 2 "$C" build --sast "$P/sast1.pem"
expect_exit "unknown option: usage" 2 "$C" build --bogus
expect_exit "build --help" 0 "$C" build --help
expect_grep "build --help on stdout" "--out" "$T_TMP/last.out"
# shellcheck disable=SC2046,SC2086
expect_exit "output folder missing: cannot write" 5 "$C" build --out "$O/no/such/dir/CTLFile.tlv" \
	$(std_args) $SIGN1

# ---- variants -------------------------------------------------------------
# shellcheck disable=SC2086
expect_exit "build an ITL, SHA-512, signer version 1.1, EC record" 0 "$C" build --out "$O/ITLFile.tlv" \
	--itl --digest sha512 --signer-version 1.1 --sast "$P/sast1.pem" --sast "$P/sast2.pem" \
	--ccm "$P/ec256.pem" --app-server "$P/sast4096.pem" $SIGN2
expect_exit "show the ITL" 0 "$C" show "$O/ITLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/itl.txt"
expect_grep "ITL: records named ITL" "ITL Record #:4" "$T_TMP/itl.txt"
expect_grep "ITL: EC public key of 65 bytes" "7${TAB}PUBLICKEY${TAB}65" "$T_TMP/itl.txt"
expect_grep "ITL: RSA-4096 public key of 526 bytes" "7${TAB}PUBLICKEY${TAB}526" "$T_TMP/itl.txt"
expect_grep "ITL: verified" "The ITL file was verified successfully." "$T_TMP/itl.txt"
expect_exit "show --json the ITL" 0 "$C" show --json "$O/ITLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/itl.json"
[ "$(json_get "$T_TMP/itl.json" "['header']['digest']")" = SHA512 ] && ok "ITL json: digest SHA512" ||
	not_ok "ITL json: digest SHA512"
[ "$(json_get "$T_TMP/itl.json" "['header']['signer_version']")" = 1.1 ] &&
	ok "ITL json: signer version 1.1" || not_ok "ITL json: signer version 1.1"

# Replacing an existing file: the result verifies, no temporary files stay.
# shellcheck disable=SC2086
expect_exit "rebuild over an existing file" 0 "$C" build --out "$O/held.tlv" \
	--sast "$P/sast1.pem" --sast "$P/sast2.pem" --capf "$P/capf.pem" $SIGN2
expect_exit "the replaced file verifies" 0 "$C" verify "$O/held.tlv"
if ls -A "$O" | grep -q '^\.'; then not_ok "hidden temporary files left: $(ls -A "$O" | grep '^\.')"; else
	ok "no hidden temporary files after replacing"; fi

finish
