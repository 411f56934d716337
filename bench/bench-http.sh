#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The boot storm over HTTP (CUCM's TCP 6970) against ctl-tftpd --http, beside
# the same storm over TFTP against ctl-tftpd and against tftpd-hpa, all in
# the same run (bench/bench.sh calls it; `make bench`):
#   bench/bench-http.sh [BUILD]
# A storm is PHONES phones at once, each from its own 127.1.x.y address,
# fetching CTLSEP<MAC>.tlv (5,000 bytes), ITLSEP<MAC>.tlv (5,120 bytes) and
# its SEP<MAC>.cnf.xml (1,500 bytes), every download compared with the file.
# Over TFTP (ctl-tftp-load) a phone resends every 1 s; over HTTP
# (ctl-http-load) a phone opens one keep-alive connection and GETs its three
# files on it, reconnecting after 0.5-1.5 s when refused or reset. A phone
# gives up a file after GIVE_UP ms without progress. Each storm runs on a
# freshly started server; the figures are the wall time until the last
# phone is done, the transfers that failed and the server's CPU time per
# transfer, each HTTP figure printed with its ratio to the two TFTP storms.
# Nothing here is judged on timing. Exit status: 1 when ctl-tftpd fails an
# HTTP transfer (target: 0).
# Environment:
#   BENCH_PHONES     phones per storm (10000)
#   BENCH_GIVE_UP    ms without progress before a phone gives up a file (30000)
#   BENCH_LOAD_LIMIT seconds after which a load run is killed and reported stuck
#                    (default 3 x BENCH_GIVE_UP + 90 s)
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/bench/bench-lib.sh"
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
PHONES=${BENCH_PHONES:-10000}
GIVE_UP=${BENCH_GIVE_UP:-30000}
LIMIT=${BENCH_LOAD_LIMIT:-$((GIVE_UP * 3 / 1000 + 90))}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-http.XXXXXX")
chmod 755 "$W"
SRV=""
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
die() { echo "bench-http: $*" >&2; exit 1; }
for b in ctl-tftpd ctl-tftp-load ctl-http-load; do
	[ -x "$BIN/$b" ] || die "build first: make all bench-build ($BIN/$b missing)"
done
command -v in.tftpd >/dev/null || "$TOP/scripts/install-deps" bench >/dev/null 2>&1 ||
	echo "bench-http: tftpd-hpa missing (scripts/install-deps bench): its column is skipped" >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null

# The root: the cluster trust lists and one configuration file per phone
# (MACs from 001122000000, the load generators' default).
R=$W/root
mkdir -p "$R"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"
head -c 1500 /dev/urandom > "$W/cnf.xml"
python3 - "$R" "$W/cnf.xml" "$PHONES" <<'PY' || die "cannot write the configuration files"
import os, sys
root, src, n = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
for i in range(n):
    with open(os.path.join(root, "SEP%012X.cnf.xml" % (0x001122000000 + i)), "wb") as f:
        f.write(src)
