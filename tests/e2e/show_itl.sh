#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# show-itl, the node's `show itl` in show ctl's shape (doc/show-itl.8): the
# field sample ITL with its known checksums, length, header, five records,
# fingerprints and roles; --sha256; --root DIR reads DIR/ITLFile.tlv; a
# missing or empty ITL and a file that does not parse; --json (doc/json.md)
# for the sample and for a failure; and the ITL a ctl-provider node builds
# (itl = yes) listed and verified. Exit statuses 0, 1, 2, 3.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider
SHOWITL=$BIN/show-itl
[ -x "$SHOWITL" ] || { echo "Bail out! $SHOWITL missing (make all)"; exit 1; }

TAB=$(printf '\t')
same_text() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1"; diff "$3" "$2" | sed 's/^/#   /' | head -20; fi
}
count_lines() { grep -cxF -- "$2" "$1"; }
SAST="System Administrator Security Token"

# --- the field sample (doc/ctl-format.md's walk-through numbers)
expect_exit "sample ITL: verified, exit 0" 0 "$SHOWITL" "$SAMPLE"
cp "$T_TMP/last.out" "$T_TMP/sample.out"
printf 'The checksum value of the ITL file:\n%s(MD5)\n%s(SHA1)\n\nLength of ITL file: 10370\n' \
	dbf86422cbab7859f3b850c2375814f7 01e2cb144975e4b33c9af6ad75712c07a3b19cc7 >"$T_TMP/want.top"
head -5 "$T_TMP/sample.out" >"$T_TMP/got.top"
same_text "checksum block and length: MD5 and SHA1 only" "$T_TMP/got.top" "$T_TMP/want.top"
expect_eq "md5 line equals md5sum" "$(sed -n 2p "$T_TMP/sample.out")" "$(md5 "$SAMPLE")(MD5)"
expect_eq "Parse ITL File" "$(count_lines "$T_TMP/sample.out" "Parse ITL File")" 1
expect_eq "HeaderLength 388" "$(count_lines "$T_TMP/sample.out" "HeaderLength:${TAB}388 (BYTES)")" 1
expect_eq "header SIGNERNAME" "$(count_lines "$T_TMP/sample.out" "4${TAB}SIGNERNAME${TAB}23${TAB}CN=SAST,O=SAST,OU=SAST")" 1
expect_eq "header SERIALNUMBER" \
	"$(count_lines "$T_TMP/sample.out" "5${TAB}SERIALNUMBER${TAB}16${TAB}6B:A5:DE:3A:26:0B:06:93:37:C7:5B:38:BE:3C:2D:74")" 1
expect_eq "12 SIGNATURE 256, then 32 lines of 8 bytes" \
	"$(grep -A32 "^12${TAB}SIGNATURE${TAB}256\$" "$T_TMP/sample.out" | grep -cE "^${TAB}${TAB}[0-9a-f]{1,2}(  [0-9a-f]{1,2}){7}\$")" 32
expect_eq "first signature line" "$(grep -A1 "^12${TAB}SIGNATURE" "$T_TMP/sample.out" | tail -1 | cut -c3-8)" "af  a0"
for i in 1 2 3 4 5; do
	expect_eq "ITL Record #:$i then ----" "$(grep -A1 -xF "ITL Record #:$i" "$T_TMP/sample.out" | tail -1)" "----"
done
expect_eq "record lengths" "$(grep "^1${TAB}RECORDLENGTH${TAB}2" "$T_TMP/sample.out" | cut -f4 | tr '\n' ' ')" \
	"1484 1675 1692 2585 2546 "
expect_eq "roles" "$(grep "^4${TAB}FUNCTION" "$T_TMP/sample.out" | cut -f4 | tr '\n' '|')" \
	"$SAST|CCM|CCM|APP-SERVER|APP-SERVER|"
expect_eq "record 1 CERTIFICATE fingerprint" \
	"$(count_lines "$T_TMP/sample.out" "9${TAB}CERTIFICATE${TAB}868${TAB}27 7B 36 21 55 2A 59 34 56 A6 3D 59 56 45 F4 F0 90 A3 5D 9C (SHA1 Hash HEX)")" 1
