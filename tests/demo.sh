#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make demo`: the offline CTL cycle on this machine. Builds the test PKI
# and two SoftHSM2 SAST tokens, builds a CTL signed on token 1 (private key
# never leaves the token), shows and verifies it, then tampers with a copy
# and shows that verification fails. Then the cluster cycle on loopback: two
# nodes (ctl-provider + ctl-tftpd each), two SoftHSM2 SAST tokens,
# `ctl-client mixed-mode`, show-ctl on a node, and a phone's TFTP fetch of
# CTLSEP<MAC>.tlv whose md5 matches the server's file.
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
C=$BUILD/bin/ctl-client
PKI=$BUILD/pki
OUT=$BUILD/demo
MOD=$(fixtures/softhsm-module)
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

step "SoftHSM2 SAST tokens (fixtures/make-tokens -> $BUILD/tokens; keys generated on the token)"
CTL_FIXTURES=$PKI fixtures/make-tokens "$BUILD/tokens" >/dev/null
rm -rf "$OUT/hsm"
fixtures/make-tokens --assemble "$BUILD/tokens" "$OUT/hsm" sast1 sast2
T1=$(cat "$BUILD/tokens/sast1.label")
T2=$(cat "$BUILD/tokens/sast2.label")
# A private token directory: never the system's SoftHSM configuration.
SOFTHSM2_CONF=$(cd "$OUT/hsm" && pwd)/softhsm2.conf $C tokens --module "$MOD"

step "Build a CTL and sign it on token $T1 (token $T2 enrolled as backup, no login): two CallManagers, CAPF"
SOFTHSM2_CONF=$(cd "$OUT/hsm" && pwd)/softhsm2.conf $C build --out "$OUT/CTLFile.tlv" \
	--module "$MOD" \
	--sast-token "$T1" --sast-token "pkcs11:token=$T2" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--ccm-tftp "$PKI/ccm2.pem,dns=cucm-sub1.example.lab,ip=192.0.2.12" \
	--capf "$PKI/capf.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--sign-token "$T1" --pin-file "$BUILD/tokens/sast1.pin"

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
echo "demo: tampered copy rejected as expected"

# ---------------------------------------------------------------- cluster
CL=$(cd "$OUT" && pwd)/cluster # absolute: XDG_CONFIG_HOME must be
PIDS=""
stop_all() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; for p in $PIDS; do wait "$p" 2>/dev/null || true; done; }
trap stop_all EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for SECONDS CMD...: bounded poll.
wait_for() {
	_w=$(($1 * 20)); shift
	while [ "$_w" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; _w=$((_w - 1)); done
	return 1
}

step "Two SoftHSM2 SAST tokens (fixtures/make-tokens -> $BUILD/tokens)"
CTL_FIXTURES=$PKI fixtures/make-tokens "$BUILD/tokens" >/dev/null
rm -rf "$CL"
mkdir -p "$CL"
fixtures/make-tokens --assemble "$BUILD/tokens" "$CL/hsm" sast1 sast2
SOFTHSM2_CONF=$CL/hsm/softhsm2.conf
XDG_CONFIG_HOME=$CL/config
export SOFTHSM2_CONF XDG_CONFIG_HOME
$C tokens --module "$MOD"

step "Two cluster nodes on loopback: ctl-provider (TLS, port 2444 protocol) + ctl-tftpd each"
printf 'demo-admin-password\n' > "$CL/password"
chmod 600 "$CL/password"
printf 'demo-admin-password\n' | $BUILD/bin/ctl-provider --hash-password admin > "$CL/credentials"
chmod 600 "$CL/credentials"
SERVERS=""
for n in 1 2; do
	d=$CL/node$n
	mkdir -p "$d/tftp"
	pp=$(free_port); tp=$(free_port)
	$BUILD/bin/ctl-provider --listen "127.0.0.1:$pp" --set "hostname=cucm-node$n.example.lab" \
		--set "ipv4=192.0.2.1$n" --set "tls_cert=$PKI/ccm$n.pem" --set "tls_key=$PKI/ccm$n.key" \
		--set "cert=ccm-tftp:$PKI/ccm$n.pem" --set "cert=capf:$PKI/capf.pem" --tftp-root "$d/tftp" \
		--credentials "$CL/credentials" --mode-file "$d/mode" --set allow_set_mode=yes \
		> "$d/provider.log" 2>&1 &
	PIDS="$PIDS $!"
	$BUILD/bin/ctl-tftpd --listen "127.0.0.1:$tp" --root "$d/tftp" -q > "$d/tftpd.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 10 grep -q "listening on" "$d/provider.log" || { cat "$d/provider.log"; exit 1; }
	echo "$tp" > "$d/tftp.port"
	echo "  node $n: CTL Provider 127.0.0.1:$pp, TFTP 127.0.0.1:$tp, root $d/tftp"
	SERVERS="$SERVERS --server 127.0.0.1:$pp"
done

step "ctl-client mixed-mode: collect, sign on token 1 (token 2 is the backup), upload, mode 1"
# shellcheck disable=SC2086
$C mixed-mode $SERVERS --user admin --password-file "$CL/password" --accept-new --module "$MOD" \
	--token "$(cat "$BUILD/tokens/sast1.label")" --sast-token "$(cat "$BUILD/tokens/sast2.label")" \
	--pin-file "$BUILD/tokens/sast1.pin" --yes

step "show-ctl on node 1"
$BUILD/bin/show-ctl --root "$CL/node1/tftp"

step "A phone (MAC 001122AABBCC) fetches CTLSEP001122AABBCC.tlv from each node over TFTP"
srv=$(md5sum < "$CL/node1/tftp/CTLFile.tlv" | cut -d' ' -f1)
for n in 1 2; do
	tp=$(cat "$CL/node$n/tftp.port")
	wait_for 10 curl -sf -o "$CL/phone$n.tlv" "tftp://127.0.0.1:$tp/CTLSEP001122AABBCC.tlv" || {
		echo "demo: TFTP fetch from node $n failed" >&2; exit 1; }
	got=$(md5sum < "$CL/phone$n.tlv" | cut -d' ' -f1)
	echo "  node $n: TFTP md5 $got, server file md5 $srv"
	[ "$got" = "$srv" ] || { echo "demo: md5 mismatch on node $n" >&2; exit 1; }
done

step "phone-verifier: a phone boots from node 1 (trust on first use), then shows its Trust List md5"
tp=$(cat "$CL/node1/tftp.port")
rm -rf "$CL/phone-state"
$BUILD/bin/phone-verifier boot --mac 001122AABBCC --tftp "127.0.0.1:$tp" --state "$CL/phone-state" || {
	echo "demo: the phone did not accept the CTL" >&2; exit 1; }
$BUILD/bin/phone-verifier compare --state "$CL/phone-state" --server-file "$CL/node1/tftp/CTLFile.tlv"

step "ctl-client check: live certificates against the installed CTLs"
# shellcheck disable=SC2086
$C check $SERVERS --user admin --password-file "$CL/password"
echo
echo "demo: done (tampered copy rejected; cluster in mixed mode, same CTL md5 on every node's TFTP and on the phone)"
