#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# phone-verifier's TVS client against scripted TVS servers
# (tests/tools/tvs/fake-tvsd.py, TLS on 127.0.0.1, kernel-picked ports) and
# ctl-tftpd serving an 8.x-layout ITL whose CallManager certificate was
# regenerated (ccm1 -> ccm2). A phone holding the old ITL must ask TVS; it
# takes the new ITL only when a server whose TLS certificate is the held
# ITL's TVS record vouches with a certificate that verifies the file. Hostile
# servers: a wrong TLS certificate (refused, the next server tried, no QUERY
# sent to it), a stalled server (bounded by --tvs-timeout, the next server
# tried), a lying answer (a certificate that does not verify the file), an
# "unknown" answer, no server at all. Then the cache (tvs-cache: a second
# phone answered from it with every server down), the 88xx console lines,
# --json's TVS facts and the device name and client certificate TVS sees.
# Last, the real ctl-tvsd: vouching for ccm2 with roles SAST and TFTP, and a
# store without it answering "unknown".
. "$(dirname "$0")/../lib/e2e.sh"
need_pki
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
FAKE=$TOP/tests/tools/tvs/fake-tvsd.py
MAC=001122334455
md5() { md5sum < "$1" | cut -d' ' -f1; }

# itl SIGNER OUT: an 8.x ITL signed by SIGNER (SAST + TFTP), listing tvs1 on 127.0.0.1.
itl() {
	"$CC" build --itl --tokenless --out "$2" --sast "$PKI/$1.pem" --tftp "$PKI/$1.pem" \
		--tvs "$PKI/tvs1.pem,ip=127.0.0.1" --sign-key "$PKI/$1.key" \
		--sign-cert "$PKI/$1.pem" >/dev/null || { echo "Bail out! ctl-client build failed"; exit 1; }
}
itl ccm1 "$T_TMP/itl-old.tlv"
itl ccm2 "$T_TMP/itl-new.tlv"
mkdir -p "$T_TMP/root"
cp "$T_TMP/itl-old.tlv" "$T_TMP/root/ITLFile.tlv"
start_ctl_tftpd "$T_TMP/tftpd.log" --root "$T_TMP/root"
OLD=$(md5 "$T_TMP/itl-old.tlv")
NEW=$(md5 "$T_TMP/itl-new.tlv")

# A phone holding the old ITL (first contact), kept as a template.
expect_exit "first contact: the old ITL installed" 0 timeout 60 "$PV" boot --mac "$MAC" \
	--tftp "127.0.0.1:$TPORT" --state "$T_TMP/held" --timeout 300
expect_eq "first contact: the held ITL is the old one" "$(md5 "$T_TMP/held/ITLFile.tlv")" "$OLD"
cp "$T_TMP/itl-new.tlv" "$T_TMP/root/ITLFile.tlv"

# tvs NAME MODE TLS-NAME [ANSWER-NAME ROLES]: a fake TVS (port in TVPORT_<NAME>), alive
# 900 s at most (stopped at the end; a slow run must not outlive it).
tvs() {
	_n=$1 _mode=$2 _tls=$3
	shift 3
	case $_mode in answer|session) set -- "$PKI/$1.pem" "$2" 86400 ;; *) set -- ;; esac
	python3 "$FAKE" "$T_TMP/$_n.port" "$T_TMP/$_n.log" "$_mode" "$PKI/$_tls.pem" \
		"$PKI/$_tls.key" "$PKI/ca.pem" "$@" 900 &
	T_PIDS="$T_PIDS $!"
	wait_for 10 test -s "$T_TMP/$_n.port" || { echo "Bail out! fake-tvsd did not start"; exit 1; }
	eval "TVPORT_$_n=\$(cat \"\$T_TMP/\$_n.port\")"
}
tvs honest answer tvs1 ccm2 0,3
tvs rogue answer tvs2 ccm2 0,3
tvs stall stall tvs1
tvs liar answer tvs1 ccm1 0,3
tvs unknown unknown tvs1
tvs tvsrole answer tvs1 ccm2 21
tvs reset close tvs1
tvs garbage garbage tvs1
tvs session session tvs1 ccm2 0,3
tvs short short tvs1
DEAD=$(free_port)

