#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# An 88xx-family phone's HTTP-first fetch (phone-verifier --http-port)
# against ctl-tftpd serving the same root over TFTP and HTTP: CTL, ITL and
# signed configuration come over HTTP byte-exact (the server's log and
# counters say so, TFTP is not asked); with the HTTP port closed the phone
# falls back to TFTP and still takes the trust list; a 79xx ignores
# --http-port; the three files come on one HTTP/1.1 keep-alive connection;
# python3's http.server (a server nobody here wrote, HTTP/1.0) serves it
# too. A hostile HTTP server (stalls, Content-Length too long or too short,
# 16 MiB, no Content-Length, garbage, a cut body, an oversized head, 503)
# never gets its bytes taken: the phone falls back to TFTP within the
# deadline and holds the TFTP server's CTL. A 1,000-phone fleet over HTTP
# ends with every phone holding the server's CTL and ITL.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/phone.sh"
MAC=0011215A1AE3
R=$T_TMP/root
F=$T_TMP/files
mkdir -p "$R" "$F"
size() { wc -c < "$1" | tr -d ' '; }
nolines() { # DESC PATTERN FILE: passes when FILE has no line with PATTERN
	if grep -qF -- "$2" "$3"; then not_ok "$1"; grep -F -- "$2" "$3" | head -3 | sed 's/^/#   /'
	else ok "$1"; fi
}

cluster_ctl "$F/ctl1.tlv" sast1 1700000000 >/dev/null
cluster_ctl "$F/ctl2.tlv" sast2 1700000100 >/dev/null
cluster_itl "$F/itl.tlv" >/dev/null
printf '<device><deviceProtocol>SIP</deviceProtocol></device>\n' > "$F/SEP$MAC.cnf.xml"
"$CC" sign-file --cert "$PKI/ccm1.pem" --key "$PKI/ccm1.key" "$F/SEP$MAC.cnf.xml" >/dev/null
cp "$F/ctl1.tlv" "$R/CTLFile.tlv"
cp "$F/itl.tlv" "$R/ITLFile.tlv"
cp "$F/SEP$MAC.cnf.xml.sgn" "$R/"
chmod -R a+rX "$R"

