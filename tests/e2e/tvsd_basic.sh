#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tvsd serving a cluster's certificates: --help, --version and the exit
# codes; VERIFY of a known certificate (status 0, its roles, the TTL, the
# session echoed) and of an unknown one (status 1 alone); QUERY by issuer and
# serial with the issuer in CUCM's ';' form and in RFC 4514's ',' form (the
# DER returned byte for byte); the ttl key; SIGHUP picking up a certificate
# added to a trust directory and keeping the store when a file is broken;
# client certificates with verify_client = require and optional; user=.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tvsd_env.inc"
need_tvsd

VERSION=$(sed -n 's/^#define CTL_VERSION_STRING "\(.*\)"$/\1/p' "$TOP/libctl/include/ctl/ctl.h")
expect_exit "--version" 0 "$TVSD" --version
expect_eq "--version prints the version" "$(cat "$T_TMP/last.out")" "ctl-tvsd $VERSION"
expect_exit "--help" 0 "$TVSD" --help
expect_grep "--help lists the exit codes" "2 usage, 3 configuration" "$T_TMP/last.out"
expect_exit "an unknown option: exit 2" 2 "$TVSD" --no-such-option
expect_exit "a bad --set: exit 2" 2 "$TVSD" --set ttl=0 --set tls_cert=x

N=$T_TMP/node
make_tvs_node "$N"
expect_exit "--check-config: exit 0" 0 "$TVSD" --config "$N/tvsd.conf" --check-config
expect_grep "--check-config counts the store" "configuration ok: 7 certificate(s) in the store" "$T_TMP/last.out"
printf 'ttl = 86400\nbogus line\n' >"$T_TMP/bad.conf"
expect_exit "a config line without '=': exit 3" 3 "$TVSD" --config "$T_TMP/bad.conf"
expect_grep "the error names file and line" "$T_TMP/bad.conf:2: expected key = value" "$T_TMP/last.err"
expect_exit "a missing store file: exit 3" 3 "$TVSD" --config "$N/tvsd.conf" --set "cert=ccm:$T_TMP/none.pem"
expect_grep "the error names the file and its line" "$T_TMP/none.pem: No such file or directory (cert line command line)" "$T_TMP/last.err"

start_tvsd "$N"
LOG=$N/log
expect_grep "listening on 127.0.0.1:PORT" "listening on 127.0.0.1:$TVS_PORT (TLS 1.2+, client certificates: no)" "$LOG"

# --- VERIFY
expect_exit "VERIFY tvs1: status 0" 0 $TQ --session 1001 verify "$PKI/tvs1.pem"
expect_grep "VERIFY tvs1: a VERIFY response" "command 2" "$T_TMP/last.out"
expect_grep "VERIFY tvs1: the session id is echoed" "session 1001" "$T_TMP/last.out"
expect_grep "VERIFY tvs1: roles TVS (21)" "roles 21" "$T_TMP/last.out"
expect_grep "VERIFY tvs1: TTL 86400" "ttl 86400" "$T_TMP/last.out"
expect_grep "VERIFY tvs1: status, roles, TTL in that order" "elements 7,8,9" "$T_TMP/last.out"
expect_exit "VERIFY ccm1 (DER from a PEM line): status 0" 0 $TQ verify "$PKI/ccm1.der"
expect_grep "VERIFY ccm1: roles SAST and CCM+TFTP (bytes 0,2)" "roles 0,2" "$T_TMP/last.out"
expect_exit "VERIFY ccm2 (a DER line): status 0" 0 $TQ verify "$PKI/ccm2.pem"
expect_grep "VERIFY ccm2: roles CCM+TFTP" "roles 2" "$T_TMP/last.out"
expect_exit "VERIFY sast1 (from the trust directory): status 0" 0 $TQ verify "$PKI/sast1.pem"
expect_grep "VERIFY sast1: roles SAST and TFTP (bytes 0,3)" "roles 0,3" "$T_TMP/last.out"
expect_exit "VERIFY ccmB (another cluster's): status 1" 1 $TQ --session 7 verify "$PKI/ccmB.pem"
expect_grep "VERIFY unknown: status 1" "status 1" "$T_TMP/last.out"
expect_grep "VERIFY unknown: status alone" "elements 7" "$T_TMP/last.out"
if grep -q -e '^roles' -e '^ttl' "$T_TMP/last.out"; then not_ok "VERIFY unknown: no roles, no TTL"; else
	ok "VERIFY unknown: no roles, no TTL"; fi