# phone CASE EXIT ARGS...: a copy of the held phone boots with ARGS; output in CASE.out.
phone() {
	_c=$1 _want=$2
	shift 2
	rm -rf "$T_TMP/$_c"
	cp -r "$T_TMP/held" "$T_TMP/$_c"
	expect_exit "$_c: boot exits $_want" "$_want" timeout 60 "$PV" boot --mac "$MAC" \
		--tftp "127.0.0.1:$TPORT" --state "$T_TMP/$_c" --timeout 300 "$@"
	cp "$T_TMP/last.out" "$T_TMP/$_c.out"
	if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$T_TMP/last.err"; then
		not_ok "$_c: no sanitizer report"; sed 's/^/#   /' "$T_TMP/last.err" | head -20
	else
		ok "$_c: no sanitizer report"
	fi
}
# note CASE DESC TEXT: CASE's output (a --verbose boot) has ctl-suite's
# explanation of the ITL naming TEXT (the facts a phone's console does not say).
note() {
	if grep -F -- "$3" "$T_TMP/$1.out" | grep -q "^ctl-suite: ITLFile\.tlv "; then ok "$2"; else
		not_ok "$2 (no ctl-suite: ITLFile.tlv line with '$3')"; sed 's/^/#   /' "$T_TMP/$1.out" | head -30; fi
}
kept_old() { expect_eq "$1: the old ITL kept" "$(md5 "$T_TMP/$1/ITLFile.tlv")" "$OLD"; }
took_new() { expect_eq "$1: the new ITL installed" "$(md5 "$T_TMP/$1/ITLFile.tlv")" "$NEW"; }
PHONE="--phone-cert $PKI/phone1.pem --phone-key $PKI/phone1.key"

# Without TVS the regenerated signer is refused (the lock-out's first half).
phone none 1 --tvs "127.0.0.1:$DEAD" --tvs-timeout 2000 --verbose
kept_old none
expect_grep "none: Trust List Update Failed" "Trust List Update Failed" "$T_TMP/none.out"
expect_grep "none: the refused server is named" "TVS server 127.0.0.1:$DEAD failed" "$T_TMP/none.out"
note none "none: --verbose: the reason names TVS" "no TVS server answered"

# The honest server: the new ITL, trusted by TVS; the query as TVS saw it.
phone honest 0 --tvs "127.0.0.1:$TVPORT_honest" $PHONE --verbose
took_new honest
expect_grep "honest: Trust List Updated" "Trust List Updated" "$T_TMP/honest.out"
note honest "honest: --verbose: vouched for by TVS" "vouched for by TVS 127.0.0.1:$TVPORT_honest"
note honest "honest: --verbose: ... as an update" "ITLFile.tlv updated ("
expect_grep "honest: TVS saw the device name (default model 7975)" "device CP-7975-SEP$MAC" "$T_TMP/honest.log"
expect_grep "honest: TVS saw the phone certificate" "client CN=SEP$MAC" "$T_TMP/honest.log"
expect_grep "honest: TVS saw a QUERY" "command 3 session 1001" "$T_TMP/honest.log"
SERIAL=$(openssl x509 -in "$PKI/ccm2.pem" -noout -serial | sed 's/.*=//' | tr 'A-F' 'a-f')
expect_grep "honest: TVS saw ccm2's serial" "serial $SERIAL" "$T_TMP/honest.log"
check "honest: the answer is cached" test -s "$T_TMP/honest/tvs-cache"
cp -r "$T_TMP/honest" "$T_TMP/erased"
check "erase: exits 0" "$PV" erase --state "$T_TMP/erased"
check "erase: the TVS cache goes with the lists" test ! -e "$T_TMP/erased/tvs-cache" \
	-a ! -e "$T_TMP/erased/ITLFile.tlv"

# A wrong TLS certificate: refused, no QUERY sent; then the next server is asked.
phone rogue 1 --tvs "127.0.0.1:$TVPORT_rogue"
kept_old rogue
expect_grep "rogue: the server is refused" "is no TVS record of the held ITL" "$T_TMP/rogue.out"
if grep -q "^device" "$T_TMP/rogue.log"; then not_ok "rogue: no QUERY reached the server"
else ok "rogue: no QUERY reached the server"; fi
phone rogue-then-honest 0 --tvs "127.0.0.1:$TVPORT_rogue" --tvs "127.0.0.1:$TVPORT_honest"
took_new rogue-then-honest
expect_grep "rogue-then-honest: refused first" "refused TVS server 127.0.0.1:$TVPORT_rogue" \
	"$T_TMP/rogue-then-honest.out"

# A stalled server: bounded by --tvs-timeout (and the test's own timeout), then the next.
phone stall 1 --tvs "127.0.0.1:$TVPORT_stall" --tvs-timeout 500
kept_old stall
expect_grep "stall: the deadline is reported" "no reply within the deadline" "$T_TMP/stall.out"
expect_grep "stall: the server got the QUERY" "stalling" "$T_TMP/stall.log"
phone stall-then-honest 0 --tvs "127.0.0.1:$TVPORT_stall" --tvs "127.0.0.1:$TVPORT_honest" \
	--tvs-timeout 500
took_new stall-then-honest

