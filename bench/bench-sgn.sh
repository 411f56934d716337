#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Configuration signing benchmark: a ctl-provider node (itl = yes, so
# sign_configs on) watches an empty TFTP root; SGN_BENCH_FILES
# SEP<MAC>.cnf.xml (default 1000) are renamed in by one process and the
# figure is the time until every SEP<MAC>.cnf.xml.sgn exists, then the
# time of a SIGHUP that signs them all again (until its log line). The
# baseline: `openssl dgst -sha1 -sign` of the same files with the same
# CallManager key, one process per file, in a loop. Printed as configs/s
# and the ratio node / baseline; nothing here judges a timing. Every wait
# is bounded (SGN_BENCH_LIMIT seconds, default 300).
# Usage: bench/bench-sgn.sh BUILD
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
PROV=$BUILD/bin/ctl-provider
PKI=$BUILD/pki
N=${SGN_BENCH_FILES:-1000}
LIMIT=${SGN_BENCH_LIMIT:-300}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctl-bench-sgn.XXXXXX")
PID=""
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
[ -x "$PROV" ] || { echo "bench-sgn: $PROV missing (make all)" >&2; exit 1; }
now() { date +%s.%N; }
# wait_until SECONDS CMD...: polls CMD every 50 ms; 1 when it never holds.
wait_until() {
	_end=$(($(date +%s) + $1)); shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.05
	done
}
R=$TMP/root
mkdir -p "$R" "$TMP/state" "$TMP/plain" "$TMP/sig"
printf 'secret\n' | "$PROV" --hash-password admin >"$TMP/creds" || exit 1
chmod 600 "$TMP/creds"
cat >"$TMP/node.conf" <<CONF
hostname = cucm-pub.example.lab
ipv4 = 192.0.2.11
listen = 127.0.0.1:0
tls_cert = $PKI/ccm1.pem
tls_key = $PKI/ccm1.key
cert = ccm-tftp:$PKI/ccm1.pem
tftp_root = $R
credentials = $TMP/creds
mode_file = $TMP/state/security-mode
security_mode = 0
itl = yes
itlrecovery_cert = $PKI/itlrecovery.pem
itlrecovery_key = $PKI/itlrecovery.key
tvs_cert = $PKI/tvs1.pem
CONF
"$PROV" --config "$TMP/node.conf" 2>"$TMP/log" &
PID=$!
wait_until 30 grep -q 'signing configuration files in' "$TMP/log" || {
	echo "bench-sgn: the node did not start"; cat "$TMP/log"; exit 1; }
# The files first (outside the figure), then renamed in by one process.
python3 - "$TMP/plain" "$N" <<'PY' || exit 1
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "SEP0C0FFE%06X.cnf.xml" % i), "w") as f:
        f.write("<device><name>SEP0C0FFE%06X</name><loadInformation>sip88xx.14-2-1"
                "</loadInformation></device>\n" % i)
PY
signed() { [ "$(find "$R" -name 'SEP*.cnf.xml.sgn' | wc -l)" -ge "$N" ]; }
t0=$(now)
python3 - "$TMP/plain" "$R" <<'PY' || exit 1
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    os.rename(os.path.join(src, name), os.path.join(dst, name))
PY
wait_until "$LIMIT" signed || { echo "bench-sgn: $N configs not signed in $LIMIT s"; exit 1; }
t1=$(now)
kill -HUP "$PID"
wait_until "$LIMIT" grep -q "SIGHUP: $N configuration file(s) signed again" "$TMP/log" || {
	echo "bench-sgn: SIGHUP did not sign $N configs again in $LIMIT s"; exit 1; }
t2=$(now)
for f in "$R"/SEP*.cnf.xml; do
	openssl dgst -sha1 -sign "$PKI/ccm1.key" -out "$TMP/sig/${f##*/}.sig" "$f" || exit 1
done
t3=$(now)
awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
	base = n / (d - c)
	printf "configs signed by the node (burst renamed in): %8.1f configs/s (%d in %.2f s), %.2fx openssl dgst -sign loop\n", n / (b - a), n, b - a, n / (b - a) / base
	printf "configs signed again on SIGHUP:                 %8.1f configs/s (%d in %.2f s), %.2fx openssl dgst -sign loop\n", n / (c - b), n, c - b, n / (c - b) / base
	printf "baseline openssl dgst -sha1 -sign, one per file: %7.1f configs/s\n", base
}'
