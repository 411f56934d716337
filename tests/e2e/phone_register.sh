#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The phone's secure registration check against a real TLS server nobody
# here wrote: `openssl s_server` stands in for the CallManager's SIP TLS
# port. Its certificate listed in the held CTL as CCM+TFTP: registered
# (exit 0); another certificate, or one the CTL lists only as CAPF:
# refused (exit 10); client-certificate verification on: the phone's
# certificate reaches the server (its subject in s_server's log), and
# without one the handshake fails (exit 11); only an ITL held: its CCM+TFTP
# record; no trust list: four tries, then No Trust List Installed (exit 4);
# nobody listening, a silent server (bounded by --timeout), a server that
# speaks no TLS: exit 11; --json and the 88xx console.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/phone.sh"
S=$T_TMP/phone
F=$T_TMP/files
mkdir -p "$S" "$F"

cluster_ctl "$F/ctl.tlv" sast1 1700000000 >/dev/null || { echo "Bail out! ctl-client build"; exit 1; }
cluster_itl "$F/itl.tlv" >/dev/null || { echo "Bail out! ctl-client build --itl"; exit 1; }
cp "$F/ctl.tlv" "$S/CTLFile.tlv"

reg() { "$PV" register --state "$S" --timeout 5 "$@"; }
O=$T_TMP/last.out
SERIAL=$(openssl x509 -in "$PKI/ccm1.pem" -noout -serial | sed 's/^serial=//; s/../&:/g; s/:$//')

# 1. The CallManager's certificate is the CTL's CCM+TFTP record: registered.
start_ccm ccm1 "$PKI/ccm1.pem" "$PKI/ccm1.key"
P1=$CPORT
expect_exit "CTL's CCM+TFTP certificate: registered securely (exit 0)" 0 reg --ccm "127.0.0.1:$P1"
expect_grep "console: connecting over TLS" "SECD: ccmConnect: Connecting to CallManager 127.0.0.1:$P1 over TLS" "$O"
expect_grep "console: subject of the server certificate, as CUCM writes names" "subject CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US, serial" "$O"
expect_grep "console: serial as show ctl prints it" "serial $SERIAL" "$O"
expect_grep "console: found in CTL record 3 (CCM+TFTP)" "found in CTL record 3 (CCM+TFTP)" "$O"
expect_grep "console: TLS version and cipher" "SECD: ccmTls: TLSv1.2, cipher " "$O"
expect_grep "console: registered" "registered securely with CallManager 127.0.0.1:$P1 (deviceSecurityMode 2, authenticated)" "$O"

expect_exit "--json: registered" 0 reg --ccm "127.0.0.1:$P1" --json
expect_grep "json: registered true" '"registered":true,"exit":0' "$O"
expect_grep "json: the record that vouched" '"found":{"list":"CTL","record":3,"role":"CCM+TFTP"}' "$O"
expect_grep "json: serial" "\"serial\":\"$SERIAL\"" "$O"
expect_grep "json: TLS 1.2" '"tls_version":"TLSv1.2"' "$O"

expect_exit "88xx console: registered" 0 reg --ccm "127.0.0.1:$P1" --console 88xx
expect_grep "88xx: SECUREAPP connect line" "INF $(date +%b) " "$O"
expect_grep "88xx: BIO line" "SECUREAPP-BIO created with: addr:127.0.0.1, port:$P1, mode:IPv4" "$O"
expect_grep "88xx: role line" "SECUREAPP-SSL session setup Cert Verification - Role is = 2" "$O"

# 2. A certificate the CTL does not hold: refused.
start_ccm ccm2 "$PKI/ccm2.pem" "$PKI/ccm2.key"
P2=$CPORT
expect_exit "certificate not in the CTL: refused (exit 10)" 10 reg --ccm "127.0.0.1:$P2"
expect_grep "console: not found in CTL" "SECD: ccmVerifyCert: not found in CTL" "$O"
if grep -q "registered securely" "$O"; then not_ok "no registration after a refusal"; else ok "no registration after a refusal"; fi
expect_grep "stderr names the server" "127.0.0.1:$P2 is not found in the CTL" "$T_TMP/last.err"
# The CTL holds the CAPF certificate, but not as a CallManager.
start_ccm capf "$PKI/capf.pem" "$PKI/capf.key"
expect_exit "certificate the CTL lists only as CAPF: refused (exit 10)" 10 reg --ccm "127.0.0.1:$CPORT"
# In order: the refused one first, then the trusted one.
expect_exit "two CallManagers in order: the second registers" 0 reg --ccm "127.0.0.1:$P2" --ccm "127.0.0.1:$P1"
expect_grep "the first was refused" "not found in CTL" "$O"
expect_grep "the second registered" "registered securely with CallManager 127.0.0.1:$P1" "$O"