PY
chmod 755 "$R"; chmod 644 "$R"/*
printf 'r ^CTLSEP[0-9A-Fa-f]{12}\\.tlv$ CTLFile.tlv\nr ^ITLSEP[0-9A-Fa-f]{12}\\.tlv$ ITLFile.tlv\n' > "$W/hpa.map"
FILES="-f CTLSEP%M.tlv=$R/CTLFile.tlv -f ITLSEP%M.tlv=$R/ITLFile.tlv -f SEP%M.cnf.xml=$W/cnf.xml"

stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=""; }

# storm KEY: starts the server for KEY, runs its load, writes KEY.res.
storm() {
	key=$1 log=$W/$1.log out=$W/$1.out
	P=$(free_port)
	case $key in
	tftp-ctl)
		"$BIN/ctl-tftpd" -q --listen 127.0.0.1:$P --root "$R" --max-transfers 40000 2>"$log" &
		SRV=$!; wait_udp "$P" || { echo "  [$key] server did not start"; stop; return 1; }
		set -- "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$P --retransmit 1000 ;;
	tftp-hpa)
		command -v in.tftpd >/dev/null || return 1
		in.tftpd -L -s "$R" -a 127.0.0.1:$P -u nobody -m "$W/hpa.map" 2>"$log" &
		SRV=$!; wait_udp "$P" || { echo "  [$key] server did not start"; stop; return 1; }
		set -- "$BIN/ctl-tftp-load" -q -s 127.0.0.1:$P --retransmit 1000 ;;
	http-ctl)
		# -q as for the TFTP storm: one log line per request would be measured too.
		"$BIN/ctl-tftpd" -q --listen 127.0.0.1:0 --http 127.0.0.1:$P --root "$R" 2>"$log" &
		SRV=$!; wait_tcp "$P" || { echo "  [$key] server did not start"; stop; return 1; }
		set -- "$BIN/ctl-http-load" -q -s 127.0.0.1:$P ;;
	esac
	c0=$(cpu_ticks "$SRV")
	timeout "$LIMIT" "$@" -n "$PHONES" --source-range 127.1.0.0/16 --give-up "$GIVE_UP" $FILES > "$out" 2>&1
	[ $? -eq 124 ] && echo "STUCK after $LIMIT s" >> "$out"
	c1=$(cpu_ticks "$SRV")
	stop
	{
		if grep -q '^RESULT' "$out"; then
			echo "secs $(field secs "$out")"
			echo "failed $(( $(field failed "$out") + $(field corrupt "$out") ))"
			echo "rate $(field rate "$out")"
			echo "p99 $(field p99 "$out")"
			ok=$(field ok "$out")
			[ "$ok" -gt 0 ] && echo "cpu_ms $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$ok" 'BEGIN { printf "%.3f", t * 1000 / hz / n }')"
		else
			echo "secs stuck"; echo "failed $((PHONES * 3))"
			sed "s/^/  [$key] /" "$out" | head -3 >&2
		fi
	} > "$W/$key.res"
}

echo "bench-http: $(nproc) CPUs; storms of $PHONES phones x 3 files (CTLSEP, ITLSEP, SEP<MAC>.cnf.xml), each phone from its own 127.1.x.y address"
RAN=""
for k in tftp-ctl tftp-hpa http-ctl; do storm "$k" && RAN="$RAN $k"; done
case " $RAN " in *" http-ctl "*) ;; *) die "the HTTP storm did not run" ;; esac

get() { sed -n "s/^$2 //p" "$W/$1.res" 2>/dev/null; }
# ratio A B: A / B with two decimals, or "-".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else printf "-" }'; }
echo
printf '%-34s %-16s %-16s %-16s %s\n' figure "HTTP ctl-tftpd" "TFTP ctl-tftpd" "TFTP tftpd-hpa" "HTTP / TFTP ctl-tftpd, / tftpd-hpa"
for f in secs failed rate p99 cpu_ms; do
	case $f in
	secs) label="storm wall time, s" ;; failed) label="transfers failed (of $((PHONES * 3)))" ;;
	rate) label="transfers/s over the storm" ;; p99) label="p99 per file, ms" ;; cpu_ms) label="server CPU per transfer, ms" ;;
	esac
	h=$(get http-ctl $f); t=$(get tftp-ctl $f); a=$(get tftp-hpa $f)
	printf '%-34s %-16s %-16s %-16s %s, %s\n' "$label" "${h:--}" "${t:--}" "${a:--}" "$(ratio "$h" "$t")" "$(ratio "$h" "$a")"
done
echo "Ratio = the HTTP figure / the TFTP figure of that server, measured in the same run on freshly started servers."
[ "$(get http-ctl failed)" = 0 ] || { echo "bench-http: ctl-tftpd failed $(get http-ctl failed) HTTP transfers (target 0)"; exit 1; }
exit 0
