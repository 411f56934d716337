#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-client build writes names as CUCM does (CN=..;OU=..;O=..;L=..;ST=..;C=..)
# by default and RFC 4514's form with --name-format rfc4514; --tvs,
# --app-server and --srst add roles 21, 7 and 5. The files are read back
# byte for byte (the names and their NUL in the file, ctl-client show --json,
# the listing), the expected names come from openssl's own rendering of the
# certificates, and a phone trusts both forms, one after the other, through
# the real ctl-tftpd. A certificate CUCM's unescaped form cannot say is refused.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/phone.sh"
MAC=0011215A1B07
F=$T_TMP/files
R=$T_TMP/root
S=$T_TMP/phone
mkdir -p "$F" "$R"

build() { # OUT SIGNER TS [--name-format F]
	_o=$1; _w=$2; _t=$3; shift 3
	cluster_ctl "$_o" "$_w" "$_t" --tvs "$PKI/tvs1.pem" --app-server "$PKI/ccm2.pem" --srst "$PKI/phone1.pem" "$@"
}
check "build: default form, --tvs --app-server --srst" build "$F/cucm.tlv" sast2 1700000100
check "build: --name-format cucm gives the same bytes" \
	sh -c "'$CC' build --out '$F/cucm2.tlv' --sast '$PKI/sast1.pem' --sast '$PKI/sast2.pem' \
		--ccm-tftp '$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11' --capf '$PKI/capf.pem' \
		--tvs '$PKI/tvs1.pem' --app-server '$PKI/ccm2.pem' --srst '$PKI/phone1.pem' \
		--sign-key '$PKI/sast2.key' --sign-cert '$PKI/sast2.pem' --timestamp 1700000100 \
		--name-format cucm >/dev/null && cmp '$F/cucm.tlv' '$F/cucm2.tlv'"
check "build: --name-format rfc4514" build "$F/rfc.tlv" sast1 1700000000 --name-format rfc4514
expect_exit "build: --name-format other is a usage error" 2 build "$F/x.tlv" sast1 1 --name-format ldap
expect_grep "build: the usage error names the choices" "cucm or rfc4514" "$T_TMP/last.err"

# The names each certificate should carry, from openssl's RFC 2253 rendering
# (most specific first, ','): CUCM's fixed order with ';', or certificate order with ','.
names() { # FORM CERT...
	form=$1; shift
	for c in "$@"; do
		for w in subject issuer; do
			openssl x509 -noout -"$w" -nameopt RFC2253 -in "$c" | sed "s/^$w=//"
		done
	done | python3 -c '
import sys
order = ["CN", "OU", "O", "L", "ST", "C"]
for line in sys.stdin.read().splitlines():
    parts = line.split(",")  # the fixture names hold no escaped characters
    if sys.argv[1] == "cucm":
        parts.sort(key=lambda p: order.index(p.split("=")[0]))
        print(";".join(parts))
    else:
        print(",".join(reversed(parts)))
' "$form"
}
CERTS="$PKI/sast1.pem $PKI/sast2.pem $PKI/ccm1.pem $PKI/capf.pem $PKI/tvs1.pem $PKI/ccm2.pem $PKI/phone1.pem"
# shellcheck disable=SC2086
names cucm $CERTS > "$F/want.cucm"
# shellcheck disable=SC2086
names rfc $CERTS > "$F/want.rfc"
check "oracle: CUCM form of ccm1 as the format notes show it" \
	grep -qx "CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US" "$F/want.cucm"

# json FILE: subject and issuer of every record, then signer_name and ca_name, one a line.
json_names() {
	"$CC" show --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["records"]:
    print(r["subject"]); print(r["issuer"])
print(d["header"]["signer_name"]); print(d["header"]["ca_name"])
print(" ".join(r["role_name"] for r in d["records"]))'
}
for form in cucm rfc; do
	json_names "$F/$form.tlv" > "$F/got.$form"
	who=sast2; [ "$form" = rfc ] && who=sast1
	head -n 14 "$F/got.$form" > "$F/recs.$form"
	check "$form: SUBJECTNAME/ISSUERNAME of all 7 records (show --json)" cmp "$F/recs.$form" "$F/want.$form"
	names "$form" "$PKI/$who.pem" > "$F/signer.$form"
	sed -n '15,16p' "$F/got.$form" > "$F/hdr.$form"
	check "$form: SIGNERNAME and CANAME are the signer's subject and issuer" \
		cmp "$F/hdr.$form" "$F/signer.$form"
	expect_eq "$form: roles SAST SAST CCM+TFTP CAPF TVS APP-SERVER SRST" \
		"$(sed -n 17p "$F/got.$form")" "SAST SAST CCM+TFTP CAPF TVS APP-SERVER SRST"
	# The bytes in the file: each name followed by exactly one NUL.
	check "$form: names stored as text + NUL in the file" python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
