#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd against clients that are not what they claim: a forged request
# (blksize 1468, windowsize 64) followed by blind ACK 0s and repeated
# requests must not make the server flood the address it names; transfers
# get unpredictable ports; clients that never ACK (even asking timeout=255),
# pace a transfer forever, or have gone away do not keep their slots; a
# newer request supersedes a silent older one; --source-rate bounds new
# requests per address. Raw UDP peers are small python3 programs; every
# wait is bounded.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R"
head -c 200000 /dev/urandom > "$R/fw.bin"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
chmod -R a+rX "$R"
PY=$T_TMP/peer.py
cat > "$PY" <<'PY'
import socket, struct, sys, time

def rrq(name, *opts):
    b = b"\0\1" + name.encode() + b"\0octet\0"
    for o in opts:
        b += o.encode() + b"\0"
    return b

def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s

def drain(s, secs):
    """Every datagram s receives for secs seconds: (data, source port)."""
    got, end = [], time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return got
        s.settimeout(left)
        try:
            d, a = s.recvfrom(70000)
        except socket.timeout:
            return got
        got.append((d, a[1]))

def kind(d):
    op = struct.unpack("!H", d[:2])[0]
    if op == 3:
        return "DATA%d" % struct.unpack("!H", d[2:4])[0]
    return {6: "OACK", 5: "ERROR"}.get(op, "OP%d" % op)

srv = ("127.0.0.1", int(sys.argv[2]))
cmd = sys.argv[1]

if cmd == "ports":
    # One transfer each from 16 clients: the server port of each.
    # The clients stay open, so all 16 transfers are under way at once.
    ports, socks = set(), []
    for _ in range(16):
        s = sock()
        socks.append(s)
        s.sendto(rrq("CTLFile.tlv"), srv)
        for d, p in drain(s, 0.3)[:1]:
            ports.add(p)
    print(len(ports), *sorted(ports))

elif cmd == "window":
    # The "victim": the forged request names its address; an attacker who
    # guessed the transfer port sends ACK 0 (here from the victim's own
    # port, which is what a spoofed one looks like), then 5 repeated RRQs.
    s = sock()
    req = rrq("fw.bin", "blksize", "1468", "windowsize", "64")
    s.sendto(req, srv)
    got = drain(s, 0.3)
    port = got[0][1] if got else srv[1]
    s.sendto(b"\0\4\0\0", ("127.0.0.1", port))
    got += drain(s, 0.15)
    for _ in range(5):
        s.sendto(req, srv)
        s.sendto(b"\0\4\0\0", ("127.0.0.1", port))
        got += drain(s, 0.15)
    sent = 6 * (len(req) + 4)
    recv = sum(len(d) for d, _ in got)
    print("datagrams %d bytes %d sent %d kinds %s" % (len(got), recv, sent,
          ",".join(sorted(set(kind(d) for d, _ in got)))))

elif cmd == "silent":
    # N clients ask timeout=255 and never answer; they keep their sockets
    # open (no ICMP) until the parent kills them.
    n = int(sys.argv[3])
    socks = [sock() for _ in range(n)]
    for s in socks:
        s.sendto(rrq("fw.bin", "timeout", "255"), srv)
    first = drain(socks[0], 0.5)
    print("first", " ".join(kind(d) + ("" if kind(d) != "OACK" else ":" + repr(d[2:])) for d, _ in first[:1]))
    sys.stdout.flush()
    time.sleep(30)

elif cmd == "slow":
    # Acknowledges every block of a 200 kB file at blksize 8, one per 50 ms:
    # it would take over 20 minutes.
    s = sock()
    s.sendto(rrq("fw.bin", "blksize", "8"), srv)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        got = drain(s, 1.0)
        if not got:
            print("ended after", round(20 - (end - time.monotonic()), 1), "s")
            break
        d, p = got[-1]
        if kind(d) == "OACK":
            s.sendto(b"\0\4\0\0", ("127.0.0.1", p))
        elif kind(d).startswith("DATA"):
            time.sleep(0.05)
            s.sendto(b"\0\4" + d[2:4], ("127.0.0.1", p))
    else:
        print("still running after 20 s")

elif cmd == "supersede":
    a, b = sock(), sock()
    a.sendto(rrq("fw.bin"), srv)
    first = drain(a, 2.3)
    b.sendto(rrq("fw.bin"), srv)
    second = drain(b, 0.3)
    print("a", kind(first[0][0]) if first else "NONE", "b", kind(second[0][0]) if second else "NONE")

elif cmd == "rate":
    # 20 new requests from one address (20 ports) at once; answers counted.
    socks = [sock() for _ in range(20)]
    for s in socks:
        s.sendto(rrq("CTLFile.tlv"), srv)
    print(sum(1 for s in socks if drain(s, 0.3)))
PY

start() { # start NAME ARGS...: a server on a fresh port, its pid in $SRV and port in $P
	name=$1; shift
	P=$(free_port)
	"$BIN/ctl-tftpd" --listen 127.0.0.1:$P --root "$R" "$@" >"$T_TMP/$name.log" 2>&1 &
	SRV=$!
	T_PIDS="$T_PIDS $SRV"
	wait_for 5 grep -q "Listening on" "$T_TMP/$name.log" || {
		echo "Bail out! server $name did not start"; cat "$T_TMP/$name.log"; exit 1; }
}

