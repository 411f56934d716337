#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd memory stays bounded whatever the cache state: with a cache too
# small for a 4 MB file, 60 phones (each from its own 127.0.1.x address)
# that fetch it and then stall after block 2 share one copy of the file
# instead of holding 60; 10 different 4 MB files at once stay under the
# uncached budget (the largest file size here), the excess is answered
# ERROR 0 busy. The daemon's VmRSS is read from /proc/PID/status.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R"
head -c 4194304 /dev/urandom > "$R/big.bin"
for i in 0 1 2 3 4 5 6 7 8 9; do head -c 4194304 /dev/urandom > "$R/f$i.bin"; done
chmod -R a+rX "$R"
LIMIT_KB=40960

md5() { md5sum < "$1" | cut -d' ' -f1; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

S_N=0
start_server() {
	S_N=$((S_N + 1))
	LOG=$T_TMP/server.$S_N.log
	start_ctl_tftpd "$LOG" --root "$R" "$@"
	PORT=$TPORT
	SRV=$TFTPD_PID
}

# stall.py PORT GO NAME...: one phone per NAME, phone i from 127.0.1.(i+1): RRQ, ACK
# DATA 1, receive DATA 2 and stall there (the transfer stays open on the server)
# until the file GO appears (at most 60 s). Prints "HELD i", "ERROR i code msg" or
# "LOST i" per phone, then "DONE".
cat > "$T_TMP/stall.py" <<'PY'
import os, select, socket, struct, sys, time
port, go, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
socks = []
for i, name in enumerate(names):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.1.%d" % (i + 1), 0))
    s.sendto(b"\0\1" + name.encode() + b"\0octet\0", ("127.0.0.1", port))
    socks.append(s)
state = {s: 0 for s in socks}     # 0 waiting DATA 1, 1 waiting DATA 2, 2 held/finished
deadline = time.time() + 20
while time.time() < deadline and any(v < 2 for v in state.values()):
    r, _, _ = select.select([s for s in socks if state[s] < 2], [], [], 0.5)
    for s in r:
        pkt, peer = s.recvfrom(70000)
        i = socks.index(s)
        op = struct.unpack("!H", pkt[:2])[0]
        if op == 5:
            code = struct.unpack("!H", pkt[2:4])[0]
            print("ERROR %d %d %s" % (i, code, pkt[4:].split(b"\0")[0].decode(errors="replace")))
            state[s] = 2
        elif op == 3:
            blk = struct.unpack("!H", pkt[2:4])[0]
            if blk == 1 and state[s] == 0:
                s.sendto(struct.pack("!HH", 4, 1), peer)
                state[s] = 1
            elif blk == 2 and state[s] == 1:
                print("HELD %d" % i)
                state[s] = 2
for s in socks:
    if state[s] < 2:
        print("LOST %d" % socks.index(s))
sys.stdout.flush()
t = time.time() + 60
while not os.path.exists(go) and time.time() < t:
    time.sleep(0.05)
print("DONE")
PY

count() { grep -c "^$1 " "$2"; }

# --- 60 phones, one 4 MB file, cache too small for it ---------------------------------
start_server --cache-size 65536 --timeout 5000 --max-timeout 5000 --retries 8
idle=$(rss_kb $SRV)
names=""
i=0
while [ $i -lt 60 ]; do names="$names big.bin"; i=$((i + 1)); done
python3 "$T_TMP/stall.py" $PORT "$T_TMP/go1" $names > "$T_TMP/stall1.out" &
ST=$!
T_PIDS="$T_PIDS $ST"
wait_for 20 sh -c "[ \$(grep -c '^HELD\|^LOST\|^ERROR' '$T_TMP/stall1.out') -ge 60 ]"
expect_eq "60 phones each hold an open transfer of the 4 MB file" "$(count HELD "$T_TMP/stall1.out")" 60
rss=$(rss_kb $SRV)
echo "# VmRSS idle ${idle} kB, with 60 transfers of a 4 MB uncached file ${rss} kB"
[ "$rss" -lt $LIMIT_KB ] && ok "VmRSS ${rss} kB < $LIMIT_KB kB: one shared copy, not 60" \
	|| not_ok "VmRSS ${rss} kB >= $LIMIT_KB kB with 60 transfers of one 4 MB file"
check "meanwhile a full download of the shared version has the right bytes" \
	"$BIN/tftp-get" --blksize 1428 --windowsize 16 127.0.0.1:$PORT big.bin "$T_TMP/got"
expect_eq "md5 of the download" "$(md5 "$T_TMP/got")" "$(md5 "$R/big.bin")"
kill -USR1 $SRV
wait_for 5 grep -q "Status: requests" "$LOG"
expect_grep "status line: nothing cached (cache too small)" "cached 0 files" "$LOG"
touch "$T_TMP/go1"
wait $ST

# --- 10 different 4 MB files at once: the uncached budget refuses the excess ---------
start_server --cache-size 65536 --max-file-size 8388608 --timeout 5000 --max-timeout 5000 --retries 8
python3 "$T_TMP/stall.py" $PORT "$T_TMP/go2" f0.bin f1.bin f2.bin f3.bin f4.bin f5.bin f6.bin f7.bin f8.bin f9.bin \
	> "$T_TMP/stall2.out" &
ST=$!
T_PIDS="$T_PIDS $ST"
wait_for 20 sh -c "[ \$(grep -c '^HELD\|^LOST\|^ERROR' '$T_TMP/stall2.out') -ge 10 ]"
expect_eq "budget of 8 MB: two 4 MB files served at once" "$(count HELD "$T_TMP/stall2.out")" 2
expect_eq "the other eight requests answered ERROR 0 (the phone retries)" \
	"$(grep -c '^ERROR [0-9]* 0 server busy' "$T_TMP/stall2.out")" 8
rss=$(rss_kb $SRV)
[ "$rss" -lt $LIMIT_KB ] && ok "10 different files: VmRSS ${rss} kB < $LIMIT_KB kB" \
	|| not_ok "10 different files: VmRSS ${rss} kB >= $LIMIT_KB kB"
expect_grep "busy refusal logged" "uncached files over their memory budget" "$LOG"
touch "$T_TMP/go2"
wait $ST
# The held transfers end (their phones are gone); then the budget is free again.
kill $SRV
wait $SRV
start_server --cache-size 65536 --max-file-size 8388608
check "with nothing held, a file over the cache size is served" \
	"$BIN/tftp-get" --blksize 1428 127.0.0.1:$PORT f9.bin "$T_TMP/got9"
expect_eq "md5 of f9.bin" "$(md5 "$T_TMP/got9")" "$(md5 "$R/f9.bin")"
finish