for n in open(sys.argv[2]).read().splitlines():
    if n.encode() + b"\0" not in data:
        sys.exit("missing: " + n)' "$F/$form.tlv" "$F/want.$form"
done
check "cucm: no ',' in any name" sh -c "test -s '$F/got.cucm' && ! grep -q , '$F/got.cucm'"
"$CC" show "$F/cucm.tlv" > "$F/show.txt"
expect_grep "show: SIGNERNAME line as CUCM prints it" \
	"$(printf '4\tSIGNERNAME\t45\tCN=SAST-ADN5a7bc2e0;OU=IPCBU;O=Cisco Systems')" "$F/show.txt"
expect_grep "show: FUNCTION SRST" "$(printf '4\tFUNCTION\t2\tSRST')" "$F/show.txt"
expect_grep "show: FUNCTION TVS" "$(printf '4\tFUNCTION\t2\tTVS')" "$F/show.txt"
expect_grep "show: FUNCTION APP-SERVER" "$(printf '4\tFUNCTION\t2\tAPP-SERVER')" "$F/show.txt"

# A phone takes the RFC 4514 CTL on first use, then the CUCM-form CTL signed by
# the other token: its signer is found although the forms differ.
cp "$F/rfc.tlv" "$R/CTLFile.tlv"
chmod -R a+rX "$R"
start_ctl_tftpd "$T_TMP/server.log" --root "$R" --no-inotify
boot() { "$PV" boot --mac "$MAC" --tftp 127.0.0.1:$TPORT --state "$S" --verbose; }
expect_exit "phone: RFC 4514 CTL trusted on first use" 0 boot
check "phone: stores the RFC 4514 CTL" cmp "$S/CTLFile.tlv" "$F/rfc.tlv"
cp "$F/cucm.tlv" "$R/CTLFile.tlv.new" && mv "$R/CTLFile.tlv.new" "$R/CTLFile.tlv"
expect_exit "phone: CUCM-form CTL signed by the held CTL's second SAST accepted" 0 boot
expect_grep "phone: trusted through the held CTL's SAST record 2" \
	"record 2 (SAST) of the held CTL" "$T_TMP/last.out"
check "phone: stores the CUCM-form CTL" cmp "$S/CTLFile.tlv" "$F/cucm.tlv"

# A value CUCM's unescaped form cannot say: refused, RFC 4514 works.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$F/odd.key" -out "$F/odd.pem" -days 30 \
	-subj "/O=Foo;OU=Bar/CN=odd.example.lab" 2>/dev/null
expect_exit "build: a ';' before TYPE= in a value is refused in CUCM form (exit 3)" 3 \
	"$CC" build --tokenless --out "$F/odd.tlv" --sast "$F/odd.pem" \
	--sign-key "$F/odd.key" --sign-cert "$F/odd.pem"
expect_grep "build: the refusal names the way out" "RFC 4514" "$T_TMP/last.err"
check "build: no file left by the refusal" test ! -e "$F/odd.tlv"
check "build: the same certificate in RFC 4514 form" "$CC" build --tokenless --out "$F/odd.tlv" \
	--sast "$F/odd.pem" --sign-key "$F/odd.key" --sign-cert "$F/odd.pem" --name-format rfc4514
"$CC" show --json "$F/odd.tlv" > "$F/odd.json"
expect_grep "show: RFC 4514's escaped ';' read back as text" '"signer_name":"O=Foo\\;OU=Bar,CN=odd.example.lab"' \
	"$F/odd.json"
finish