expect_eq "record 2 CERTIFICATE fingerprint" \
	"$(count_lines "$T_TMP/sample.out" "9${TAB}CERTIFICATE${TAB}971${TAB}EF C5 12 8E 5F C1 65 2F A1 66 92 6E 48 ED 0D 57 4A B7 24 CA (SHA1 Hash HEX)")" 1
expect_eq "record 5's 13-byte serial" \
	"$(count_lines "$T_TMP/sample.out" "6${TAB}SERIALNUMBER${TAB}13${TAB}02:03:E5:93:6F:31:B0:13:49:88:6B:A2:17")" 1
expect_eq "PUBLICKEY prints no value" "$(grep "^7${TAB}PUBLICKEY" "$T_TMP/sample.out" | cut -f3- | tr '\n' ' ')" \
	"270 270 270 526 526 "
expect_eq "the SAST sentence" "$(count_lines "$T_TMP/sample.out" "This etoken was used to sign the ITL file.")" 1
expect_eq "last line" "$(tail -1 "$T_TMP/sample.out")" "The ITL file was verified successfully."

expect_exit "--sha256" 0 "$SHOWITL" --sha256 "$SAMPLE"
expect_eq "... line 4 is sha256sum" "$(sed -n 4p "$T_TMP/last.out")" "$(sha256sum "$SAMPLE" | cut -d' ' -f1)(SHA256)"

mkdir -p "$T_TMP/root"; cp -p "$SAMPLE" "$T_TMP/root/ITLFile.tlv"
expect_exit "--root DIR reads DIR/ITLFile.tlv" 0 "$SHOWITL" --root "$T_TMP/root"
same_text "... the same listing as FILE" "$T_TMP/last.out" "$T_TMP/sample.out"

# --- no ITL, an empty one, one that does not parse
printf 'Length of ITL file: 0\nITL File not found.\nError parsing the ITL File.\n' >"$T_TMP/want.none"
mkdir -p "$T_TMP/none"
expect_exit "no ITLFile.tlv: exit 3" 3 "$SHOWITL" --root "$T_TMP/none"
same_text "... Length 0, not found, parse error" "$T_TMP/last.out" "$T_TMP/want.none"
expect_grep "... the reason on stderr" "show-itl: $T_TMP/none/ITLFile.tlv" "$T_TMP/last.err"
: >"$T_TMP/none/ITLFile.tlv"
expect_exit "empty ITLFile.tlv: exit 3" 3 "$SHOWITL" --root "$T_TMP/none"
same_text "... the same lines" "$T_TMP/last.out" "$T_TMP/want.none"
head -c 300 "$SAMPLE" >"$T_TMP/trunc.tlv"
printf 'The checksum value of the ITL file:\n%s(MD5)\n%s(SHA1)\n\nLength of ITL file: 300\nError parsing the ITL File.\n' \
	"$(md5 "$T_TMP/trunc.tlv")" "$(sha1sum "$T_TMP/trunc.tlv" | cut -d' ' -f1)" >"$T_TMP/want.trunc"
expect_exit "a truncated ITL: exit 3" 3 "$SHOWITL" "$T_TMP/trunc.tlv"
same_text "... checksums, length, Error parsing the ITL File." "$T_TMP/last.out" "$T_TMP/want.trunc"
expect_grep "... the offset on stderr" "offset" "$T_TMP/last.err"

# --- a bad signature
cp "$SAMPLE" "$T_TMP/flip.tlv"; flip_bit "$T_TMP/flip.tlv" 10000
expect_exit "a bad signature: exit 1" 1 "$SHOWITL" "$T_TMP/flip.tlv"
expect_eq "... not verified successfully" "$(grep -c 'verified successfully' "$T_TMP/last.out")" 0

