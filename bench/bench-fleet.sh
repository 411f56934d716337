#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot-storm benchmark with the Security By Default checks: PV_BENCH_PHONES
# phones (default 10000, PV_BENCH_CONC at once, default 256) boot against
# ctl-tftpd, each fetching CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv and its own
# SEP<MAC>.cnf.xml.sgn (signed by the CallManager certificate the ITL and
# CTL list) and checking all three as a phone does: 7975s over TFTP, and
# 8861s over ctl-tftpd's HTTP port (CUCM's 6970, where 88xx-family phones
# ask these files first), each phone on one keep-alive connection of its
# own. In the same run:
#  - ctl-tftpd's raw transfer rate: ctl-tftp-load fetches the same three
#    files for the same phones with the options a fleet asks (blksize 1468,
#    tsize), comparing bytes only (no checks): the ceiling a fleet can
#    reach on this machine; over HTTP, ctl-http-load the same way;
#  - phone-verifier fleet with state in memory, with each phone's state
#    written to disk (no fsync: the default) and, when /dev/shm exists, to
#    tmpfs, each as phones/s and as a ratio of the raw rate;
#  - the same with --durable (fsync per write) for PV_BENCH_DURABLE phones
#    (default 1000): what per-phone fsync costs;
#  - the memory fleet against tftpd-hpa (in.tftpd, with a remap file
#    serving CTLSEP*/ITLSEP* from the cluster files the way ctl-tftpd's
#    name mapping does), and the ratio ctl-tftpd / tftpd-hpa.
# Each storm against ctl-tftpd gets a ctl-tftpd of its own, started afresh,
# so every figure starts from the same cold file cache (the raw run no
# longer warms it for the fleet runs). Beside each figure: the CPU seconds
# the server and the client used (user+system, from /proc), so a reader
# sees where the time goes, and the load average before and after, since
# a shared machine's figures mean little without it.
# The raw rates and the two headline storms (state in memory) run
# PV_BENCH_ROUNDS times (default 3), each on a fresh ctl-tftpd, and their
# median is the figure: on two cores the scheduler sometimes puts the
# fleet and the server on one core, and a single run can land there.
# Each phone sends from its own 127.4.x.y address and resends an unanswered
# request every second, as phones do. Fails only when a storm does not
# complete; nothing here judges a timing. Every wait is bounded: a run that
# outlives PV_BENCH_LIMIT seconds (default 300) is killed and reported stuck.
# Usage: bench/bench-fleet.sh BUILD
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/bench-lib.sh"
cd "$TOP" || exit 1
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
PKI=$BUILD/pki
N=${PV_BENCH_PHONES:-10000}
C=${PV_BENCH_CONC:-256}
ND=${PV_BENCH_DURABLE:-1000}
ROUNDS=${PV_BENCH_ROUNDS:-3}
LIMIT=${PV_BENCH_LIMIT:-300}
PREFIX=0C0FFE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctl-bench-fleet.XXXXXX")
PIDS=""
SHM=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
	[ -n "$SHM" ] && rm -rf "$SHM"
}
trap cleanup EXIT INT TERM

for b in "$BIN/ctl-client" "$BIN/ctl-tftpd" "$BIN/phone-verifier" "$BIN/ctl-tftp-load" "$BUILD/bench/ctl-bench-configs"; do
	[ -x "$b" ] || { echo "bench-fleet: $b missing (make all bench-build)" >&2; exit 1; }
done
"$TOP/fixtures/make-pki" "$PKI" >/dev/null || { echo "bench-fleet: make-pki failed" >&2; exit 1; }
R=$TMP/root
mkdir -p "$R"
bench_trust_lists "$BIN" "$PKI" "$R" || exit 1
# Every phone's own signed configuration, as the node signs them.
"$BUILD/bench/ctl-bench-configs" "$R" "$N" "$PREFIX" "$PKI/ccm1.pem" "$PKI/ccm1.key" || exit 1
chmod -R a+rX "$TMP"

