#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd --http with real clients, curl and wget: the same files as over
# TFTP (md5 against the files and against a TFTP download of the same name),
# the CTLSEP/ITLSEP mapping, HEAD, keep-alive (two URLs in one curl call on
# one connection), HTTP/1.0, 404, 403 for ../ (plain and percent-encoded),
# directories and dot files, 405 with Allow, IPv6, the HTTP counters on the
# status line, the privilege drop (bound as root, served as nobody in a
# chroot), and the command line.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R/firmware"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"
head -c 4321 /dev/urandom > "$R/CTLSEP00AABBCCDDEE.tlv"
: > "$R/ITLSEP0011223344FF.tlv"                       # empty per-device file: never served
printf '<device><name>SEP00AABBCCDDEE</name></device>\n' > "$R/SEP00AABBCCDDEE.cnf.xml"
head -c 3000 /dev/urandom > "$R/firmware/load.bin"
head -c 3000000 /dev/urandom > "$R/big.bin"           # many partial writes
printf 'secret\n' > "$R/.hidden"
chmod -R a+rX "$R"

md5() { md5sum < "$1" | cut -d' ' -f1; }
same() { [ -s "$2" ] && [ "$(md5 "$1")" = "$(md5 "$2")" ]; }

LOG=$T_TMP/server.log
start_ctl_tftpd "$LOG" --http 127.0.0.1:0 --http '[::1]:0' --root "$R"
HPORT=$(sed -n 's/.*listening on http 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOG" | head -1)
HPORT6=$(sed -n 's/.*listening on http \[::1\]:\([0-9][0-9]*\)$/\1/p' "$LOG" | head -1)
[ -n "$HPORT" ] && [ -n "$HPORT6" ] || { echo "Bail out! no 'listening on http' lines"; cat "$LOG"; exit 1; }
ok "ctl-tftpd logs 'listening on http 127.0.0.1:$HPORT' and '[::1]:$HPORT6'"
U=http://127.0.0.1:$HPORT
O=$T_TMP/out
mkdir -p "$O"

# code URL [curl args]: the status code curl got.
code() { u=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$u"; }

# --- curl ------------------------------------------------------------------------------
curl -s -f -o "$O/1" "$U/CTLSEP001122334455.tlv"
check "curl GET CTLSEP<MAC>.tlv without per-device file = CTLFile.tlv (md5)" same "$R/CTLFile.tlv" "$O/1"
curl -s -f -o "$O/2" "$U/ITLSEP001122334455.tlv"
check "curl GET ITLSEP<MAC>.tlv = ITLFile.tlv (md5)" same "$R/ITLFile.tlv" "$O/2"
curl -s -f -o "$O/3" "$U/ctlsep00aabbccddee.TLV"
check "lower-case CTLSEP name maps to the per-device file" same "$R/CTLSEP00AABBCCDDEE.tlv" "$O/3"
curl -s -f -o "$O/4" "$U/ITLSEP0011223344FF.tlv"
check "an empty per-device ITL is never served: the cluster ITLFile.tlv instead" same "$R/ITLFile.tlv" "$O/4"
curl -s -f -o "$O/5" "$U/firmware/load.bin"
check "file in a subdirectory" same "$R/firmware/load.bin" "$O/5"
curl -s -f -o "$O/6" "$U/big.bin"
check "3 MB file byte-exact over HTTP" same "$R/big.bin" "$O/6"
tftp 127.0.0.1 "$TPORT" -m binary -c get CTLSEP001122334455.tlv "$O/t1"
check "TFTP and HTTP give the same bytes for the same name" same "$O/1" "$O/t1"

curl -s -D "$O/h7" -o "$O/7" "$U/CTLSEP001122334455.tlv"
expect_grep "200 has Content-Length of the file" "Content-Length: 5000" "$O/h7"
expect_grep "200 has Content-Type application/octet-stream" "Content-Type: application/octet-stream" "$O/h7"

# HEAD: the head of a GET, no body.
curl -s -I -o "$O/h8" "$U/ITLSEP001122334455.tlv"
expect_grep "HEAD answered 200" "HTTP/1.1 200 OK" "$O/h8"
expect_grep "HEAD carries the file's Content-Length" "Content-Length: 5120" "$O/h8"
# Raw: every byte until the server closes must be the head alone.
head_tail() {
	python3 - "$HPORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"HEAD /ITLSEP001122334455.tlv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
d = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    d += c
print(len(d) - (d.find(b"\r\n\r\n") + 4))
PY
}
expect_eq "HEAD has no body (bytes after the head until close)" "$(head_tail)" 0

# Keep-alive: two URLs in one curl call go over one connection.
curl -s -v -o "$O/9a" "$U/CTLSEP001122334455.tlv" -o "$O/9b" "$U/SEP00AABBCCDDEE.cnf.xml" 2> "$O/9.err"
check "keep-alive: first file of two in one curl call" same "$R/CTLFile.tlv" "$O/9a"
check "keep-alive: second file of two in one curl call" same "$R/SEP00AABBCCDDEE.cnf.xml" "$O/9b"
expect_grep "keep-alive: curl reused the connection" "Re-using existing connection" "$O/9.err"
expect_eq "keep-alive: one connection for both" "$(grep -c 'Connected to' "$O/9.err")" 1

# HTTP/1.0: answered, then closed.
curl -s -0 -v -o "$O/10" "$U/CTLSEP001122334455.tlv" 2> "$O/10.err"
check "HTTP/1.0 GET served" same "$R/CTLFile.tlv" "$O/10"
expect_grep "HTTP/1.0 answer says Connection: close" "Connection: close" "$O/10.err"

# Refusals.
expect_eq "missing file: 404" "$(code "$U/SEP001122334455.cnf.xml")" 404
expect_eq "directory: 403, no listing" "$(code "$U/firmware")" 403
expect_eq "directory with a slash: 403" "$(code "$U/firmware/")" 403
expect_eq "root /: 403 (empty name), no listing" "$(code "$U/")" 403
expect_eq "dot file: 403" "$(code "$U/.hidden")" 403
expect_eq "../ traversal: 403" "$(code "$U/../etc/passwd" --path-as-is)" 403
expect_eq "%2e%2e/ traversal (decoded, then refused): 403" "$(code "$U/%2e%2e/%2e%2e/etc/passwd" --path-as-is)" 403
expect_eq "%2E%2E%2F traversal: 403" "$(code "$U/firmware%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd" --path-as-is)" 403
expect_eq "%00 in the path: 400" "$(code "$U/CTLFile.tlv%00.png")" 400
expect_eq "bad escape %zz: 400" "$(code "$U/CTL%zzFile.tlv")" 400
expect_eq "percent-encoded name is the name: 200" "$(code "$U/%43TLFile.tlv")" 200
curl -s -D "$O/h11" -o /dev/null -X POST "$U/CTLFile.tlv"
expect_grep "POST: 405" "HTTP/1.1 405 Method Not Allowed" "$O/h11"
expect_grep "405 names the allowed methods" "Allow: GET, HEAD" "$O/h11"
grep -q "secret" "$O"/* 2>/dev/null && not_ok "no answer carried the dot file" || ok "no answer carried the dot file"

# --- wget ------------------------------------------------------------------------------
wget -q -O "$O/w1" "$U/CTLSEP00AABBCCDDEE.tlv"
check "wget GET per-device CTLSEP file (md5)" same "$R/CTLSEP00AABBCCDDEE.tlv" "$O/w1"
wget -q -O "$O/w2" "$U/ITLSEP00AABBCCDDEE.tlv"
check "wget GET ITLSEP<MAC>.tlv = ITLFile.tlv (md5)" same "$R/ITLFile.tlv" "$O/w2"
wget -q -O "$O/w3" "$U/big.bin"
check "wget 3 MB file byte-exact" same "$R/big.bin" "$O/w3"
expect_exit "wget of a missing file exits 8 (server error response)" 8 wget -q -O "$O/w4" "$U/nothere.bin"
expect_exit "wget of %2e%2e/ traversal refused (exit 8)" 8 wget -q -O "$O/w5" "$U/%2e%2e/%2e%2e/etc/passwd"
wget -q -O "$O/w6" "http://[::1]:$HPORT6/ITLSEP001122334455.tlv"
check "wget over IPv6 [::1]" same "$R/ITLFile.tlv" "$O/w6"

# --- the same cache: a file replaced by rename is served new over both protocols ------
head -c 4000 /dev/urandom > "$T_TMP/newctl"
chmod 644 "$T_TMP/newctl"
cp "$R/CTLFile.tlv" "$O/oldctl"
mv "$T_TMP/newctl" "$R/CTLFile.tlv"
fresh() { curl -s -f -o "$O/c1" "$U/CTLSEP001122334455.tlv" && same "$R/CTLFile.tlv" "$O/c1"; }
if wait_for 10 fresh; then ok "after a rename into the root, HTTP serves the new CTLFile.tlv"; else
	not_ok "HTTP still serves the old CTLFile.tlv after a rename"; fi
tftp 127.0.0.1 "$TPORT" -m binary -c get CTLSEP001122334455.tlv "$O/c2"
check "and TFTP the same new bytes" same "$R/CTLFile.tlv" "$O/c2"

# --- the log and the counters ---------------------------------------------------------
expect_grep "log: HTTP request served through the CTLSEP mapping" "serving [CTLFile.tlv]" "$LOG"
expect_grep "log: traversal refused with its reason" "'..' in path" "$LOG"
kill -USR1 "$TFTPD_PID"
wait_for 5 grep -q " http: conns " "$LOG"
st=$(grep " http: conns " "$LOG" | tail -1)
case $st in *" http: conns "*" ok "*) ok "status line has the HTTP counters" ;; *) not_ok "status line has the HTTP counters: $st" ;; esac
hn() { echo "$st" | sed -n "s/.* http: .* $1 \([0-9][0-9]*\).*/\1/p"; }
[ "$(hn ok)" -ge 15 ] && ok "HTTP ok counter counts the 200s ($(hn ok))" || not_ok "HTTP ok counter ($(hn ok))"
[ "$(hn notfound)" -eq 2 ] && ok "HTTP notfound counter is 2" || not_ok "HTTP notfound counter ($(hn notfound), wanted 2)"
case $st in *"Status: requests 2 "*) ok "the TFTP counters count only the two TFTP requests" ;; *) not_ok "TFTP counters: $st" ;; esac