LOG=$T_TMP/server.log
start_ctl_tftpd "$LOG" --root "$R" --no-inotify --http 127.0.0.1:0 --http-source-conns 4096
http_port() { sed -n 's/.*listening on http 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$LOG" | head -1; }
wait_for 10 sh -c "grep -q 'listening on http' '$LOG'" || {
	echo "Bail out! ctl-tftpd did not listen on http"; exit 1; }
HP=$(http_port)
boot88() { # STATE [options]: an 8861
	st=$1; shift
	timeout 60 "$PV" boot --mac "$MAC" --tftp "127.0.0.1:$TPORT" --state "$st" --model 8861 "$@"
}
rrqs() { grep -c 'Read Request from' "$LOG"; }
gets() { grep -c 'HTTP GET\[' "$LOG"; }

# 1. HTTP up: the three files over HTTP, nothing over TFTP.
S=$T_TMP/p1
r0=$(rrqs)
expect_exit "8861 with --http-port: trust on first use (exit 0)" 0 boot88 "$S" --http-port "$HP"
O=$T_TMP/last.out
cp "$O" "$T_TMP/http-up.out"
expect_grep "console: HTTP GET of the CTL" "HTTP GET http://127.0.0.1:$HP/CTLSEP$MAC.tlv" "$O"
expect_grep "console: the CTL came with 200, all its bytes" \
	"HTTP GET /CTLSEP$MAC.tlv complete - status = 200, rcvd $(size "$F/ctl1.tlv") bytes" "$O"
expect_grep "console: the ITL came with 200" \
	"HTTP GET /ITLSEP$MAC.tlv complete - status = 200, rcvd $(size "$F/itl.tlv") bytes" "$O"
expect_grep "console: the signed config came with 200" \
	"HTTP GET /SEP$MAC.cnf.xml.sgn complete - status = 200, rcvd $(size "$F/SEP$MAC.cnf.xml.sgn") bytes" "$O"
expect_grep "console: CONSOLE's per-file line is still there" \
	"GETXXTP [GT1][src=CTLSEP$MAC.tlv][dest=/tmp/CTLFile.tlv]" "$O"
nolines "console: no fallback when HTTP answers" "HTTP fallback" "$O"
check "stored CTL = the server's (byte-exact)" cmp "$S/CTLFile.tlv" "$R/CTLFile.tlv"
check "stored ITL = the server's (byte-exact)" cmp "$S/ITLFile.tlv" "$R/ITLFile.tlv"
check "stored config = the signed payload" cmp "$S/SEP$MAC.cnf.xml" "$F/SEP$MAC.cnf.xml"
expect_eq "server: no TFTP request for an HTTP phone" "$(rrqs)" "$r0"
expect_grep "server log: the CTL served over HTTP" "HTTP GET[/CTLSEP$MAC.tlv] from 127.0.0.1:" "$LOG"
expect_grep "server log: the ITL served over HTTP" "HTTP GET[/ITLSEP$MAC.tlv] from 127.0.0.1:" "$LOG"
expect_grep "server log: the config served over HTTP" "HTTP GET[/SEP$MAC.cnf.xml.sgn] from 127.0.0.1:" "$LOG"
# HTTP/1.1 keep-alive: the three files came on one connection (one client port).
expect_eq "server log: CTL, ITL and config asked on one connection (one source port)" \
	"$(grep -o "HTTP GET\[/[A-Z]*SEP$MAC[.a-z]*\] from 127\.0\.0\.1:[0-9]*" "$LOG" | sed 's/.*://' | sort -u | wc -l | tr -d ' ')" 1
expect_eq "server log: three requests on it" "$(grep -c "HTTP GET\[/[A-Z]*SEP$MAC" "$LOG")" 3
expect_exit "--json with --http-port" 0 boot88 "$T_TMP/p1j" --http-port "$HP" --json
expect_grep "--json: the CTL's md5" "\"ctl_md5\":\"$(md5 "$R/CTLFile.tlv")\"" "$T_TMP/last.out"

# 2. HTTP down (port closed): TFTP after the refusal, same trust list.
CLOSED=$(free_port)
S=$T_TMP/p2
expect_exit "HTTP port closed: falls back, trust on first use (exit 0)" 0 boot88 "$S" --http-port "$CLOSED"
O=$T_TMP/last.out
expect_grep "console: the refusal" "HTTP GET /CTLSEP$MAC.tlv failed - connect to 127.0.0.1:$CLOSED: Connection refused" "$O"
expect_grep "console: the fallback" "HTTP fallback - GETXXTP [src=CTLSEP$MAC.tlv] over TFTP" "$O"
check "fallback: stored CTL = the server's" cmp "$S/CTLFile.tlv" "$R/CTLFile.tlv"
check "fallback: stored ITL = the server's" cmp "$S/ITLFile.tlv" "$R/ITLFile.tlv"
expect_grep "server: the CTL asked over TFTP" "for[CTLSEP$MAC.tlv] mode[octet]" "$LOG"

# 3. A 79xx ignores --http-port (real 79xx phones know TFTP only).
g0=$(gets)
expect_exit "7975 with --http-port: TFTP only (exit 0)" 0 \
	timeout 60 "$PV" boot --mac "$MAC" --tftp "127.0.0.1:$TPORT" --state "$T_TMP/p3" --model 7975 --http-port "$HP"
nolines "79xx console: no HTTP line" "HTTP" "$T_TMP/last.out"
expect_eq "server: no HTTP request from a 79xx" "$(gets)" "$g0"
check "79xx: stored CTL = the server's" cmp "$T_TMP/p3/CTLFile.tlv" "$R/CTLFile.tlv"
expect_exit "--http-port 0 is a usage error" 2 boot88 "$T_TMP/p3b" --http-port 0
expect_exit "--http-port 65536 is a usage error" 2 boot88 "$T_TMP/p3b" --http-port 65536

# 4. python3's http.server: a server nobody here wrote (no CTLSEP mapping: copies).
P=$T_TMP/pyroot
mkdir -p "$P"
cp "$R/CTLFile.tlv" "$P/CTLSEP$MAC.tlv"
cp "$R/ITLFile.tlv" "$P/ITLSEP$MAC.tlv"
cp "$R/SEP$MAC.cnf.xml.sgn" "$P/"
python3 -u -m http.server --bind 127.0.0.1 0 --directory "$P" >"$T_TMP/py.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 sh -c "grep -q 'Serving HTTP on' '$T_TMP/py.log'" || not_ok "python3 -m http.server started"
PYP=$(sed -n 's/.*Serving HTTP on 127\.0\.0\.1 port \([0-9][0-9]*\).*/\1/p' "$T_TMP/py.log" | head -1)
r0=$(rrqs)
expect_exit "http.server: trust on first use over HTTP (exit 0)" 0 boot88 "$T_TMP/p4" --http-port "${PYP:-1}"
expect_grep "http.server: the CTL came with 200" \
	"HTTP GET /CTLSEP$MAC.tlv complete - status = 200, rcvd $(size "$F/ctl1.tlv") bytes" "$T_TMP/last.out"
check "http.server: stored CTL byte-exact" cmp "$T_TMP/p4/CTLFile.tlv" "$R/CTLFile.tlv"
check "http.server: stored config byte-exact" cmp "$T_TMP/p4/SEP$MAC.cnf.xml" "$F/SEP$MAC.cnf.xml"
expect_eq "http.server: no TFTP request" "$(rrqs)" "$r0"
expect_grep "http.server log: GET of the CTL answered 200" "\"GET /CTLSEP$MAC.tlv HTTP/1.1\" 200" "$T_TMP/py.log"

# 5. A hostile HTTP server: it serves ctl2.tlv (a valid CTL the phone would
# trust on first use), so a phone that took its bytes would hold ctl2's md5.
cat > "$T_TMP/hostile.py" <<'PY'
import os, socketserver, sys, time
body = open(sys.argv[1], "rb").read()
modefile = sys.argv[2]
BIG = 16 * 1024 * 1024
class H(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            d = s.recv(4096)
            if not d:
                return
            head += d
        mode = open(modefile).read().strip()
        ok = b"HTTP/1.1 200 OK\r\n"
        try:
            if mode == "stall":
                s.sendall(ok + b"Content-Length: %d\r\n\r\n" % len(body))
                time.sleep(30)
            elif mode == "cl_long":
                s.sendall(ok + b"Content-Length: %d\r\n\r\n" % (len(body) + 100) + body)
            elif mode == "cl_short":
                s.sendall(ok + b"Content-Length: %d\r\n\r\n" % (len(body) - 100) + body)
                time.sleep(1)
            elif mode == "huge":
                s.sendall(ok + b"Content-Length: %d\r\n\r\n" % (BIG + 1))
                s.sendall(b"\0" * (BIG + 1))
            elif mode == "stream":
                s.sendall(ok + b"Connection: close\r\n\r\n")
                s.sendall(b"\0" * (BIG + 1024))
            elif mode == "garbage":
                s.sendall(b"HTTQ/9.9 200 what\r\n\r\n" + body)
            elif mode == "midbody":
                s.sendall(ok + b"Content-Length: %d\r\n\r\n" % len(body) + body[:len(body) // 2])
            elif mode == "bighead":
                s.sendall(ok + b"X-Pad: " + b"a" * 9000 + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            elif mode == "e503":
                s.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            pass
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
srv = S(("127.0.0.1", 0), H)
print("port %d" % srv.server_address[1], flush=True)
srv.serve_forever()
PY
echo stall > "$T_TMP/mode"
python3 -u "$T_TMP/hostile.py" "$F/ctl2.tlv" "$T_TMP/mode" >"$T_TMP/hostile.log" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 sh -c "grep -q '^port ' '$T_TMP/hostile.log'" || not_ok "hostile server started"
XP=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$T_TMP/hostile.log" | head -1)
N2=$(size "$F/ctl2.tlv")
hostile() { # MODE REASON
	echo "$1" > "$T_TMP/mode"
	expect_exit "hostile $1: the phone ends well over TFTP (exit 0)" 0 \
		boot88 "$T_TMP/h-$1" --http-port "${XP:-1}" --timeout 300 --retries 1
	cp "$T_TMP/last.out" "$T_TMP/h-$1.out"
	expect_grep "hostile $1: says why ($2)" "HTTP GET /CTLSEP$MAC.tlv failed - $2" "$T_TMP/h-$1.out"
	expect_grep "hostile $1: falls back to TFTP" "HTTP fallback - GETXXTP [src=CTLSEP$MAC.tlv] over TFTP" "$T_TMP/h-$1.out"
	nolines "hostile $1: no HTTP file taken" "status = 200" "$T_TMP/h-$1.out"
	check "hostile $1: holds the TFTP server's CTL, not the HTTP bytes" cmp "$T_TMP/h-$1/CTLFile.tlv" "$R/CTLFile.tlv"
}
hostile stall "no complete answer within 600 ms"
hostile cl_long "connection closed after $N2 of $((N2 + 100)) bytes"
hostile cl_short "more bytes than Content-Length"
hostile huge "Content-Length 16777217 over the 16777216-byte limit"
hostile stream "no Content-Length"
hostile garbage "HTTP response head, byte 0: the status line does not start with HTTP/1."
hostile midbody "connection closed after"
hostile bighead "HTTP response head longer than 8192 bytes"
hostile e503 "HTTP status 503"

# 6. A 1,000-phone fleet over HTTP: every phone holds the CTL and the ITL,
# the server served 2,000 of them over HTTP and none of them over TFTP.
status_ok() { # the HTTP "ok" counter of the server's latest status line
	sed -n 's/.*http: .* ok \([0-9][0-9]*\) .*/\1/p' "$LOG" | tail -1
}
kill -USR1 "$TFTPD_PID"
wait_for 10 sh -c "grep -q 'http: conns' '$LOG'"
ok0=$(status_ok)
n0=$(grep -c 'Status:' "$LOG")
expect_exit "fleet of 1000 8861s over HTTP (exit 0)" 0 timeout 300 "$PV" fleet --count 1000 \
	--tftp "127.0.0.1:$TPORT" --model 8861 --http-port "$HP" --concurrency 64 --no-progress --json
J=$T_TMP/last.out
expect_grep "fleet: 1000 phones hold the server's CTL" '"ctl_md5_phones":1000,' "$J"
expect_grep "fleet: 1000 phones hold the server's CTL and ITL" '"server_md5_phones":1000,' "$J"
expect_grep "fleet: the server's CTL md5" "\"server_ctl_md5\":\"$(md5 "$R/CTLFile.tlv")\"" "$J"
kill -USR1 "$TFTPD_PID"
wait_for 10 sh -c "[ \$(grep -c 'Status:' '$LOG') -gt $n0 ]"
expect_eq "server: 2000 files more served over HTTP (CTL and ITL per phone)" "$(( $(status_ok) - ok0 ))" 2000
expect_eq "server: no fleet phone asked the CTL over TFTP" "$(grep -c 'for\[CTLSEP0C0FFE' "$LOG")" 0

# 7. Phones with addresses of their own (--source-range) connect from them.
expect_exit "fleet of 100 8861s from 127.1.0.0/16 over HTTP (exit 0)" 0 timeout 300 "$PV" fleet \
	--count 100 --tftp "127.0.0.1:$TPORT" --model 8861 --http-port "$HP" --mac-prefix 0D0FFE \
	--source-range 127.1.0.0/16 --no-progress --json
expect_grep "source-range fleet: 100 phones hold the CTL and ITL" '"server_md5_phones":100,' "$T_TMP/last.out"
expect_eq "server: the CTL asked over HTTP from 100 addresses of 127.1.0.0/16" \
	"$(grep -o 'HTTP GET\[/CTLSEP0D0FFE[0-9A-F]*\.tlv\] from 127\.1\.[0-9.]*' "$LOG" | sed 's/.* from //' | sort -u | wc -l | tr -d ' ')" 100

# 8. IPv6: the same over [::1].
"$BIN/ctl-tftpd" --listen '[::1]:0' --http '[::1]:0' --root "$R" --no-inotify >"$T_TMP/v6.log" 2>&1 &
T_PIDS="$T_PIDS $!"
if wait_for 10 sh -c "grep -q 'listening on http' '$T_TMP/v6.log'"; then
	V6T=$(sed -n 's/.*Listening on \[::1\]:\([0-9][0-9]*\),.*/\1/p' "$T_TMP/v6.log" | head -1)
	V6H=$(sed -n 's/.*listening on http \[::1\]:\([0-9][0-9]*\).*/\1/p' "$T_TMP/v6.log" | head -1)
	expect_exit "IPv6: 8861 over HTTP on [::1] (exit 0)" 0 timeout 60 "$PV" boot --mac "$MAC" \
		--tftp "[::1]:$V6T" --state "$T_TMP/p6" --model 8861 --http-port "$V6H"
	expect_grep "IPv6: the GET names [::1]" "HTTP GET http://[::1]:$V6H/CTLSEP$MAC.tlv" "$T_TMP/last.out"
	expect_grep "IPv6: the CTL came with 200" "HTTP GET /CTLSEP$MAC.tlv complete - status = 200" "$T_TMP/last.out"
	check "IPv6: stored CTL byte-exact" cmp "$T_TMP/p6/CTLFile.tlv" "$R/CTLFile.tlv"
else
	not_ok "ctl-tftpd on [::1] with --http"; sed 's/^/#   /' "$T_TMP/v6.log" | tail -5
fi

# 9. An HTTP side that turns phones away (4 connections per address, 503):
# the phones turned away take the same files over TFTP, none is lost.
L9=$T_TMP/busy.log
"$BIN/ctl-tftpd" --listen 127.0.0.1:0 --http 127.0.0.1:0 --http-source-conns 4 --root "$R" \
	--no-inotify >"$L9" 2>&1 &
B9=$!
T_PIDS="$T_PIDS $B9"
if wait_for 10 sh -c "grep -q 'listening on http' '$L9'"; then
	T9=$(sed -n 's/.*Listening on 127\.0\.0\.1:\([0-9][0-9]*\),.*/\1/p' "$L9" | head -1)
	H9=$(sed -n 's/.*listening on http 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$L9" | head -1)
	expect_exit "fleet of 200 8861s against an HTTP side capped at 4 connections (exit 0)" 0 \
		timeout 300 "$PV" fleet --count 200 --tftp "127.0.0.1:$T9" --model 8861 --http-port "$H9" \
		--concurrency 64 --mac-prefix 0E0FFE --no-progress --json
	expect_grep "capped HTTP: 200 phones hold the CTL and ITL" '"server_md5_phones":200,' "$T_TMP/last.out"
	kill -USR1 "$B9"
	wait_for 10 sh -c "grep -q 'http: conns' '$L9'"
	busy=$(sed -n 's/.*http: .* busy \([0-9][0-9]*\) .*/\1/p' "$L9" | tail -1)
	if [ "${busy:-0}" -gt 0 ]; then ok "capped HTTP: the server turned phones away ($busy x 503)"
	else not_ok "capped HTTP: the server turned phones away (busy '${busy:-}')"; fi
	expect_grep "capped HTTP: a phone turned away asked the CTL over TFTP" "for[CTLSEP0E0FFE" "$L9"
else
	not_ok "ctl-tftpd with --http-source-conns 4"; sed 's/^/#   /' "$L9" | tail -5
fi

finish