# start_ctl: a fresh ctl-tftpd (cold cache) on a new port: P1 and SP1.
SP1=""
HPID=""
start_ctl() {
	[ -n "$SP1" ] && kill "$SP1" 2>/dev/null && wait "$SP1" 2>/dev/null
	P1=$(free_port)
	PH=$(free_port)
	"$BIN/ctl-tftpd" --listen 127.0.0.1:$P1 --http 127.0.0.1:$PH --root "$R" -q >"$TMP/ctl-tftpd.log" 2>&1 &
	SP1=$!
	PIDS="$PIDS $SP1"
	wait_udp "$P1" && wait_tcp "$PH" ||
		{ echo "bench-fleet: ctl-tftpd did not start: $(tail -2 "$TMP/ctl-tftpd.log")" >&2; exit 1; }
}
# cpu PID: user+system seconds the process and its waited-for children
# (tftpd-hpa forks one per request) have used so far (0 when gone).
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu() { awk -v t="$TCK" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# cpu_note SERVER_BEFORE SERVER_PID CLIENT_TIME_FILE: "server N s, client M s CPU".
cpu_note() {
	sv=$(awk -v a="$1" -v b="$(cpu "$2")" 'BEGIN { printf "%.2f", b - a }')
	cl=$(awk '{ printf "%.2f", $1 + $2 }' "$3" 2>/dev/null)
	printf 'CPU server %s s, client %s s' "$sv" "${cl:-?}"
}
TIMECMD=""
[ -x /usr/bin/time ] && TIMECMD="/usr/bin/time -f %U_%S -o"
# timed FILE CMD...: runs CMD, its user and system seconds into FILE ("U S").
timed() {
	f=$1; shift
	if [ -n "$TIMECMD" ]; then
		$TIMECMD "$f.raw" "$@"; rc=$?
		tr '_' ' ' < "$f.raw" | tail -1 > "$f"
		return $rc
	fi
	"$@"
}
start_ctl
P2=$(free_port)
printf 'r ^CTLSEP[0-9A-F]*\\.tlv$ CTLFile.tlv\nr ^ITLSEP[0-9A-F]*\\.tlv$ ITLFile.tlv\n' > "$TMP/remap"
HPA=$(command -v in.tftpd || echo /usr/sbin/in.tftpd)
if [ -x "$HPA" ]; then
	"$HPA" -L -a 127.0.0.1:$P2 -u "$(id -un)" -m "$TMP/remap" -s "$R" >"$TMP/hpa.log" 2>&1 &
	HPID=$!
	PIDS="$PIDS $HPID"
fi
[ -x "$HPA" ] && ! wait_udp "$P2" && echo "  tftpd-hpa: did not start"

# raw PORT: the same transfers without checks; phones/s into $TMP/raw.pps.
raw() {
	s0=$(cpu "$SP1")
	timed "$TMP/raw.time" timeout "$LIMIT" "$BIN/ctl-tftp-load" -s 127.0.0.1:$1 -n "$N" -c "$C" --mac-base "${PREFIX}000000" \
		-f 'CTLSEP%M.tlv' -f 'ITLSEP%M.tlv' -f 'SEP%M.cnf.xml.sgn' --blksize 1468 --tsize \
		--source-range 127.4.0.0/16 --retransmit 1000 -q > "$TMP/raw.out" 2>&1
	rc=$?
	secs=$(sed -n 's/^RESULT .*secs=\([0-9.]*\).*/\1/p' "$TMP/raw.out")
	okn=$(sed -n 's/^RESULT ok=\([0-9]*\).*/\1/p' "$TMP/raw.out")
	if [ "$rc" -ne 0 ] || [ -z "$secs" ]; then
		echo "  raw transfers: failed (exit $rc):"; head -3 "$TMP/raw.out"; return 1
	fi
	awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.1f\n", (s > 0 ? n / s : 0) }' > "$TMP/raw.pps"
	printf '  %-44s %9s phones/s  (%s transfers ok, no checks; %s)\n' \
		"ctl-tftpd raw transfers (ctl-tftp-load)" "$(cat "$TMP/raw.pps")" "$okn" \
		"$(cpu_note "$s0" "$SP1" "$TMP/raw.time")"
}

# raw_http: the same files over HTTP without checks (ctl-http-load, one
# keep-alive connection per phone); phones/s into $TMP/rawh.pps.
raw_http() {
	s0=$(cpu "$SP1")
	timed "$TMP/rawh.time" timeout "$LIMIT" "$BIN/ctl-http-load" -s 127.0.0.1:$PH -n "$N" -c "$C" \
		--mac-base "${PREFIX}000000" -f 'CTLSEP%M.tlv' -f 'ITLSEP%M.tlv' -f 'SEP%M.cnf.xml.sgn' \
		--source-range 127.4.0.0/16 -q > "$TMP/rawh.out" 2>&1
	rc=$?
	secs=$(field secs "$TMP/rawh.out")
	okn=$(field ok "$TMP/rawh.out")
	if [ "$rc" -ne 0 ] || [ "$secs" = 0 ]; then
		echo "  raw HTTP transfers: failed (exit $rc):"; head -3 "$TMP/rawh.out"; return 1
	fi
	awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.1f\n", (s > 0 ? n / s : 0) }' > "$TMP/rawh.pps"
	printf '  %-44s %9s phones/s  (%s files ok, no checks; %s)\n' \
		"ctl-tftpd raw HTTP (ctl-http-load)" "$(cat "$TMP/rawh.pps")" "$okn" \
		"$(cpu_note "$s0" "$SP1" "$TMP/rawh.time")"
}

# run LABEL TAG PORT PHONES [fleet options]: one storm; phones/s into $TMP/TAG.pps
# (an --http-port storm is compared with the raw HTTP rate, the others with TFTP's).
run() {
	label=$1; tag=$2; p=$3; n=$4; shift 4
	out=$TMP/$tag.json
	srv=""
	[ "$p" = "$P1" ] && srv=$SP1
	[ "$p" = "$P2" ] && srv=$HPID
	s0=$(cpu "${srv:-0}")
	timed "$TMP/$tag.time" timeout "$LIMIT" "$BIN/phone-verifier" fleet --count "$n" --concurrency "$C" --tftp 127.0.0.1:$p \
		--source-range 127.4.0.0/16 --retransmit 1000 --no-progress --json "$@" > "$out" 2>"$TMP/$tag.err"
	rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "  $label: storm stuck, killed after $LIMIT s"; return 1
	elif [ "$rc" -ne 0 ]; then
		echo "  $label: storm failed:"; cat "$out" "$TMP/$tag.err" | head -5; return 1
	fi
	pps=$(sed -n 's/.*"phones_per_second":\([0-9.]*\).*/\1/p' "$out")
	p99=$(sed -n 's/.*"p99":\([0-9]*\).*/\1/p' "$out")
	ok=$(sed -n 's/.*"server_md5_phones":\([0-9]*\).*/\1/p' "$out")
	ratio=""
	base=$TMP/raw.pps
	case " $* " in *" --http-port "*) base=$TMP/rawh.pps ;; esac
	[ "$p" = "$P1" ] && [ -f "$base" ] && ratio=$(awk -v a="$pps" -v b="$(cat "$base")" \
		'BEGIN { if (b > 0) printf "%.2fx raw", a / b }')
	printf '  %-44s %9s phones/s  %-10s boot p99 %5s ms  %s/%s phones with the server md5; %s\n' \
		"$label" "$pps" "$ratio" "$p99" "$ok" "$n" "$(cpu_note "$s0" "${srv:-0}" "$TMP/$tag.time")"
	echo "$pps" > "$TMP/$tag.pps"
}
# rounds LABEL TAG CMD...: CMD (which leaves phones/s in $TMP/TAG.pps)
# ROUNDS times, each on a fresh ctl-tftpd; the median is left in
# $TMP/TAG.pps and printed with every run's figure.
rounds() {
	label=$1; tag=$2; shift 2
	all=""
	rnd=0 # not i: wait_udp, run by start_ctl, counts with i
	while [ $rnd -lt "$ROUNDS" ]; do
		start_ctl
		"$@" || return 1
		all="$all $(cat "$TMP/$tag.pps")"
		rnd=$((rnd + 1))
	done
	echo "$all" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' \
		> "$TMP/$tag.pps"
	printf '  %-44s %9s phones/s  (median of%s)\n' "$label" "$(cat "$TMP/$tag.pps")" "$all"
}
# raw_p1, run_p1 LABEL TAG PHONES [options]: raw and run against the
# current ctl-tftpd (its ports are known only once rounds started it;
# an option PH stands for its HTTP port).
raw_p1() { raw "$P1"; }
run_p1() {
	l=$1; t=$2; n=$3; shift 3
	a=""
	for o in "$@"; do [ "$o" = PH ] && o=$PH; a="$a $o"; done
	# shellcheck disable=SC2086 # the options are words without spaces
	run "$l" "$t" "$P1" "$n" $a
}
echo "phone-verifier fleet: $N phones, concurrency $C, loopback, one 127.4.x.y address per phone, resending every 1 s;"
echo "SBD checks: CTL + ITL + SEP<MAC>.cnf.xml.sgn per phone, against ctl-tftpd's raw rate for the same transfers;"
echo "7975s over TFTP, 8861s over ctl-tftpd's HTTP port (one keep-alive connection per phone)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc 2>/dev/null || echo '?') CPUs)"
fail=0
rounds "ctl-tftpd raw transfers, median" raw raw_p1 || fail=1
rounds "ctl-tftpd raw HTTP, median" rawh raw_http || fail=1
rounds "fleet, SBD checks, state in memory, median" mem \
	run_p1 "fleet, SBD checks, state in memory" mem "$N" || fail=1
