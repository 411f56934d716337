# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the storm benchmarks, sourced by bench/bench-http.sh,
# bench/tftp-storms.sh and bench/bench-fleet.sh. Every wait is bounded.

# free_port: a port of 127.0.0.1 free for both UDP and TCP right now (the
# kernel picks it), for a server started just after.
free_port() {
	python3 -c '
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]; t.close()
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port); break
'
}

# wait_udp PORT, wait_tcp PORT: a listener on PORT within 10 s, or non-zero.
wait_udp() { i=0; while [ $i -lt 200 ]; do ss -Hlun "sport = :$1" | grep -q . && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }
wait_tcp() { i=0; while [ $i -lt 200 ]; do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }

# field KEY FILE: KEY's value on the last RESULT line a load generator
# (ctl-tftp-load, ctl-http-load) wrote to FILE; 0 when there is none.
field() { v=$(sed -n "s/^RESULT.* $1=\([0-9.]*\).*/\1/p" "$2" 2>/dev/null | tail -1); echo "${v:-0}"; }

# cpu_ticks PID: user + system time of PID, of its children already reaped
# and of those still running (tftpd-hpa forks one per request).
cpu_ticks() {
	t=0
	for p in $1 $(pgrep -P "$1" 2>/dev/null); do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# bench_trust_lists BIN PKI ROOT: the storms' CTLFile.tlv (two SASTs, node 1's
# CallManager as CCM+TFTP, CAPF; signed by SAST 1) and ITLFile.tlv (signed
# by node 1's CallManager) in ROOT, from the test PKI; non-zero on failure.
bench_trust_lists() {
	"$1/ctl-client" build --out "$3/CTLFile.tlv" --sast "$2/sast1.pem" --sast "$2/sast2.pem" \
		--ccm-tftp "$2/ccm1.pem" --capf "$2/capf.pem" --sign-key "$2/sast1.key" \
		--sign-cert "$2/sast1.pem" >/dev/null &&
		"$1/ctl-client" build --itl --tokenless --out "$3/ITLFile.tlv" --sast "$2/ccm1.pem" \
			--ccm-tftp "$2/ccm1.pem" --tvs "$2/tvs1.pem" --sign-key "$2/ccm1.key" \
			--sign-cert "$2/ccm1.pem" >/dev/null
}