expect_grep "VERIFY unknown: session echoed" "session 7" "$T_TMP/last.out"
expect_grep "VERIFY known: logged with device and roles" \
	"(CP-8861-SEP001122334455, client certificate none): known, roles 21: C=US,ST=NC,L=RTP,O=Example Voice,OU=UC,CN=cucm-pub-tvs.example.lab" "$LOG"
expect_grep "VERIFY unknown: logged with its fingerprint" "unknown certificate, SHA-256 $(sha256_of ccmB | tr a-f A-F)" "$LOG"

# --- QUERY
CA_CUCM="CN=Cisco Manufacturing CA;O=Cisco Systems"
CA_RFC="CN=Cisco Manufacturing CA,O=Cisco Systems"
S1_SUBJ="CN=SAST-ADN4e31f914;OU=IPCBU;O=Cisco Systems"
expect_exit "QUERY sast1, issuer in CUCM form: status 0" 0 \
	$TQ --out "$T_TMP/q1.der" query "$S1_SUBJ" "$CA_CUCM" "$(serial_hex sast1)"
expect_grep "QUERY: a QUERY response" "command 4" "$T_TMP/last.out"
expect_grep "QUERY: status, certificate, roles, TTL in that order" "elements 7,2,8,9" "$T_TMP/last.out"
expect_grep "QUERY sast1: roles 0,3" "roles 0,3" "$T_TMP/last.out"
expect_eq "QUERY sast1: the DER returned is sast1's, byte for byte" \
	"$(sha256sum <"$T_TMP/q1.der" | cut -d' ' -f1)" "$(sha256_of sast1)"
expect_exit "QUERY sast1, issuer in RFC 4514 form: status 0" 0 \
	$TQ query "$S1_SUBJ" "$CA_RFC" "$(serial_hex sast1)"
expect_grep "QUERY RFC 4514 form: the same certificate" "cert-sha256 $(sha256_of sast1)" "$T_TMP/last.out"
expect_exit "QUERY sast1, serial with a leading zero byte: status 0" 0 \
	$TQ query "$S1_SUBJ" "$CA_CUCM" "00$(serial_hex sast1)"
TVS1_CUCM="CN=cucm-pub-tvs.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US"
expect_exit "QUERY tvs1 (self-signed), CUCM form: status 0" 0 \
	$TQ query "$TVS1_CUCM" "$TVS1_CUCM" "$(serial_hex tvs1)"
expect_grep "QUERY tvs1: its DER" "cert-sha256 $(sha256_of tvs1)" "$T_TMP/last.out"
expect_exit "QUERY sast2 (same issuer, serial not in the store): status 1" 1 \
	$TQ query "CN=SAST-ADN5a7bc2e0;OU=IPCBU;O=Cisco Systems" "$CA_CUCM" "$(serial_hex sast2)"
expect_grep "QUERY unknown: status alone" "elements 7" "$T_TMP/last.out"
expect_exit "QUERY sast1's serial under another issuer: status 1" 1 \
	$TQ query "$S1_SUBJ" "CN=Rogue CA;O=Rogue" "$(serial_hex sast1)"
expect_grep "QUERY known: logged" "issuer $CA_CUCM serial $(serial_hex sast1): known, roles 0,3" "$LOG"

