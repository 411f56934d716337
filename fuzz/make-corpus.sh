#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates the small seed files of the fuzz corpora from the test PKI:
#   fuzz/make-corpus.sh [BUILD]      (default build; needs `make all`)
# CTL/ITL seeds come from `ctl-client build`, the .sgn seed from
# `ctl-client sign-file`.
# Seeds are signed with fresh test keys, so every run gives new bytes;
# the committed ones are one such run. Each seed stays under 20 KB.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
BUILD=${1:-build}
CLIENT=$BUILD/bin/ctl-client
PKI=$BUILD/pki
SAMPLE=${CTL_SAMPLE:-tests/data/csptechnologies_ciscoprovsionerweb_ITLFile.tlv}
C=fuzz/corpus
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctl-corpus.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

[ -x "$CLIENT" ] || { echo "make-corpus: $CLIENT missing; run make all" >&2; exit 1; }
fixtures/make-pki "$PKI" >/dev/null
mkdir -p "$C/ctl_parse" "$C/sgn_parse" "$C/ctl_verify" "$C/tlv_reader"

build() { # OUT ARGS...: a file signed with a fixed timestamp
	out=$1; shift
	"$CLIENT" build --out "$TMP/$out" --timestamp 1767115542 "$@" >/dev/null
}

# A token CTL with RSA-1024, 2048 signers (small records).
build ctl-2sast-1024.tlv --sast "$PKI/sast1024.pem" --sast "$PKI/sast1.pem" \
	--sign-key "$PKI/sast1024.key" --sign-cert "$PKI/sast1024.pem"
# Servers with DNSNAME and IPADDRESS, SHA-512, signer version.
build ctl-servers-sha512.tlv --digest sha512 --signer-version 1.1 \
	--sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--capf "$PKI/capf.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--sign-key "$PKI/sast2.key" --sign-cert "$PKI/sast2.pem"
# Tokenless ITL with an EC record and a TVS, signed by ITLRecovery.
build itl-tokenless-ec.tlv --itl --tokenless \
	--sast "$PKI/itlrecovery.pem" --ccm "$PKI/ec256.pem,dns=cucm-pub.example.lab" \
	--tvs "$PKI/tvs1.pem,ip=192.0.2.11" \
	--sign-key "$PKI/itlrecovery.key" --sign-cert "$PKI/itlrecovery.pem"

# A .sgn configuration file signed by the CallManager (TFTP) certificate.
printf '<device><fullConfig>true</fullConfig><deviceProtocol>SIP</deviceProtocol></device>\n' \
	> "$TMP/SEP001122334455.cnf.xml"
"$CLIENT" sign-file --cert "$PKI/ccm1.pem" --key "$PKI/ccm1.key" --timestamp 1767115542 \
	--out "$TMP/SEP001122334455.cnf.xml.sgn" "$TMP/SEP001122334455.cnf.xml" >/dev/null