# --- privilege drop: bound as root, served as nobody in a chroot ----------------------
if [ "$(id -u)" = 0 ]; then
	LOG3=$T_TMP/server3.log
	start_ctl_tftpd "$LOG3" --http 127.0.0.1:0 --root "$R" --user nobody --chroot
	HP3=$(sed -n 's/.*listening on http 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOG3" | head -1)
	# The listeners log before the privilege drop; the "serving" line comes after it.
	wait_for 10 grep -q " serving .*(chroot)" "$LOG3"
	uid=$(awk '/^Uid:/ { print $2 $3 $4 }' "/proc/$TFTPD_PID/status")
	n=$(id -u nobody)
	expect_eq "after binding --http, the daemon runs as nobody (real, effective, saved)" "$uid" "$n$n$n"
	curl -s -f -o "$O/p1" "http://127.0.0.1:$HP3/CTLSEP001122334455.tlv"
	check "served over HTTP as nobody in the chroot, through the mapping" same "$R/CTLFile.tlv" "$O/p1"
	expect_eq "traversal still refused in the chroot" "$(code "http://127.0.0.1:$HP3/%2e%2e/%2e%2e/etc/passwd" --path-as-is)" 403
	kill "$TFTPD_PID"
else
	ok "privilege drop: not root, skipped # SKIP"
fi

# --- command line ---------------------------------------------------------------------
expect_exit "--http with a bad address: usage error 2" 2 "$BIN/ctl-tftpd" --http nonsense:x --root "$R"
expect_exit "--http-source-conns 0: usage error 2" 2 "$BIN/ctl-tftpd" --http-source-conns 0 --root "$R"
expect_exit "--http on a port already bound: exit 1" 1 "$BIN/ctl-tftpd" --listen 127.0.0.1:0 --http "127.0.0.1:$HPORT" --root "$R"
expect_grep "the bind failure names the address" "cannot listen for HTTP on 127.0.0.1:$HPORT" "$T_TMP/last.err"
finish