# A server that resets the connection after the handshake: the phone lives on, asks the next.
phone reset-then-honest 0 --tvs "127.0.0.1:$TVPORT_reset" --tvs "127.0.0.1:$TVPORT_honest"
took_new reset-then-honest
expect_grep "reset: the server reset the connection" "resetting" "$T_TMP/reset.log"
expect_grep "reset-then-honest: the failure is named" "TVS server 127.0.0.1:$TVPORT_reset failed" \
	"$T_TMP/reset-then-honest.out"

# Replies that are not answers: another protocol, another session, a cut payload.
for m in garbage session short; do
	phone "$m" 1 --tvs "127.0.0.1:$(eval echo "\$TVPORT_$m")" --tvs-timeout 1000
	kept_old "$m"
done
expect_grep "garbage: a bad header" "bad reply header" "$T_TMP/garbage.out"
expect_grep "session: another session refused" "not a QUERY reply to session 1001" "$T_TMP/session.out"
expect_grep "short: a cut reply" "reply cut short: 500 payload bytes announced" "$T_TMP/short.out"

# Lying, unknown, wrong roles: answers that must not be believed.
phone liar 1 --tvs "127.0.0.1:$TVPORT_liar" --verbose
kept_old liar
note liar "liar: --verbose: refused" "does not verify the file's signature"
note liar "liar: --verbose: ... keeping the held ITL" "; keeping the held one, md5 $OLD"
phone unknown 1 --tvs "127.0.0.1:$TVPORT_unknown" --verbose
kept_old unknown
note unknown "unknown: --verbose: refused" "does not know the certificate"
phone tvsrole 1 --tvs "127.0.0.1:$TVPORT_tvsrole" --verbose
kept_old tvsrole
note tvsrole "tvsrole: --verbose: refused" "roles allow no trust list signer"

# No --tvs: the held ITL's TVS record (127.0.0.1, port 2445) is the server asked.
phone from-itl 1 --tvs-timeout 1000
expect_grep "from-itl: the ITL's TVS address is asked" "127.0.0.1:2445" "$T_TMP/from-itl.out"

# The cache: a phone holding the old ITL and the cached answer needs no server.
rm -rf "$T_TMP/cached"
cp -r "$T_TMP/held" "$T_TMP/cached"
cp "$T_TMP/honest/tvs-cache" "$T_TMP/cached/tvs-cache"
expect_exit "cached: boot exits 0 with every server down" 0 timeout 60 "$PV" boot --mac "$MAC" \
	--tftp "127.0.0.1:$TPORT" --state "$T_TMP/cached" --timeout 300 --tvs "127.0.0.1:$DEAD"
expect_eq "cached: the new ITL installed" "$(md5 "$T_TMP/cached/ITLFile.tlv")" "$NEW"
expect_grep "cached: found at the cache" "cert found at cache - expires in 24 hours" "$T_TMP/last.out"
if grep -q "Connecting to TVS server" "$T_TMP/last.out"; then not_ok "cached: no connection"
else ok "cached: no connection"; fi
printf 'damaged\n' > "$T_TMP/cached/tvs-cache"
cp "$T_TMP/itl-old.tlv" "$T_TMP/cached/ITLFile.tlv"
expect_exit "damaged cache: a warning, then TVS" 0 timeout 60 "$PV" boot --mac "$MAC" \
	--tftp "127.0.0.1:$TPORT" --state "$T_TMP/cached" --timeout 300 --tvs "127.0.0.1:$TVPORT_honest"
expect_grep "damaged cache: named on stderr" "tvs-cache line 1" "$T_TMP/last.err"

# The 88xx console.
# The lines carry the month the phone ran in (a run across midnight at a month's
# end may print either).
MON_BEFORE=$(LC_ALL=C date +%b)
phone c88 0 --tvs "127.0.0.1:$TVPORT_honest" --console 88xx
MON=$(LC_ALL=C date +%b)
grep -qF "INF $MON" "$T_TMP/c88.out" || MON=$MON_BEFORE
for l in "dgetfile(1)-GETXXTP [GT1][src=CTLSEP$MAC.tlv][dest=/tmp/CTLFile.tlv]" \
	"INF $MON" "SECUREAPP-Attempting connect to TVS server addr [127.0.0.1], mode [IPv4]" \
	"SECUREAPP-SSL session setup Cert Verification - Role is = 21" \
	"SECUREAPP-TVS added cert to TVS cache - expires in 24 hours" \
	"SECUREAPP-Hashes match... authentication successful." \
	"SECUREAPP-TL file verified successfully." "SECUREAPP-TL file updated."; do
	expect_grep "88xx: $l" "$l" "$T_TMP/c88.out"
done
if grep -qE 'tlUpdate|tlVerifyTrust|cfgVerify|ctl-suite: ' "$T_TMP/c88.out"; then
	not_ok "88xx: no line a phone never prints without --verbose"; else ok "88xx: no line a phone never prints without --verbose"; fi
