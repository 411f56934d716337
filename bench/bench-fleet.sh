#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot-storm benchmark: the same phone-verifier fleet (PV_BENCH_PHONES
# phones, default 5000, PV_BENCH_CONC at once, default 256) against
# ctl-tftpd and against tftpd-hpa (in.tftpd, with a remap file serving
# CTLSEP*/ITLSEP* from the cluster files the way ctl-tftpd's name mapping
# does), in one run, on loopback high ports. Each phone sends from its own
# 127.4.x.y address and resends an unanswered request every second, as
# phones do. Prints phones per second for each and their ratio; fails only
# when a storm does not complete. Every wait is bounded: a fleet run that
# outlives PV_BENCH_LIMIT seconds (default 300) is killed and reported stuck.
# Usage: bench/bench-fleet.sh BUILD
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
PKI=$BUILD/pki
N=${PV_BENCH_PHONES:-5000}
C=${PV_BENCH_CONC:-256}
LIMIT=${PV_BENCH_LIMIT:-300}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctl-bench-fleet.XXXXXX")
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; for p in $PIDS; do wait "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_udp() { i=0; while [ $i -lt 200 ]; do ss -Hlun "sport = :$1" | grep -q . && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }

"$TOP/fixtures/make-pki" "$PKI" >/dev/null || { echo "bench-fleet: make-pki failed" >&2; exit 1; }
R=$TMP/root
mkdir -p "$R"
"$BIN/ctl-client" build --out "$R/CTLFile.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --capf "$PKI/capf.pem" --sign-key "$PKI/sast1.key" \
	--sign-cert "$PKI/sast1.pem" >/dev/null || exit 1
"$BIN/ctl-client" build --itl --tokenless --out "$R/ITLFile.tlv" --sast "$PKI/ccm1.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --tvs "$PKI/tvs1.pem" --sign-key "$PKI/ccm1.key" \
	--sign-cert "$PKI/ccm1.pem" >/dev/null || exit 1
chmod -R a+rX "$TMP"

P1=$(port)
"$BIN/ctl-tftpd" --listen 127.0.0.1:$P1 --root "$R" -q >"$TMP/ctl-tftpd.log" 2>&1 &
PIDS="$PIDS $!"
P2=$(port)
printf 'r ^CTLSEP[0-9A-F]*\\.tlv$ CTLFile.tlv\nr ^ITLSEP[0-9A-F]*\\.tlv$ ITLFile.tlv\n' > "$TMP/remap"
HPA=$(command -v in.tftpd || echo /usr/sbin/in.tftpd)
if [ -x "$HPA" ]; then
	"$HPA" -L -a 127.0.0.1:$P2 -u "$(id -un)" -m "$TMP/remap" -s "$R" >"$TMP/hpa.log" 2>&1 &
	PIDS="$PIDS $!"
fi
wait_udp "$P1" || { echo "bench-fleet: ctl-tftpd did not start: $(tail -2 "$TMP/ctl-tftpd.log")" >&2; exit 1; }
[ -x "$HPA" ] && ! wait_udp "$P2" && echo "  tftpd-hpa: did not start"

run() { # NAME PORT
	out=$TMP/$1.json
	timeout "$LIMIT" "$BIN/phone-verifier" fleet --count "$N" --concurrency "$C" --tftp 127.0.0.1:$2 \
		--source-range 127.4.0.0/16 --retransmit 1000 --no-progress --json > "$out" 2>"$TMP/$1.err"
	rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "  $1: storm stuck, killed after $LIMIT s"; return 1
	elif [ "$rc" -ne 0 ]; then
		echo "  $1: storm failed:"; cat "$out" "$TMP/$1.err" | head -5; return 1
	fi
	pps=$(sed -n 's/.*"phones_per_second":\([0-9.]*\).*/\1/p' "$out")
	p99=$(sed -n 's/.*"p99":\([0-9]*\).*/\1/p' "$out")
	ok=$(sed -n 's/.*"server_md5_phones":\([0-9]*\).*/\1/p' "$out")
	printf '  %-10s %9s phones/s  boot p99 %5s ms  %s/%s phones with the server md5\n' "$1" "$pps" "$p99" "$ok" "$N"
	echo "$pps" > "$TMP/$1.pps"
}
echo "phone-verifier fleet: $N phones, concurrency $C, loopback, one 127.4.x.y address per phone, resending every 1 s"
fail=0
run ctl-tftpd "$P1" || fail=1
if [ -x "$HPA" ]; then run tftpd-hpa "$P2" || fail=1; else echo "  tftpd-hpa: not installed"; fi
if [ -f "$TMP/ctl-tftpd.pps" ] && [ -f "$TMP/tftpd-hpa.pps" ]; then
	awk -v a="$(cat "$TMP/ctl-tftpd.pps")" -v b="$(cat "$TMP/tftpd-hpa.pps")" \
		'BEGIN { if (b > 0) printf "  ctl-tftpd / tftpd-hpa: %.2fx\n", a / b }'
fi
exit "$fail"