rounds "fleet of 8861s over HTTP, median" http \
	run_p1 "fleet of 8861s over HTTP, SBD checks, memory" http "$N" --model 8861 --http-port PH || fail=1
start_ctl
run "fleet, SBD checks, state on disk" disk "$P1" "$N" --state-root "$TMP/state" || fail=1
rm -rf "$TMP/state"
# tmpfs, when there is one: the file system's cost without the disk's.
if [ -d /dev/shm ] && SHM=$(mktemp -d /dev/shm/ctl-bench-fleet.XXXXXX 2>/dev/null); then
	start_ctl
	run "fleet, SBD checks, state on tmpfs" shm "$P1" "$N" --state-root "$SHM/state" || fail=1
	rm -rf "$SHM"; SHM=""
fi
start_ctl
run "fleet, SBD checks, state on disk, --durable" durable "$P1" "$ND" --state-root "$TMP/state-durable" \
	--durable || fail=1
rm -rf "$TMP/state-durable"
if [ -x "$HPA" ]; then run "fleet against tftpd-hpa, state in memory" hpa "$P2" "$N" || fail=1
else echo "  tftpd-hpa: not installed"; fi
if [ -f "$TMP/mem.pps" ] && [ -f "$TMP/hpa.pps" ]; then
	awk -v a="$(cat "$TMP/mem.pps")" -v b="$(cat "$TMP/hpa.pps")" \
		'BEGIN { if (b > 0) printf "  fleet on ctl-tftpd / on tftpd-hpa: %.2fx\n", a / b }'