for f in "$TMP"/*.tlv "$TMP"/*.sgn; do
	[ "$(wc -c < "$f")" -lt 20480 ] || { echo "make-corpus: $f is 20 KB or more" >&2; exit 1; }
done

install -m 644 "$SAMPLE" "$C/ctl_parse/sample-ITLFile.tlv"
install -m 644 "$SAMPLE" "$C/ctl_verify/sample-ITLFile.tlv"
install -m 644 "$SAMPLE" "$C/sgn_parse/sample-ITLFile.tlv"
for f in "$TMP"/*.tlv; do
	install -m 644 "$f" "$C/ctl_parse/gen-$(basename "$f")"
	install -m 644 "$f" "$C/ctl_verify/gen-$(basename "$f")"
done
install -m 644 "$TMP/SEP001122334455.cnf.xml.sgn" "$C/sgn_parse/gen-SEP001122334455.cnf.xml.sgn"
install -m 644 "$TMP/SEP001122334455.cnf.xml.sgn" "$C/ctl_verify/gen-SEP001122334455.cnf.xml.sgn"
install -m 644 "$TMP/ctl-2sast-1024.tlv" "$C/sgn_parse/gen-ctl-2sast-1024.tlv"

# The reader target reads its input as (opcode, u16 length) steps over the
# same bytes: the sample's header and a generated CTL are realistic data,
# the short ones hit each primitive at the end of the input.
head -c 388 "$SAMPLE" > "$C/tlv_reader/sample-header.bin"
install -m 644 "$TMP/ctl-2sast-1024.tlv" "$C/tlv_reader/gen-ctl-2sast-1024.tlv"
printf '\000\000\001' > "$C/tlv_reader/u8.bin"
printf '\006\000\010\001\000\002\002\000\000ABCD\000' > "$C/tlv_reader/sub.bin"
printf '\007\000\000name\000\003\377\377' > "$C/tlv_reader/cstr-giant.bin"

# TVS messages (libctl/tvs.c). Elements are tag u8, length u16, value;
# `tvs NAME CMD RESERVED` wraps the payload in $TMP/p in the 10-byte header
# (session 0x3E9, as a Cisco phone sends).
mkdir -p "$C/tvs_msg"
oct() { printf "\\$(printf '%03o' "$1")"; }
len16() { oct $(($1 / 256)); oct $(($1 % 256)); }
str() { oct "$1"; len16 $((${#2} + 1)); printf '%s\000' "$2"; }   # TAG TEXT: NUL-terminated
der() { oct "$1"; len16 "$(wc -c < "$2")"; cat "$2"; }           # TAG FILE
dev() { printf '\001\000\030\001CP-8861-SEPB000B4BA0AEE'; }
answer() { printf '\007\000\001\000'; der 2 "$1"; printf '\010\000\002\000\003\011\000\004\000\001\121\200'; }
tvs() {
	n=$(wc -c < "$TMP/p")
	{ printf '\127\001'; oct "$2"; oct "$3"; printf '\000\000\003\351'; len16 "$n"; cat "$TMP/p"; } \
		> "$C/tvs_msg/$1.bin"
}
{ dev; str 3 "CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US"
  str 4 "CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US"
  printf '\005\000\003\001\002\003'; } > "$TMP/p"; tvs query-req 3 0
{ dev; der 2 "$PKI/ccm1.der"; } > "$TMP/p"; tvs verify-req 1 0
printf '\007\000\001\000\010\000\003\000\002\025\011\000\004\000\001\121\200' > "$TMP/p"; tvs verify-res 2 0
printf '\007\000\001\001' > "$TMP/p"; tvs verify-res-unknown 2 0
answer "$PKI/tvs1.der" > "$TMP/p"; tvs query-res-f7 4 247
{ dev; dev; } > "$TMP/p"; tvs dup-device 1 0
printf '\006\000\001\000' > "$TMP/p"; tvs unknown-tag 1 0

# Encrypted configuration files: fuzz/seed_encsgn.c, built here against the
# library, encrypts the .sgn seed's configuration for a phone's key.
mkdir -p "$C/encsgn_parse"
${CC:-cc} -std=c11 -Ilibctl/include -o "$TMP/seed_encsgn" fuzz/seed_encsgn.c \
	"$BUILD/lib/libctlsuite.a" -lssl -lcrypto
"$TMP/seed_encsgn" "$TMP/SEP001122334455.cnf.xml" "$PKI/ccm2.pem" "$PKI/ccm1.pem" "$PKI/ccm1.key" \
	sha1 "$C/encsgn_parse/gen-sha1-2048.enc.sgn"
"$TMP/seed_encsgn" "$TMP/SEP001122334455.cnf.xml" "$PKI/sast1024.pem" "$PKI/sast1024.pem" \
	"$PKI/sast1024.key" sha512 "$C/encsgn_parse/gen-sha512-1024.enc.sgn"
echo "make-corpus: seeds in $C:"
ls -l "$C"/*/
