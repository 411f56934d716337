#!/bin/sh
# `make demo`: the offline CTL cycle on this machine. Builds the test PKI,
# builds and signs a CTL, shows and verifies it, then tampers with a copy
# and shows that verification fails. Later stages extend it to the cluster.
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
C=$BUILD/bin/ctl-client
PKI=$BUILD/pki
OUT=$BUILD/demo
mkdir -p "$OUT"

step() { printf '\n=== %s\n' "$*"; }

# flip_bit FILE OFFSET: xor the lowest bit of one byte, in place.
flip_bit() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

step "Test PKI (fixtures/make-pki -> $PKI)"
fixtures/make-pki "$PKI"
ls "$PKI"/*.pem | sed 's|.*/|  |'

step "Build and sign a CTL: two SAST tokens, two CallManagers, CAPF"
$C build --out "$OUT/CTLFile.tlv" \
	--sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--ccm-tftp "$PKI/ccm2.pem,dns=cucm-sub1.example.lab,ip=192.0.2.12" \
	--capf "$PKI/capf.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem"

step "show ctl"
$C show "$OUT/CTLFile.tlv"

step "verify"
$C verify "$OUT/CTLFile.tlv"

step "Tamper with a copy (flip one bit in record 3) and verify again"
cp "$OUT/CTLFile.tlv" "$OUT/CTLFile-tampered.tlv"
size=$(wc -c < "$OUT/CTLFile-tampered.tlv")
flip_bit "$OUT/CTLFile-tampered.tlv" $((size / 2))
if $C verify "$OUT/CTLFile-tampered.tlv"; then
	echo "demo: tampered file verified: this is a bug" >&2
	exit 1
fi
$C show "$OUT/CTLFile-tampered.tlv" | tail -3 || true
echo
echo "demo: done (tampered copy rejected as expected)"