fi
# The headline: the SBD fleets on ctl-tftpd beside ctl-tftpd's raw rates and tftpd-hpa.
if [ -f "$TMP/mem.pps" ]; then
	awk -v m="$(cat "$TMP/mem.pps")" -v r="$(cat "$TMP/raw.pps" 2>/dev/null || echo 0)" \
		-v h="$(cat "$TMP/hpa.pps" 2>/dev/null || echo 0)" 'BEGIN {
		printf "  SBD fleet on ctl-tftpd over TFTP: %.0f phones/s = %s of ctl-tftpd raw (%.0f/s), %s tftpd-hpa (%.0f/s)\n",
			m, (r > 0 ? sprintf("%.2fx", m / r) : "n/a"), r, (h > 0 ? sprintf("%.2fx", m / h) : "n/a"), h }'
fi
if [ -f "$TMP/http.pps" ]; then
	awk -v m="$(cat "$TMP/http.pps")" -v r="$(cat "$TMP/rawh.pps" 2>/dev/null || echo 0)" 'BEGIN {
		printf "  SBD fleet on ctl-tftpd over HTTP (88xx): %.0f phones/s = %s of ctl-tftpd raw HTTP (%.0f/s)\n",
			m, (r > 0 ? sprintf("%.2fx", m / r) : "n/a"), r }'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$fail"
