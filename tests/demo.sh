#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make demo`: the offline CTL cycle on this machine. Builds the test PKI
# and two SoftHSM2 SAST tokens, builds a CTL signed on token 1 (private key
# never leaves the token), shows and verifies it, then tampers with a copy
# and shows that verification fails. Then the cluster cycle on loopback: two
# nodes (ctl-provider + ctl-tftpd each), two SoftHSM2 SAST tokens,
# `ctl-client mixed-mode`, show-ctl on a node, and a phone's TFTP fetch of
# CTLSEP<MAC>.tlv whose md5 matches the server's file. Then the Security By
# Default cycle: two nodes that sign their own ITL and configs, with TVS; a
# non-secure cluster with an ITL, tokenless mixed mode, and a regenerated
# CallManager certificate that every phone still follows. Last, the phone
# registers securely (boot --register) to an `openssl s_server` holding the
# CallManager certificate, as its configuration's deviceSecurityMode 2 says.
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

# ---------------------------------------------------------------- Security By Default
SB=$(cd "$OUT" && pwd)/sbd
rm -rf "$SB"
mkdir -p "$SB"
PV=$BUILD/bin/phone-verifier
SBS=""
# port_of LOG: the port a daemon logged ("listening on 127.0.0.1:PORT", any case).
port_of() { sed -n 's/.*[Ll]istening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$1" | head -1; }
has_port() { [ -n "$(port_of "$1")" ]; }
# regen FILE_BASE: a new certificate and key, same subject (a regenerated CallManager).
regen() {
	subj=$(openssl x509 -noout -subject -nameopt compat -in "$1.pem" | sed 's/^subject=//')
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 400 -subj "$subj" \
		-keyout "$1.key.new" -out "$1.pem.new" 2>/dev/null
	chmod 600 "$1.key.new"
	mv "$1.key.new" "$1.key"
	mv "$1.pem.new" "$1.pem"
}
# fleet_check WHAT STATUS: 200 phones (state kept) boot from node 1; every
# one must report STATUS and end with node 1's CTL (when served) and ITL.
fleet_check() {
	$PV fleet --count 200 --concurrency 50 --tftp "127.0.0.1:$(cat "$SB/node1/tftp.port")" \
		--tvs "127.0.0.1:$(cat "$SB/node1/tvs.port")" --model 8861 --state-root "$SB/fleet" --json --no-progress \
		> "$SB/fleet.json" || { cat "$SB/fleet.json"; echo "demo: the fleet failed ($1)" >&2; exit 1; }
	st=$2
	grep -q "\"$st\":200" "$SB/fleet.json" && grep -q '"server_md5_phones":200' "$SB/fleet.json" || {
		cat "$SB/fleet.json"; echo "demo: not every phone: $2 ($1)" >&2; exit 1; }
	echo "  $1: 200 of 200 phones: $st, holding node 1's $(sed -n 's/.*"server_ctl_md5":"\{0,1\}\(null\|[0-9a-f]*\).*/CTL \1/p' "$SB/fleet.json") and ITL $(sed -n 's/.*"server_itl_md5":"\([0-9a-f]*\)".*/\1/p' "$SB/fleet.json")"
}
itl_md5() { md5sum < "$SB/node$1/tftp/ITLFile.tlv" | cut -d' ' -f1; }

step "Security By Default: two nodes, each ctl-provider (itl = yes: it signs its own ITL and the configs) + ctl-tftpd + ctl-tvsd (TVS)"
for n in 1 2; do
	d=$SB/node$n
	mkdir -p "$d/tftp"
	cp "$PKI/ccm$n.pem" "$d/ccm.pem"; cp "$PKI/ccm$n.key" "$d/ccm.key"
	cp "$PKI/tvs$n.pem" "$d/tvs.pem"; cp "$PKI/tvs$n.key" "$d/tvs.key"
	cp "$PKI/itlrecovery.pem" "$d/rec.pem"; cp "$PKI/itlrecovery.key" "$d/rec.key"
	chmod 600 "$d"/*.key
done
for n in 1 2; do
	d=$SB/node$n
	m=$((3 - n))
	printf 'listen = 127.0.0.1:0\ntls_cert = %s\ntls_key = %s\n' "$d/tvs.pem" "$d/tvs.key" > "$d/tvsd.conf"
	for k in 1 2; do
		printf 'cert = ccm-tftp:%s\ncert = tvs:%s\n' "$SB/node$k/ccm.pem" "$SB/node$k/tvs.pem" >> "$d/tvsd.conf"
	done
	$BUILD/bin/ctl-tvsd --config "$d/tvsd.conf" > "$d/tvsd.log" 2>&1 &
	PIDS="$PIDS $!"
	echo $! > "$d/tvsd.pid"
	$BUILD/bin/ctl-provider --listen 127.0.0.1:0 --set "hostname=cucm-node$n.example.lab" \
		--set "ipv4=192.0.2.1$n" --set "tls_cert=$PKI/ccm$n.pem" --set "tls_key=$PKI/ccm$n.key" \
		--set itl=yes --set "callmanager_cert=$d/ccm.pem" --set "callmanager_key=$d/ccm.key" \
		--set "tvs_cert=$d/tvs.pem" --set "itlrecovery_cert=$d/rec.pem" --set "itlrecovery_key=$d/rec.key" \
		--set "tvs_peer=cucm-node$m.example.lab 192.0.2.1$m $SB/node$m/tvs.pem" --tftp-root "$d/tftp" \
		--credentials "$CL/credentials" --mode-file "$d/mode" --set allow_set_mode=yes \
		> "$d/provider.log" 2>&1 &
	PIDS="$PIDS $!"
	echo $! > "$d/provider.pid"
	$BUILD/bin/ctl-tftpd --listen 127.0.0.1:0 --root "$d/tftp" > "$d/tftpd.log" 2>&1 &
	PIDS="$PIDS $!"
	for l in tvsd provider tftpd; do
		wait_for 10 has_port "$d/$l.log" || { cat "$d/$l.log"; echo "demo: $l of node $n did not start" >&2; exit 1; }
	done
	port_of "$d/tftpd.log" > "$d/tftp.port"
	port_of "$d/tvsd.log" > "$d/tvs.port"
	wait_for 10 test -s "$d/tftp/ITLFile.tlv" || { cat "$d/provider.log"; echo "demo: node $n serves no ITL" >&2; exit 1; }
	echo "  node $n: CTL Provider 127.0.0.1:$(port_of "$d/provider.log"), TFTP 127.0.0.1:$(cat "$d/tftp.port"), TVS 127.0.0.1:$(cat "$d/tvs.port")"
	SBS="$SBS --server 127.0.0.1:$(port_of "$d/provider.log")"
done

step "Non-secure with an ITL: node 1's ITLFile.tlv (12.x layout, signed by ITLRecovery)"
$C show "$SB/node1/tftp/ITLFile.tlv" | grep -E 'SIGNERNAME|FUNCTION|verified'
printf '<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>\n' \
	> "$SB/cfg.tmp"
mv "$SB/cfg.tmp" "$SB/node1/tftp/SEP001122334455.cnf.xml"
wait_for 5 test -s "$SB/node1/tftp/SEP001122334455.cnf.xml.sgn" || { echo "demo: the node signed no config" >&2; exit 1; }
echo "  the node signed SEP001122334455.cnf.xml -> SEP001122334455.cnf.xml.sgn"

step "A phone boots: no CTL (non-secure), the ITL on first contact, the signed config"
sb_boot() {
	$PV boot --mac 001122334455 --tftp "127.0.0.1:$(cat "$SB/node1/tftp.port")" \
		--tvs "127.0.0.1:$(cat "$SB/node1/tvs.port")" --state "$SB/phone" --console 88xx
}
sb_boot || { echo "demo: the phone did not take the ITL" >&2; exit 1; }
cmp "$SB/phone/SEP001122334455.cnf.xml" "$SB/node1/tftp/SEP001122334455.cnf.xml"
echo "  the phone holds ITL $(md5sum < "$SB/phone/ITLFile.tlv" | cut -d' ' -f1), node 1 serves $(itl_md5 1)"
fleet_check "non-secure" "ITL installed"

step "Tokenless mixed mode: ctl-client mixed-mode --tokenless (the publisher signs with ITLRecovery; no key leaves a node)"
# shellcheck disable=SC2086
$C mixed-mode --tokenless $SBS --user admin --password-file "$CL/password" --accept-new --yes
$C show "$SB/node1/tftp/CTLFile.tlv" | grep -E 'SIGNERNAME|FUNCTION|verified'
sb_boot || { echo "demo: the phone did not take the CTL" >&2; exit 1; }
fleet_check "mixed mode" "Trust List Updated"

step "CallManager regenerated on node 1 (new certificate and key, SIGHUP), then ctl-client update --tokenless"
old=$(itl_md5 1)
regen "$SB/node1/ccm"
kill -HUP "$(cat "$SB/node1/provider.pid")" "$(cat "$SB/node1/tvsd.pid")" "$(cat "$SB/node2/tvsd.pid")"
itl_changed() { [ "$(itl_md5 1)" != "$old" ]; }
wait_for 10 itl_changed || { echo "demo: node 1 did not rebuild its ITL" >&2; exit 1; }
echo "  node 1's new ITL: $(itl_md5 1) (was $old), still signed by ITLRecovery"
# shellcheck disable=SC2086
$C update --tokenless $SBS --user admin --password-file "$CL/password" --accept-new --yes
sb_boot || { echo "demo: the phone refused the new files" >&2; exit 1; }
fleet_check "after the regeneration" "Trust List Updated"

# ---------------------------------------------------------------- secure registration
step "Secure registration: node 1's CallManager certificate on an openssl s_server (its SIP TLS port, client certificates asked for); the phone's configuration says deviceSecurityMode 2"
cp=$(free_port)
openssl s_server -accept "127.0.0.1:$cp" -cert "$SB/node1/ccm.pem" -key "$SB/node1/ccm.key" -www \
	-Verify 1 -CAfile "$PKI/ca.pem" > "$SB/ccm-tls.log" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 grep -q '^ACCEPT' "$SB/ccm-tls.log" || { cat "$SB/ccm-tls.log"; echo "demo: openssl s_server did not start" >&2; exit 1; }
echo "  CallManager (openssl s_server): 127.0.0.1:$cp, certificate $(openssl x509 -noout -subject -in "$SB/node1/ccm.pem")"
sgn_md5() { md5sum < "$SB/node1/tftp/SEP001122334455.cnf.xml.sgn" | cut -d' ' -f1; }
old_sgn=$(sgn_md5)
printf '<?xml version="1.0" encoding="UTF-8"?>\n<device>\n<deviceProtocol>SIP</deviceProtocol>\n<devicePool>\n<callManagerGroup>\n<members>\n<member priority="0">\n<callManager>\n<ports>\n<sipPort>5060</sipPort>\n<securedSipPort>%s</securedSipPort>\n</ports>\n<processNodeName>127.0.0.1</processNodeName>\n</callManager>\n</member>\n</members>\n</callManagerGroup>\n</devicePool>\n<deviceSecurityMode>2</deviceSecurityMode>\n<loadInformation>sip88xx.14-2-1</loadInformation>\n</device>\n' \
	"$cp" > "$SB/cfg.tmp"
mv "$SB/cfg.tmp" "$SB/node1/tftp/SEP001122334455.cnf.xml"
sgn_changed() { [ "$(sgn_md5)" != "$old_sgn" ]; }
wait_for 10 sgn_changed || { echo "demo: the node did not sign the new config" >&2; exit 1; }
echo "  the node signed the new SEP001122334455.cnf.xml (deviceSecurityMode 2, securedSipPort $cp)"
$PV boot --mac 001122334455 --tftp "127.0.0.1:$(cat "$SB/node1/tftp.port")" \
	--tvs "127.0.0.1:$(cat "$SB/node1/tvs.port")" --state "$SB/phone" --console 88xx \
	--phone-cert "$PKI/phone1.pem" --phone-key "$PKI/phone1.key" --register ||
	{ echo "demo: the phone did not register securely" >&2; exit 1; }
wait_for 5 grep -q 'CN = SEP001122334455' "$SB/ccm-tls.log" || { echo "demo: the CallManager saw no phone certificate" >&2; exit 1; }
echo "  the CallManager verified the phone's certificate: $(grep 'depth=0' "$SB/ccm-tls.log" | head -1)"
echo
echo "demo: done (tampered copy rejected; cluster in mixed mode, same CTL md5 on every node's TFTP and on the phone;"
echo "      Security By Default: non-secure with an ITL, tokenless mixed mode, CallManager regenerated, every phone updated;"
echo "      the phone registered securely to its CallManager, found in its CTL)"