# --- --json
expect_exit "--json on the sample: exit 0" 0 "$SHOWITL" --json "$SAMPLE"
if jq -e . "$T_TMP/last.out" >/dev/null 2>&1; then ok "... valid JSON"; else not_ok "... valid JSON"; fi
expect_eq "... kind ITL, md5, 5 records, verified" \
	"$(jq -r '[.kind, .md5, (.records | length), .verification.ok] | join(" ")' "$T_TMP/last.out" 2>/dev/null)" \
	"ITL dbf86422cbab7859f3b850c2375814f7 5 true"
expect_eq "... path" "$(jq -r .path "$T_TMP/last.out" 2>/dev/null)" "$SAMPLE"
expect_exit "--json, no ITL: exit 3" 3 "$SHOWITL" --json --root "$T_TMP/root2"
expect_eq "... error object, code io" "$(jq -r .error.code "$T_TMP/last.out" 2>/dev/null)" io
: >"$T_TMP/empty.tlv"
expect_exit "--json, empty file: exit 3" 3 "$SHOWITL" --json "$T_TMP/empty.tlv"
expect_eq "... code io, says empty" "$(jq -r '.error.code + " " + .error.message' "$T_TMP/last.out" 2>/dev/null)" \
	"io $T_TMP/empty.tlv: empty file"
expect_exit "--json, truncated: exit 3" 3 "$SHOWITL" --json "$T_TMP/trunc.tlv"
expect_eq "... code parse" "$(jq -r .error.code "$T_TMP/last.out" 2>/dev/null)" parse
expect_exit "FILE and --root: usage, exit 2" 2 "$SHOWITL" --root "$T_TMP/root" "$SAMPLE"
expect_grep "... usage on stderr" "usage: show-itl" "$T_TMP/last.err"
expect_exit "--version" 0 "$SHOWITL" --version
expect_eq "... show-itl VERSION" "$(cut -d' ' -f1 "$T_TMP/last.out")" "show-itl"

# --- the ITL a ctl-provider node builds (itl = yes, 12.x layout)
N=$T_TMP/node
mkdir -p "$N"
cp "$PKI/ccm1.pem" "$N/cm.pem"; cp "$PKI/ccm1.key" "$N/cm.key"; chmod 600 "$N/cm.key"
make_node "$N" itl=yes "itlrecovery_cert=$PKI/itlrecovery.pem" "itlrecovery_key=$PKI/itlrecovery.key" \
	"tvs_cert=$PKI/tvs1.pem" "capf_cert=$PKI/capf.pem" "callmanager_cert=$N/cm.pem" "callmanager_key=$N/cm.key"
start_provider "$N"
ITL=$N/root/ITLFile.tlv
expect_exit "node ITL: show-itl --root, exit 0" 0 "$SHOWITL" --root "$N/root"
cp "$T_TMP/last.out" "$T_TMP/node.out"
expect_eq "... md5 equals md5sum" "$(sed -n 2p "$T_TMP/node.out")" "$(md5 "$ITL")(MD5)"
expect_eq "... length" "$(sed -n 5p "$T_TMP/node.out")" "Length of ITL file: $(wc -c <"$ITL" | tr -d ' ')"
expect_eq "... roles" "$(grep "^4${TAB}FUNCTION" "$T_TMP/node.out" | cut -f4 | tr '\n' '|')" \
	"$SAST|$SAST|TFTP|TVS|CAPF|"
expect_eq "... ITLRecovery signed it, CallManager's SAST did not" \
	"$(grep '^This etoken' "$T_TMP/node.out" | tr '\n' '|')" \
	"This etoken was used to sign the ITL file.|This etoken was not used to sign the ITL file.|"
expect_eq "... DNSNAME of the TFTP record (#3)" \
	"$(awk '/^ITL Record #:3$/ { on = 1 } /^ITL Record #:4$/ { on = 0 } on' "$T_TMP/node.out" | grep "^2${TAB}DNSNAME")" \
	"2${TAB}DNSNAME${TAB}21${TAB}cucm-pub.example.lab"
expect_eq "... last line" "$(tail -1 "$T_TMP/node.out")" "The ITL file was verified successfully."
stop_provider
finish