if grep -qE '^[0-9]+ (NOT|ERR|INF|DEB|WRN) [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:.]{15} ' "$T_TMP/c88.out" &&
	! grep -qvE '^([0-9]+ (NOT|ERR|INF|DEB|WRN) [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:.]{15} |[0-9:]{8} )' \
	"$T_TMP/c88.out"; then ok "88xx: every line in the 88xx form"
else not_ok "88xx: every line in the 88xx form"; sed 's/^/#   /' "$T_TMP/c88.out" | head; fi

# --json: the TVS facts.
phone json 0 --tvs "127.0.0.1:$TVPORT_honest" --json
expect_grep "json: TVS asked once and vouched" \
	"\"tvs\":{\"asked\":1,\"vouched\":1,\"cached\":0,\"server\":\"127.0.0.1:$TVPORT_honest\",\"ttl\":86400,\"roles\":[0,3],\"error\":null}" \
	"$T_TMP/json.out"
phone json-liar 1 --tvs "127.0.0.1:$TVPORT_liar" --json
expect_grep "json-liar: the TVS error" "\"vouched\":0" "$T_TMP/json-liar.out"
expect_grep "json-liar: the reason" "does not verify the file's signature" "$T_TMP/json-liar.out"

# --model reaches the device name.
: > "$T_TMP/honest.log"
phone model 0 --tvs "127.0.0.1:$TVPORT_honest" --model 7975
expect_grep "model: device name CP-7975" "device CP-7975-SEP$MAC" "$T_TMP/honest.log"
expect_exit "model: 4 digits only" 2 "$PV" boot --mac "$MAC" --tftp "127.0.0.1:$TPORT" --model 88
expect_exit "console: 79xx or 88xx only" 2 "$PV" boot --mac "$MAC" --tftp "127.0.0.1:$TPORT" \
	--console 99xx
for bad in 127.0.0.1:0 127.0.0.1:65536 127.0.0.1: "[::1" "[::1]x" ":2445"; do
	expect_exit "--tvs '$bad' is a usage error" 2 "$PV" boot --mac "$MAC" --tftp "127.0.0.1:$TPORT" \
		--tvs "$bad"
	expect_grep "... named" "--tvs takes HOST, HOST:PORT or [IPV6]:PORT, not '$bad'" "$T_TMP/last.err"
done
# The real ctl-tvsd (tftp-server/ctl-tvsd) with tvs1's key: vouching for ccm2
# (roles SAST and TFTP, as a CUCM TVS answered), then a store without it.
# tvsd NAME CERT-LINE...: ctl-tvsd on 127.0.0.1 port 0 (port in TVSD_PORT).
tvsd() {
	_n=$1
	shift
	_args=""
	for _c in "$@"; do _args="$_args --set cert=$_c"; done
	# shellcheck disable=SC2086
	"$BIN/ctl-tvsd" --listen 127.0.0.1:0 --set "tls_cert=$PKI/tvs1.pem" \
		--set "tls_key=$T_TMP/tvs1.key" $_args >"$T_TMP/$_n.tvsd.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	wait_for 10 grep -q "listening on 127.0.0.1:" "$T_TMP/$_n.tvsd.log" ||
		{ echo "Bail out! ctl-tvsd did not start"; sed 's/^/# /' "$T_TMP/$_n.tvsd.log"; exit 1; }
	TVSD_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$T_TMP/$_n.tvsd.log" | head -1)
}
if [ -x "$BIN/ctl-tvsd" ]; then
	cp "$PKI/tvs1.key" "$T_TMP/tvs1.key"
	chmod 600 "$T_TMP/tvs1.key"
	tvsd knows "sast,tftp:$PKI/ccm2.pem" "sast,tftp:$PKI/ccm1.pem"
	phone ctl-tvsd 0 --tvs "127.0.0.1:$TVSD_PORT" --json
	took_new ctl-tvsd
	expect_grep "ctl-tvsd: vouched with roles SAST and TFTP" \
		"\"vouched\":1,\"cached\":0,\"server\":\"127.0.0.1:$TVSD_PORT\",\"ttl\":86400,\"roles\":[0,3]" \
		"$T_TMP/ctl-tvsd.out"
	tvsd unaware "sast,tftp:$PKI/ccm1.pem"
	phone ctl-tvsd-unaware 1 --tvs "127.0.0.1:$TVSD_PORT" --verbose
	kept_old ctl-tvsd-unaware
	note ctl-tvsd-unaware "ctl-tvsd-unaware: --verbose: refused" "does not know the certificate"
else
	ok "# SKIP ctl-tvsd is not built"
fi
finish