# --- SIGHUP: a certificate added to the trust directory is served after it.
cp "$PKI/ccmB.pem" "$N/trust/"
expect_exit "before SIGHUP: ccmB unknown" 1 $TQ verify "$PKI/ccmB.pem"
kill -HUP "$TVSD_PID"
wait_for 5 grep -q "SIGHUP: store reloaded: 8 certificate(s)" "$LOG"
expect_grep "SIGHUP: reload logged" "SIGHUP: store reloaded: 8 certificate(s)" "$LOG"
expect_exit "after SIGHUP: VERIFY ccmB status 0" 0 $TQ verify "$PKI/ccmB.pem"
expect_grep "after SIGHUP: ccmB with the directory's roles" "roles 0,3" "$T_TMP/last.out"
CCMB=$(openssl x509 -in "$PKI/ccmB.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//; s/,/;/g')
expect_exit "after SIGHUP: QUERY ccmB by its CUCM-form issuer: status 0" 0 \
	$TQ query "$CCMB" "$CCMB" "$(serial_hex ccmB)"
# A broken file: the store stays as it was.
printf -- '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n' >"$N/trust/broken.pem"
kill -HUP "$TVSD_PID"
wait_for 5 grep -q "reload failed" "$LOG"
expect_grep "SIGHUP with a broken file: the file and reason are logged" \
	"SIGHUP: reload failed: $N/trust/broken.pem: not a PEM certificate" "$LOG"
expect_grep "SIGHUP with a broken file: the old store is kept" \
	"still serving the 8 certificate(s) loaded before" "$LOG"
if kill -0 "$TVSD_PID" 2>/dev/null; then ok "SIGHUP with a broken file: still running"; else
	not_ok "SIGHUP with a broken file: still running"; fi
expect_exit "SIGHUP with a broken file: ccmB still served" 0 $TQ verify "$PKI/ccmB.pem"
stop_tvsd

# --- ttl
T=$T_TMP/ttl
make_tvs_node "$T" ttl=3600
start_tvsd "$T"
expect_exit "ttl = 3600: VERIFY" 0 $TQ verify "$PKI/capf.pem"
expect_grep "ttl = 3600: the TTL element" "ttl 3600" "$T_TMP/last.out"
expect_grep "capf: roles CAPF (4)" "roles 4" "$T_TMP/last.out"
stop_tvsd

# --- client certificates
R=$T_TMP/req
make_tvs_node "$R" verify_client=require "client_ca=$PKI/ca.pem"
start_tvsd "$R"
expect_grep "verify_client = require: announced" "client certificates: require" "$R/log"
expect_exit "require: a client without a certificate is refused in the handshake" 3 \
	$TQ verify "$PKI/tvs1.pem"
wait_for 5 grep -q "TLS handshake failed from 127.0.0.1:" "$R/log"
expect_grep "require: the refusal is logged" "TLS handshake failed from 127.0.0.1:" "$R/log"
expect_exit "require: a phone with its MIC (phone1, issued by the CA) is served" 0 \
	$TQ --cert "$PKI/phone1.pem" --key "$PKI/phone1.key" verify "$PKI/tvs1.pem"
expect_grep "require: the phone's certificate is logged" \
	"client certificate O=Cisco Systems Inc.,OU=EVVBU,CN=SEP001122334455" "$R/log"
expect_exit "require: a certificate from another CA is refused" 3 \
	$TQ --cert "$PKI/rogue.pem" --key "$PKI/rogue.key" verify "$PKI/tvs1.pem"
stop_tvsd

O=$T_TMP/opt
make_tvs_node "$O" verify_client=optional
start_tvsd "$O"
expect_exit "optional: a client without a certificate is served" 0 $TQ verify "$PKI/tvs1.pem"
expect_exit "optional: a client with one is served" 0 \
	$TQ --cert "$PKI/phone1.pem" --key "$PKI/phone1.key" verify "$PKI/tvs1.pem"
expect_grep "optional, no client_ca: the gap is logged at start" \
	"verify_client without client_ca: a client certificate is asked for" "$O/log"
stop_tvsd

# --- user=: root dropped after binding.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	U=$T_TMP/user
	make_tvs_node "$U" user=nobody
	start_tvsd "$U"
	uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$TVSD_PID/status")
	nobody=$(id -u nobody)
	expect_eq "user=nobody: every uid is nobody's" "$uid" "$nobody $nobody $nobody $nobody"
	expect_grep "user=nobody: logged" "running as user nobody (uid $nobody)" "$U/log"
	expect_exit "user=nobody: served" 0 $TQ verify "$PKI/tvs1.pem"
	stop_tvsd
	expect_exit "unknown user: exit 3" 3 "$TVSD" --config "$U/tvsd.conf" --set user=no-such-user-x
fi
finish
