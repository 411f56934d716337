#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd --http against hostile clients, with raw sockets (python3): a
# slowloris trickling its head byte by byte is answered 408 and closed at the
# header deadline however many bytes it sends; a 64 KiB head gets 431; a
# target over 1024 bytes 414; connections beyond the per-address and the
# total caps get 503 at once; pipelined requests are answered in order and
# pipelined garbage ends the connection after the answers before it; a
# client that stops reading a large file is closed at the send deadline; a
# half-closed client still gets its answers; an idle keep-alive connection
# is closed without a word. After all of it the server still serves, and
# its counters say what happened. No timing is asserted: every wait is
# bounded generously, and a deadline that never fires fails at the bound.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"
head -c 16000000 /dev/urandom > "$R/big.bin"
chmod -R a+rX "$R"

LOG=$T_TMP/server.log
# Short deadlines so the test is quick; the bounds below are several times longer.
start_ctl_tftpd "$LOG" --http 127.0.0.1:0 --root "$R" --http-header-timeout 1500 \
	--http-send-timeout 1500 --http-source-conns 4 --http-max-conns 6
HPORT=$(sed -n 's/.*listening on http 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOG" | head -1)
[ -n "$HPORT" ] || { echo "Bail out! no 'listening on http' line"; cat "$LOG"; exit 1; }
SRV1=$TFTPD_PID
# A second server with the default deadlines, for the cases where a client
# that a loaded machine stalls for a moment must not be taken for a slow one.
LOG2=$T_TMP/server2.log
start_ctl_tftpd "$LOG2" --http 127.0.0.1:0 --root "$R"
HPORT2=$(sed -n 's/.*listening on http 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$LOG2" | head -1)
[ -n "$HPORT2" ] || { echo "Bail out! no 'listening on http' line"; cat "$LOG2"; exit 1; }
TFTPD_PID=$SRV1

H=$T_TMP/h.py
cat > "$H" <<'PY'
import hashlib, socket, sys, time

port = int(sys.argv[1])
case = sys.argv[2]
root = sys.argv[3]
BOUND = 20.0   # every wait ends here at the latest

def conn(src="127.0.0.1", rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((src, 0))
    s.settimeout(BOUND)
    s.connect(("127.0.0.1", port))
    return s

def read_all(s):
    """Everything until the server closes (or resets), within the bound."""
    d = b""
    end = time.monotonic() + BOUND
    while time.monotonic() < end:
        try:
            c = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not c:
            return d, "closed"
        d += c
    return d, "open"

def responses(d, heads=()):
    """Split a byte stream into (status, headers, body) by Content-Length
    (answers whose index is in heads answer a HEAD: no body)."""
    out = []
    while d:
        e = d.find(b"\r\n\r\n")
        if e < 0:
            out.append((0, {}, d)); break
        lines = d[:e].decode("latin-1").split("\r\n")
        st = int(lines[0].split()[1])
        h = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        n = 0 if len(out) in heads else int(h.get("content-length", "0"))
        out.append((st, h, d[e + 4:e + 4 + n]))
        d = d[e + 4 + n:]
    return out

def md5f(name):
    return hashlib.md5(open(root + "/" + name, "rb").read()).hexdigest()

def get(name, src="127.0.0.1"):
    s = conn(src)
    s.sendall(b"GET /" + name.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    d, _ = read_all(s)
    r = responses(d)
    return r[0][0] if r else 0

if case == "slowloris":
    # A valid request line, then one header byte every 100 ms, for ever.
    s = conn()
    s.sendall(b"GET /CTLFile.tlv HTTP/1.1\r\n")
    sent, got, end = 0, b"", time.monotonic() + BOUND
    s.settimeout(0.1)
    while time.monotonic() < end:
        try:
            s.send(b"X")
            sent += 1
        except OSError:
            break
        try:
            c = s.recv(4096)
            if not c:
                break
            got += c
        except socket.timeout:
            pass
        except OSError:
            break
    r = responses(got)
    print("status=%s sent=%d closed=%d" % (r[0][0] if r else 0, sent, time.monotonic() < end))
elif case == "bighead":
    s = conn()
    try:
        s.sendall(b"GET /CTLFile.tlv HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")
    except OSError:
        pass
    d, state = read_all(s)
    r = responses(d)
    print("status=%s %s" % (r[0][0] if r else 0, state))
elif case == "longtarget":
    s = conn()
    s.sendall(b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    d, state = read_all(s)
    r = responses(d)
    print("status=%s %s" % (r[0][0] if r else 0, state))
elif case == "caps":
    # 4 from one address hold its share; the 5th from it gets 503.
    held = [conn() for _ in range(4)]
    time.sleep(0.3)
    s = conn()
    d, state = read_all(s)
    r = responses(d)
    fifth = r[0][0] if r else 0
    retry = r[0][1].get("retry-after", "-") if r else "-"
    # Another address still gets in, up to the total of 6.
    other = [conn("127.0.0.2") for _ in range(2)]
    time.sleep(0.3)
    for o in other:
        o.sendall(b"GET /CTLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n")
    oks = 0
    for o in other:
        o.settimeout(BOUND)
        buf = b""
        while len(responses(buf)) < 1 or len(responses(buf)[0][2]) < 5000:
            c = o.recv(65536)
            if not c:
                break
            buf += c
        oks += responses(buf)[0][0] == 200 if buf else 0
    # The 7th connection, from a third address, is over the total.
    s = conn("127.0.0.3")
    d, state = read_all(s)
    r = responses(d)
    seventh = r[0][0] if r else 0
    for c in held + other:
        c.close()
    time.sleep(0.5)
    after = get("CTLFile.tlv")
    print("fifth=%s retry=%s other_ok=%d seventh=%s after=%s" % (fifth, retry, oks, seventh, after))
elif case == "pipeline":
    s = conn()
    s.sendall(b"GET /ITLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n"
              b"HEAD /CTLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /nothere HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /CTLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /ITLFile.tlv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    d, state = read_all(s)
    r = responses(d, heads=(1,))
    ok = [x[0] for x in r] == [200, 200, 404, 200, 200] and \
        hashlib.md5(r[0][2]).hexdigest() == md5f("ITLFile.tlv") and r[1][2] == b"" and \
        r[1][1].get("content-length") == "5000" and \
        hashlib.md5(r[3][2]).hexdigest() == md5f("CTLFile.tlv") and \
        hashlib.md5(r[4][2]).hexdigest() == md5f("ITLFile.tlv")
    print("statuses=%s inorder=%d %s" % (",".join(str(x[0]) for x in r), ok, state))
elif case == "garbage":
    s = conn()
    s.sendall(b"GET /CTLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n"
              b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n"
              b"GET /ITLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n")
    d, state = read_all(s)
    r = responses(d)
    first = len(r) > 0 and r[0][0] == 200 and hashlib.md5(r[0][2]).hexdigest() == md5f("CTLFile.tlv")
    print("statuses=%s first_exact=%d %s" % (",".join(str(x[0]) for x in r), first, state))
elif case == "noread":
    # Asks for 16 MB with a tiny receive window and never reads.
    s = conn(rcvbuf=4096)
    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    print("sent")
    sys.stdout.flush()
    time.sleep(float(sys.argv[4]))
    got = 0
    s.settimeout(2)
    try:
        while True:
            c = s.recv(1 << 20)
            if not c:
                break
            got += len(c)
    except OSError:
        pass
    print("received=%d of 16000000" % got)
elif case == "halfclose":
    # The 16 MB answer is still being written when the server reads the EOF.
    s = conn()
    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /ITLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
    d, state = read_all(s)
    r = responses(d)
    ok = len(r) == 2 and hashlib.md5(r[0][2]).hexdigest() == md5f("big.bin") and \
        hashlib.md5(r[1][2]).hexdigest() == md5f("ITLFile.tlv")
    # Half a request, then half-close: nothing to answer, closed.
    t = conn()
    t.sendall(b"GET /CTLFi")
    t.shutdown(socket.SHUT_WR)
    d2, state2 = read_all(t)
    print("answers=%d exact=%d %s partial=%d %s" % (len(r), ok, state, len(d2), state2))
elif case == "idle":
    s = conn()
    s.sendall(b"GET /CTLFile.tlv HTTP/1.1\r\nHost: x\r\n\r\n")
    d, state = read_all(s)
    r = responses(d)
    print("statuses=%s extra=%d %s" % (",".join(str(x[0]) for x in r), len(r[-1][2]) - 5000 if r else -1, state))
elif case == "get":
    print("status=%s" % get(sys.argv[4]))
PY
hp() { timeout 60 python3 "$H" "$HPORT" "$@" "$R"; }
hp2() { timeout 60 python3 "$H" "$HPORT2" "$@" "$R"; }
hpx() { c=$1; shift; timeout 60 python3 "$H" "$HPORT" "$c" "$R" "$@"; }

out=$(hp slowloris)
case $out in "status=408 "*" closed=1") ok "slowloris trickling a header byte by byte: 408 and closed at the deadline ($out)" ;;
	*) not_ok "slowloris not closed by the header deadline ($out)" ;; esac
sent=$(echo "$out" | sed -n 's/.* sent=\([0-9]*\).*/\1/p')
[ "${sent:-0}" -gt 5 ] && ok "the slowloris kept sending bytes, and that did not extend the deadline" ||
	not_ok "slowloris sent too little to tell ($out)"

out=$(hp bighead)
expect_eq "64 KiB request head: 431 and closed" "$out" "status=431 closed"
out=$(hp longtarget)
expect_eq "2000-byte request target: 414 and closed" "$out" "status=414 closed"

out=$(hp caps)
expect_eq "per-address cap 4: the 5th gets 503 with Retry-After; another address still served; total cap 6: the 7th gets 503; after closing, served again" \
	"$out" "fifth=503 retry=1 other_ok=2 seventh=503 after=200"

out=$(hp2 pipeline)
expect_eq "five pipelined requests (GET, HEAD, 404, GET, GET close) answered in order, bodies exact" \
	"$out" "statuses=200,200,404,200,200 inorder=1 closed"
out=$(hp2 garbage)
expect_eq "pipelined garbage after a GET: the GET answered byte-exact, then 400, then closed (nothing after)" \
	"$out" "statuses=200,400 first_exact=1 closed"

# The reader that never reads: wait (bounded) for the server to give up on it.
hpx noread 8 > "$T_TMP/noread.out" &
NR=$!
if wait_for 20 grep -q "read nothing of its answer" "$LOG"; then
	ok "a client that stops reading a 16 MB file is closed at the send deadline"
else
	not_ok "a client that stops reading was not closed within 20 s"
fi
wait "$NR"
got=$(sed -n 's/^received=\([0-9]*\).*/\1/p' "$T_TMP/noread.out")
[ -n "$got" ] && [ "$got" -lt 16000000 ] && ok "it got only part of the file ($got bytes) before the close" ||
	not_ok "the stalled reader's outcome ($(cat "$T_TMP/noread.out"))"

out=$(hp2 halfclose)
expect_eq "half-closed client gets both pipelined answers (16 MB, 5 KB) byte-exact; half a request then half-close: closed, nothing sent" \
	"$out" "answers=2 exact=1 closed partial=0 closed"

out=$(hp idle)
expect_eq "idle keep-alive connection closed at the deadline without a 408" "$out" "statuses=200 extra=0 closed"

out=$(hpx get CTLFile.tlv)
expect_eq "after all of it the server still serves" "$out" "status=200"
kill -0 "$TFTPD_PID" 2>/dev/null && ok "ctl-tftpd is still running" || not_ok "ctl-tftpd died"
kill -USR1 "$TFTPD_PID"
wait_for 5 grep -q " http: conns " "$LOG"
st=$(grep " http: conns " "$LOG" | tail -1)
hn() { echo "$st" | sed -n "s/.* http: .* $1 \([0-9][0-9]*\).*/\1/p"; }
[ "$(hn busy)" -eq 2 ] && ok "2 connections refused at the caps (busy 2)" || not_ok "busy counter: $st"
[ "$(hn timeouts)" -eq 2 ] && ok "2 deadlines fired (slowloris 408, stalled reader)" || not_ok "timeouts counter: $st"
[ "$(hn active)" -eq 0 ] && ok "no connection left open" || not_ok "active counter: $st"
grep -q "ERROR: AddressSanitizer\|runtime error" "$LOG" "$LOG2" && not_ok "sanitizer report in the log" || ok "no sanitizer report in the log"
finish
