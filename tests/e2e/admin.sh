#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The admin port (--admin) of ctl-tftpd and ctl-provider, with curl: the
# status page (what is served: md5, signer, every record's expiry, a
# certificate expiring within 60 days marked; the counters), /metrics in
# the Prometheus text format (promtool check metrics), values that move
# after a TFTP download and after a login, and hostile admin clients (a
# head that never ends, a huge head, other methods, path traversal, more
# connections than the cap), each bounded while TFTP goes on serving.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"

need_provider
for t in curl promtool python3 openssl; do
	command -v "$t" >/dev/null || { echo "Bail out! $t missing (scripts/install-deps)"; exit 1; }
done

R=$T_TMP/root
mkdir -p "$R"
# A CCM certificate that expires in 30 days: marked on the page. Its subject
# carries markup, quotes and a backslash: escaped on the page and in the labels.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T_TMP/soon.key" \
	-out "$T_TMP/soon.pem" -days 30 -subj '/O=Example <i>Voice & "Co" \\ x/CN=soon.example.lab' 2>/dev/null ||
	{ echo "Bail out! openssl req failed"; exit 1; }
"$CC_" build --out "$R/CTLFile.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--ccm "$T_TMP/soon.pem,dns=soon.example.lab,ip=192.0.2.99" \
	--sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem" >/dev/null ||
	{ echo "Bail out! ctl-client build failed"; exit 1; }
cp "$SAMPLE" "$R/ITLFile.tlv"
CTLMD5=$(md5 "$R/CTLFile.tlv")
ITLMD5=$(md5 "$R/ITLFile.tlv")
SOON=$(date -u -d "$(openssl x509 -in "$T_TMP/soon.pem" -noout -enddate | cut -d= -f2)" +%s)