# status LOG PID FIELD: a fresh status line's FIELD.
status() {
	n=$(grep -c "Status: requests" "$1")
	kill -USR1 "$2"
	wait_for 5 sh -c "[ \$(grep -c 'Status: requests' '$1') -gt $n ]"
	grep "Status: requests" "$1" | tail -1 | sed -n "s/.* $3 \([0-9]*\).*/\1/p"
}

# poll_status LOG PID FIELD WANT SECONDS: until FIELD is WANT, at most SECONDS.
poll_status() {
	i=0
	v=$(status "$1" "$2" "$3")
	while [ "${v:-x}" != "$4" ] && [ $i -lt $(($5 * 4)) ]; do
		sleep 0.25; v=$(status "$1" "$2" "$3"); i=$((i + 1))
	done
	echo "$v"
}

# --- transfer ports ------------------------------------------------------------
start ports --timeout 2000
set -- $(python3 "$PY" ports $P)
if [ "${1:-0}" -eq 16 ]; then ok "16 transfers, 16 different server ports"; else
	not_ok "16 transfers used ${1:-0} server ports: $*"; fi

# --- forged request + blind ACK 0 + repeated requests ---------------------------
start window --timeout 2000
out=$(python3 "$PY" window $P)
echo "# $out"
dg=$(echo "$out" | sed -n 's/datagrams \([0-9]*\).*/\1/p')
kinds=$(echo "$out" | sed -n 's/.* kinds //p')
# One OACK, then one DATA 1 per ACK 0 or repeated RRQ at most: 1 + 6 + 5.
if [ "${dg:-999}" -le 12 ]; then ok "forged windowsize 64 + blind ACK 0s: $dg datagrams, no window"; else
	not_ok "forged windowsize 64 + blind ACK 0s: $dg datagrams reached the victim"; fi
expect_eq "only the OACK and DATA 1 were ever sent" "$kinds" "DATA1,OACK"

# --- clients that never ACK, asking timeout=255, hold no slot ------------------------
start silent --admit 4 --timeout 300 --max-timeout 1000 --retries 6
python3 "$PY" silent $P 8 > "$T_TMP/silent.out" &
SIL=$!
T_PIDS="$T_PIDS $SIL"
wait_for 5 test -s "$T_TMP/silent.out"
if grep -q "timeout" "$T_TMP/silent.out"; then not_ok "timeout=255 accepted: $(cat "$T_TMP/silent.out")"; else
	ok "timeout=255 above --max-timeout is not accepted ($(cat "$T_TMP/silent.out"))"; fi
check "a real client is served while 8 silent timeout=255 clients hold on" "$BIN/tftp-get" --timeout 200 \
	--retries 50 127.0.0.1:$P CTLFile.tlv "$T_TMP/got"
check "and gets the right bytes" cmp "$T_TMP/got" "$R/CTLFile.tlv"
e=$(status "$T_TMP/silent.log" $SRV evicted)
[ "${e:-0}" -gt 0 ] && ok "silent transfers evicted to make room ($e)" || not_ok "evicted: ${e:-none}"
kill $SIL 2>/dev/null

# --- a client that paces a transfer forever --------------------------------------------
start slow --max-lifetime 2 --timeout 1000
out=$(python3 "$PY" slow $P)
case "$out" in "ended after"*) ok "--max-lifetime 2 ends a transfer paced forever ($out)" ;;
*) not_ok "paced transfer: $out" ;; esac
x=$(status "$T_TMP/slow.log" $SRV expired)
expect_eq "counted as expired" "$x" 1

# --- a client that has gone: ICMP port unreachable --------------------------------------
start gone --timeout 300 --retries 6
"$BIN/tftp-raw" --timeout 200 127.0.0.1:$P '\0\1fw.bin\0octet\0' > "$T_TMP/gone.out"
expect_grep "transfer started" "DATA 1 512" "$T_TMP/gone.out"
a=$(poll_status "$T_TMP/gone.log" $SRV active 0 5)
expect_eq "client port closed: the transfer ends at once (active 0)" "$a" 0
u=$(status "$T_TMP/gone.log" $SRV unreachable)
expect_eq "ended by ICMP unreachable" "$u" 1

# --- a newer request from the same address supersedes a silent one ----------------------
start super --timeout 300
out=$(python3 "$PY" supersede $P)
expect_eq "both requests answered" "$out" "a DATA1 b DATA1"
expect_grep "the older, silent transfer is superseded" "superseded by a newer request" "$T_TMP/super.log"

# --- per-source rate ----------------------------------------------------------------
start rate --source-rate 5
n=$(python3 "$PY" rate $P)
if [ "${n:-99}" -ge 5 ] && [ "${n:-99}" -le 6 ]; then ok "--source-rate 5: $n of 20 requests answered"; else
	not_ok "--source-rate 5: ${n:-?} of 20 requests answered"; fi
d=$(status "$T_TMP/rate.log" $SRV dropped)
[ "${d:-0}" -ge 14 ] && ok "the rest dropped and counted ($d)" || not_ok "dropped: ${d:-none}"
finish