# 3. Client-certificate verification on: the phone's MIC is sent.
start_ccm verify "$PKI/ccm1.pem" "$PKI/ccm1.key" -Verify 1 -CAfile "$PKI/ca.pem"
PV1=$CPORT
expect_exit "-Verify 1: the phone presents its certificate: registered" 0 \
	reg --ccm "127.0.0.1:$PV1" --phone-cert "$PKI/phone1.pem" --phone-key "$PKI/phone1.key" --json
expect_grep "json: phone certificate sent" '"phone_certificate_sent":true' "$O"
wait_for 5 grep -q "CN = SEP001122334455" "$T_TMP/verify.log"
expect_grep "s_server saw the phone's subject" "O = Cisco Systems Inc., OU = EVVBU, CN = SEP001122334455" "$T_TMP/verify.log"
expect_exit "-Verify 1 without a phone certificate: handshake fails (exit 11)" 11 reg --ccm "127.0.0.1:$PV1"
expect_grep "the failure names the handshake" "TLS handshake failed" "$T_TMP/last.err"
expect_exit "--phone-cert without --phone-key: usage (exit 2)" 2 reg --ccm "127.0.0.1:$P1" --phone-cert "$PKI/phone1.pem"

# 4. Only an ITL held: its CCM+TFTP record.
S2=$T_TMP/itl-only
mkdir -p "$S2"
cp "$F/itl.tlv" "$S2/ITLFile.tlv"
expect_exit "ITL only: the ITL's CCM+TFTP record: registered" 0 "$PV" register --state "$S2" --ccm "127.0.0.1:$P1"
expect_grep "found in the ITL" "found in ITL record 2 (CCM+TFTP)" "$O"
expect_exit "ITL only, another certificate: refused (exit 10)" 10 "$PV" register --state "$S2" --ccm "127.0.0.1:$P2"

# 5. No trust list: four tries, then No Trust List Installed.
S3=$T_TMP/empty
mkdir -p "$S3"
expect_exit "no trust list: refused after four tries (exit 4)" 4 \
	"$PV" register --state "$S3" --ccm "127.0.0.1:$P1" --retry-interval 20
expect_eq "four tries logged" "$(grep -c 'no CTL or ITL installed' "$O")" 4
expect_grep "the fourth try is the last" "(try 4 of 4)" "$O"
if grep -q "ccmConnect" "$O"; then not_ok "no TLS without a trust list"; else ok "no TLS without a trust list"; fi

# 6. Nobody listening, a server that accepts and never answers, one that speaks no TLS; bad options.
DEAD=$(free_port)
expect_exit "nobody listening: exit 11" 11 reg --ccm "127.0.0.1:$DEAD"
# A silent TCP server (accepts, says nothing, never closes; the trap ends it) and one
# that answers every connection with plain text.
python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    conns.append(s.accept()[0])
' > "$T_TMP/silent.port" 2>/dev/null &
T_PIDS="$T_PIDS $!"
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"220 not a CallManager\r\n" * 64); c.close()
' > "$T_TMP/text.port" 2>/dev/null &
T_PIDS="$T_PIDS $!"
wait_for 10 test -s "$T_TMP/silent.port"
wait_for 10 test -s "$T_TMP/text.port"
expect_exit "a server that never answers: given up at the deadline (exit 11)" 11 \
	"$PV" register --state "$S" --timeout 1 --ccm "127.0.0.1:$(cat "$T_TMP/silent.port")"
expect_grep "the silent server: handshake timed out" "TLS handshake failed or timed out" "$T_TMP/last.err"
expect_exit "a server that speaks no TLS: exit 11" 11 reg --ccm "127.0.0.1:$(cat "$T_TMP/text.port")"
expect_grep "the plain-text server: handshake failed" "TLS handshake failed" "$T_TMP/last.err"
expect_exit "after a silent server, the trusted one registers" 0 \
	"$PV" register --state "$S" --timeout 1 --ccm "127.0.0.1:$(cat "$T_TMP/silent.port")" --ccm "127.0.0.1:$P1"
expect_exit "--ccm without a port: usage (exit 2)" 2 reg --ccm 127.0.0.1
expect_exit "no --ccm: usage (exit 2)" 2 "$PV" register --state "$S"
expect_exit "--retry-interval out of range: usage (exit 2)" 2 reg --ccm "127.0.0.1:$P1" --retry-interval 700000
finish