LOG=$T_TMP/tftpd.log
start_ctl_tftpd "$LOG" --root "$R" --http 127.0.0.1:0 --admin 127.0.0.1:0
APORT=$(sed -n 's/.*listening on admin 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOG" | head -1)
[ -n "$APORT" ] || { echo "Bail out! no 'listening on admin' line"; sed 's/^/# /' "$LOG"; exit 1; }
ok "ctl-tftpd logs 'listening on admin 127.0.0.1:$APORT'"
A=http://127.0.0.1:$APORT

# get PATH OUT: the body to OUT, the head beside it (OUT with .h added); the status code on stdout.
get() { curl -s -m 10 -D "$2.h" -o "$2" -w '%{http_code}' "$A$1"; }
# metric FILE SAMPLE: the value of one sample line (name and labels as written).
metric() { awk -v k="$2" 'index($0, k " ") == 1 { print $NF }' "$1"; }

expect_eq "GET / answers 200" "$(get / "$T_TMP/p1")" 200
expect_grep "GET /: text/html" "Content-Type: text/html; charset=utf-8" "$T_TMP/p1.h"
expect_grep "page: viewport meta for a phone screen" '<meta name="viewport" content="width=device-width' "$T_TMP/p1"
check "page: no script, no external resource" sh -c "! grep -qiE '<script|src=|href=|@import|url\\(' '$T_TMP/p1'"
expect_grep "page: CTLFile.tlv md5" "<tr><th>MD5</th><td>$CTLMD5</td></tr>" "$T_TMP/p1"
expect_grep "page: ITLFile.tlv md5" "<tr><th>MD5</th><td>$ITLMD5</td></tr>" "$T_TMP/p1"
SASTCN=$(openssl x509 -in "$PKI/sast1.pem" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')
expect_grep "page: CTL signer (sast1)" "<tr><th>Signer</th><td>CN=$SASTCN;" "$T_TMP/p1"
check "page: the certificate expiring in 30 days is marked" \
	grep -qE '<tr class="warn"><td>[0-9]+</td><td>CCM</td><td>[^<]*CN=soon\.example\.lab[^<]*</td><td>[^<]* EXPIRES IN (29|30) DAYS</td>' "$T_TMP/p1"
check "page: a certificate valid for years is not marked" \
	grep -qE '<tr><td>[0-9]+</td><td>CCM\+TFTP</td><td>[^<]*</td><td>2[0-9]{3}-' "$T_TMP/p1"
check "page: the subject's markup escaped, never raw" sh -c "grep -qF '&lt;i&gt;Voice &amp; &quot;Co&quot; \\ x' '$T_TMP/p1' && ! grep -qF '<i>Voice' '$T_TMP/p1'"
expect_eq "page: exactly one record marked" "$(grep -c 'class="warn"' "$T_TMP/p1")" 1
expect_grep "page: transfer counters" "<tr><th>Completed</th><td>0</td><td>0</td></tr>" "$T_TMP/p1"
expect_grep "page: no errors yet" "<p>No errors.</p>" "$T_TMP/p1"

expect_eq "GET /metrics answers 200" "$(get /metrics "$T_TMP/m1")" 200
expect_grep "/metrics: exposition format 0.0.4" "Content-Type: text/plain; version=0.0.4" "$T_TMP/m1.h"
check "promtool check metrics passes (ctl-tftpd)" sh -c "promtool check metrics < '$T_TMP/m1'"
expect_eq "metrics: no TFTP transfer yet" "$(metric "$T_TMP/m1" 'ctltftpd_transfers_total{proto="tftp",result="ok"}')" 0
expect_eq "metrics: expiry timestamp of the 30-day certificate" \
	"$(grep '^ctltftpd_cert_expiry_timestamp_seconds{file="CTLFile.tlv",record="[0-9]*",subject="[^"]*CN=soon.example.lab' "$T_TMP/m1" | awk '{print $NF}')" "$SOON"
check "metrics: the subject's quotes and backslash escaped in the label" \
	grep -qF 'subject="CN=soon.example.lab;O=Example <i>Voice & \"Co\" \\ x"} ' "$T_TMP/m1"
expect_grep "metrics: served CTL with its md5" "ctltftpd_served_file_timestamp_seconds{file=\"CTLFile.tlv\",md5=\"$CTLMD5\"}" "$T_TMP/m1"

# A TFTP download and a miss move the counters.
timeout 10 "$BIN/tftp-get" "127.0.0.1:$TPORT" CTLFile.tlv "$T_TMP/got.tlv" >/dev/null 2>&1
expect_eq "TFTP download of CTLFile.tlv" "$(md5 "$T_TMP/got.tlv")" "$CTLMD5"
timeout 10 "$BIN/tftp-get" "127.0.0.1:$TPORT" nothere.bin "$T_TMP/none" >/dev/null 2>&1
get /metrics "$T_TMP/m2" >/dev/null
expect_eq "metrics: one TFTP transfer ok after the download" "$(metric "$T_TMP/m2" 'ctltftpd_transfers_total{proto="tftp",result="ok"}')" 1
expect_eq "metrics: bytes sent = the CTL's size" "$(metric "$T_TMP/m2" 'ctltftpd_bytes_sent_total{proto="tftp"}')" "$(wc -c < "$R/CTLFile.tlv" | tr -d ' ')"
expect_eq "metrics: the miss counted as a failure by cause" "$(metric "$T_TMP/m2" 'ctltftpd_failures_total{proto="tftp",cause="notfound"}')" 1
check "promtool check metrics passes after traffic" sh -c "promtool check metrics < '$T_TMP/m2'"
get / "$T_TMP/p2" >/dev/null
expect_grep "page: one TFTP transfer completed" "<tr><th>Completed</th><td>1</td><td>0</td></tr>" "$T_TMP/p2"
expect_grep "page: top error cause" "<tr><th>tftp notfound</th><td>1</td></tr>" "$T_TMP/p2"

# The rollout: one phone fetches its CTL and ITL (CTLSEP<MAC>.tlv maps to CTLFile.tlv).
timeout 10 "$BIN/tftp-get" "127.0.0.1:$TPORT" CTLSEP001122334455.tlv "$T_TMP/sep.tlv" >/dev/null 2>&1
timeout 10 "$BIN/tftp-get" "127.0.0.1:$TPORT" ITLSEP001122334455.tlv "$T_TMP/sepi.tlv" >/dev/null 2>&1
expect_eq "the phone got the CTL" "$(md5 "$T_TMP/sep.tlv")" "$CTLMD5"
get /metrics "$T_TMP/m3" >/dev/null
expect_eq "metrics: one phone on the current CTL" \
	"$(metric "$T_TMP/m3" "ctltftpd_phones{kind=\"ctl\",md5=\"$CTLMD5\",current=\"1\"}")" 1
expect_eq "metrics: one phone on the current ITL" \
	"$(metric "$T_TMP/m3" "ctltftpd_phones{kind=\"itl\",md5=\"$ITLMD5\",current=\"1\"}")" 1
check "promtool check metrics passes with the rollout" sh -c "promtool check metrics < '$T_TMP/m3'"
get / "$T_TMP/p3" >/dev/null
expect_grep "page: rollout counts (CTL: 1 device, 1 current)" "<tr><th>CTL</th><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">0</td></tr>" "$T_TMP/p3"
expect_grep "page: the current CTL version with its phone count" "<tr><td>$CTLMD5 (current)</td><td class=\"n\">1</td>" "$T_TMP/p3"

# --- hostile admin clients ------------------------------------------------------------
code() { curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "POST: 405" "$(code -X POST "$A/")" 405
case "$(code -X POST -d x "$A/")" in 400|405) ok "POST with a body: refused (400 or 405)" ;; *) not_ok "POST with a body: refused" ;; esac
expect_eq "DELETE: 405" "$(code -X DELETE "$A/metrics")" 405
expect_eq "PUT: 405" "$(code -X PUT "$A/")" 405
curl -s -m 10 -I "$A/" >"$T_TMP/head.h"
expect_grep "HEAD: the head of GET" "Content-Type: text/html" "$T_TMP/head.h"
expect_eq "path traversal: 404" "$(code --path-as-is "$A/../../etc/passwd")" 404
expect_eq "encoded traversal: 404" "$(code "$A/%2e%2e/%2e%2e/etc/passwd")" 404
expect_eq "a served file's name is not served here: 404" "$(code "$A/CTLFile.tlv")" 404
expect_eq "query string ignored: /metrics?x=1 is /metrics" "$(code "$A/metrics?x=1")" 200

# raw HOW: one connection; prints the status line or "closed" when the server closed it.
raw() {
	python3 - "$APORT" "$1" <<'PY'
import socket, sys
port, how = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
try:
    if how == "slow":
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")      # never the blank line
    elif how == "huge":
        s.sendall(b"GET / HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 20000 + b"\r\n\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    print(data.split(b"\r\n")[0].decode() if data else "closed")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("still open")
PY
}
expect_eq "a head that never ends is closed by the server" "$(raw slow)" closed
expect_grep "the slow head is logged" "request head not in time; closed" "$LOG"
case "$(raw huge)" in
"HTTP/1.1 431 "*|reset) ok "a 20 KB head is refused (431 or reset), not buffered" ;;
*) not_ok "a 20 KB head is refused (431 or reset)" ;;
esac

# More idle connections than the cap: the extra ones are refused, TFTP still serves,
# and once the idle ones time out the page answers again.
python3 - "$APORT" <<'PY' &
import socket, sys, time
conns = []
for _ in range(24):
    try:
        conns.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5))
    except OSError:
        pass
time.sleep(3)
PY
HOLD=$!
sleep 1
timeout 10 "$BIN/tftp-get" "127.0.0.1:$TPORT" ITLFile.tlv "$T_TMP/got2.tlv" >/dev/null 2>&1
expect_eq "TFTP serves while the admin port is full" "$(md5 "$T_TMP/got2.tlv")" "$ITLMD5"
wait "$HOLD"
check "connections over the cap refused and logged" grep -q "admin: 127.0.0.1:[0-9]* refused: 16 connections open" "$LOG"
check "the page answers again afterwards" wait_for 15 sh -c "[ \"\$(curl -s -m 5 -o /dev/null -w '%{http_code}' '$A/')\" = 200 ]"
check "ctl-tftpd still running" kill -0 "$TFTPD_PID"

# --- command line ------------------------------------------------------------------------
expect_exit "--admin without a port: exit 1 with the reason" 1 "$BIN/ctl-tftpd" --listen 127.0.0.1:0 --root "$R" --admin nohost
expect_grep "--admin error names the value" "--admin: expected ADDR:PORT (numeric), got 'nohost'" "$T_TMP/last.err"

# --- ctl-provider -------------------------------------------------------------------------
N=$T_TMP/node
make_node "$N"
cp "$R/CTLFile.tlv" "$N/root/CTLFile.tlv"
start_provider "$N" --admin 127.0.0.1:0
PAPORT=$(sed -n 's/.*listening on admin 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$N/log" | head -1)
[ -n "$PAPORT" ] || { echo "Bail out! ctl-provider: no 'listening on admin' line"; sed 's/^/# /' "$N/log"; exit 1; }
ok "ctl-provider logs 'listening on admin 127.0.0.1:$PAPORT'"
# The service port: start_provider reads the last "listening on" line, here the admin one.
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$N/log" | tail -1)
P="$PT --connect 127.0.0.1:$PORT --password secret"
A=http://127.0.0.1:$PAPORT
expect_eq "provider GET / answers 200" "$(get / "$T_TMP/q1")" 200
expect_grep "provider page: node name" "<tr><th>Node</th><td>cucm-pub.example.lab</td></tr>" "$T_TMP/q1"
expect_grep "provider page: security mode" "<tr><th>Security mode</th><td>non-secure (0)</td></tr>" "$T_TMP/q1"
expect_grep "provider page: installed CTL md5" "<tr><th>MD5</th><td>$CTLMD5</td></tr>" "$T_TMP/q1"
expect_grep "provider page: no logins yet" "<p>No logins yet.</p>" "$T_TMP/q1"
get /metrics "$T_TMP/n1" >/dev/null
check "promtool check metrics passes (ctl-provider)" sh -c "promtool check metrics < '$T_TMP/n1'"
expect_eq "provider metrics: no login yet" "$(metric "$T_TMP/n1" 'ctlprovider_logins_total{result="ok"}')" 0

expect_exit "a login (GET_INFO)" 0 $P info
expect_exit "a failed login" 1 "$PT" --connect "127.0.0.1:$PORT" --password wrong info
make_ctls "$T_TMP/ctls"
expect_exit "an upload (PUT_CTL)" 0 $P put-ctl "$T_TMP/ctls/a.tlv"
get /metrics "$T_TMP/n2" >/dev/null
expect_eq "provider metrics: logins ok after the logins" "$(metric "$T_TMP/n2" 'ctlprovider_logins_total{result="ok"}')" 2
expect_eq "provider metrics: one failed login" "$(metric "$T_TMP/n2" 'ctlprovider_logins_total{result="failed"}')" 1
expect_eq "provider metrics: one upload" "$(metric "$T_TMP/n2" 'ctlprovider_uploads_total{result="ok"}')" 1
check "promtool check metrics passes after logins (ctl-provider)" sh -c "promtool check metrics < '$T_TMP/n2'"
get / "$T_TMP/q2" >/dev/null
check "provider page: the ok login (address, user, result)" grep -qE '<tr><td>[0-9-]+ [0-9:]+ UTC</td><td>127\.0\.0\.1</td><td>admin</td><td>ok</td></tr>' "$T_TMP/q2"
check "provider page: the failed login marked" grep -qE '<tr class="warn"><td>[0-9-]+ [0-9:]+ UTC</td><td>127\.0\.0\.1</td><td>admin</td><td>failed</td></tr>' "$T_TMP/q2"
expect_grep "provider page: the upload with its md5" "<td>installed</td><td>$(md5 "$T_TMP/ctls/a.tlv")</td>" "$T_TMP/q2"
expect_grep "provider page: the new CTL installed" "<tr><th>MD5</th><td>$(md5 "$T_TMP/ctls/a.tlv")</td></tr>" "$T_TMP/q2"
expect_eq "provider: POST 405" "$(code -X POST "$A/")" 405
expect_eq "provider: traversal 404" "$(code --path-as-is "$A/../node.conf")" 404
stop_provider
expect_grep "provider stops cleanly with the admin port" "stopped" "$N/log"
N2=$T_TMP/node2
make_node "$N2" "admin=127.0.0.1:0"
start_provider "$N2"
check "node.conf 'admin = 127.0.0.1:0' opens the admin port" grep -q "listening on admin 127\.0\.0\.1:[0-9]" "$N2/log"
stop_provider
finish
