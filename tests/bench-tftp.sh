#!/bin/sh
# TFTP boot-storm benchmark: ctl-tftpd against tftpd-hpa (and atftpd,
# dnsmasq when they can run side by side), same load generator, same run.
#   tests/bench-tftp.sh [BUILD]
# Storm: 10,000 phones at once, each fetching CTLSEP<MAC>.tlv (5,000 bytes)
# then ITLSEP<MAC>.tlv (5,120 bytes), every download compared with the
# source. Steady state: 5,000 phones x 1 file, 10 at a time. Prints total
# time, transfers/s, failures, peak RSS, and each figure's ratio against
# tftpd-hpa. As root it raises net.core.rmem_max/rmem_default for the run
# (restored afterwards) as tftp-notes section 8 describes.
# Environment: BENCH_PHONES (10000), BENCH_STEADY (5000), BENCH_SERVERS
# BENCH_TFTPD_ARGS (extra ctl-tftpd options, e.g. "--admit 512"),
# (default "ctl-tftpd tftpd-hpa atftpd dnsmasq": run only some, e.g.
# "ctl-tftpd dnsmasq" while iterating; without tftpd-hpa the "vs hpa"
# columns compare against the first server run).
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
LOAD=$BIN/ctl-tftp-load
PHONES=${BENCH_PHONES:-10000}
SERVERS=${BENCH_SERVERS:-ctl-tftpd tftpd-hpa atftpd dnsmasq}
want() { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }
STEADY=${BENCH_STEADY:-5000}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-tftp.XXXXXX")
chmod 755 "$W"   # atftpd and dnsmasq read the root as nobody
PIDS=""
SYSCTL_RESTORE=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "$SYSCTL_RESTORE" ] && sysctl -q -w $SYSCTL_RESTORE >/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

die() { echo "bench-tftp: $*" >&2; exit 1; }
[ -x "$BIN/ctl-tftpd" ] && [ -x "$LOAD" ] || die "build first: make all bench-build"
! want tftpd-hpa || command -v in.tftpd >/dev/null || "$TOP/scripts/install-deps" bench || die "tftpd-hpa (in.tftpd) missing"

if [ "$(id -u)" = 0 ]; then
	SYSCTL_RESTORE="net.core.rmem_max=$(sysctl -n net.core.rmem_max) net.core.rmem_default=$(sysctl -n net.core.rmem_default)"
	sysctl -q -w net.core.rmem_max=33554432 net.core.rmem_default=16777216 >/dev/null
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null

R=$W/root
mkdir -p "$R"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"
chmod 755 "$R"; chmod 644 "$R"/*
printf 'r ^CTLSEP[0-9A-Fa-f]{12}\\.tlv$ CTLFile.tlv\nr ^ITLSEP[0-9A-Fa-f]{12}\\.tlv$ ITLFile.tlv\n' > "$W/hpa.map"
printf '^CTLSEP[0-9A-Fa-f]{12}\\.tlv$ CTLFile.tlv\n^ITLSEP[0-9A-Fa-f]{12}\\.tlv$ ITLFile.tlv\n' > "$W/atftpd.pcre"
FILES="-f CTLSEP%M.tlv=$R/CTLFile.tlv -f ITLSEP%M.tlv=$R/ITLFile.tlv"

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rcvbuf_errors() { awk '/^Udp:/ { if (h) print $7; h = 1 }' /proc/net/snmp; }

# Peak memory of a server: proportional set size (Pss) of every process
# named $1, summed (tftpd-hpa forks per request and its children share
# pages, so summing RSS would count the shared pages once per child),
# sampled every 0.25 s; single-process servers also report their VmHWM.
rss_sampler() {
	name=$1; out=$2; peak=0
	while :; do
		s=0
		for p in $(pgrep -x "$name"); do
			v=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null)
			s=$((s + ${v:-0}))
		done
		[ "$s" -gt "$peak" ] && peak=$s && echo "$peak" > "$out"
		sleep 0.25
	done
}

field() { v=$(sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2" 2>/dev/null | tail -1); echo "${v:-0}"; }
# A load run is bounded: a server that stops answering costs minutes, not hours.
load() { timeout 300 "$LOAD" "$@"; }

# run NAME PROCNAME ADDR: storm then steady state against a started server.
run() {
	name=$1; proc=$2; addr=$3
	echo 0 > "$W/$name.rss"
	rss_sampler "$proc" "$W/$name.rss" &
	SP=$!
	e0=$(rcvbuf_errors)
	load -q -s "$addr" -n "$PHONES" $FILES > "$W/$name.storm" 2>&1
	e1=$(rcvbuf_errors)
	if [ "$(field ok "$W/$name.storm")" -gt 0 ]; then
		load -q -s "$addr" -n "$STEADY" -c 10 -f "CTLSEP%M.tlv=$R/CTLFile.tlv" > "$W/$name.steady" 2>&1
	else
		echo "RESULT ok=0 failed=$STEADY corrupt=0 secs=0 rate=0" > "$W/$name.steady"
	fi
	kill $SP; wait $SP 2>/dev/null
	hwm=0
	if [ "$(pgrep -x "$proc" | wc -l)" -eq 1 ]; then
		hwm=$(awk '/^VmHWM:/ {print $2}' /proc/$(pgrep -x "$proc")/status 2>/dev/null)
	fi
	peak=$(cat "$W/$name.rss")
	[ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
	echo "$name $(field secs "$W/$name.storm") $(field rate "$W/$name.storm") \
$(( $(field failed "$W/$name.storm") + $(field corrupt "$W/$name.storm") )) $peak \
$(field rate "$W/$name.steady") $(( $(field failed "$W/$name.steady") + $(field corrupt "$W/$name.steady") )) \
$((e1 - e0)) $(field retrans "$W/$name.storm") $(field p99 "$W/$name.steady")" >> "$W/results"
	grep -v '^RESULT' "$W/$name.storm" | head -5 | sed "s/^/  [$name] /"
}

wait_udp() { i=0; while [ $i -lt 100 ]; do ss -Hlun "sport = :$1" | grep -q . && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }

echo "bench-tftp: $PHONES phones x 2 files at once; steady state $STEADY transfers, 10 concurrent"
echo "bench-tftp: $(nproc) CPUs, rmem_default $(sysctl -n net.core.rmem_default), load generator $LOAD"

# --- ctl-tftpd ---
if want ctl-tftpd; then
P=$(free_port)
"$BIN/ctl-tftpd" -q --listen 127.0.0.1:$P --root "$R" --max-transfers 20000 ${BENCH_TFTPD_ARGS:-} 2>"$W/ctl.log" &
CP=$!; PIDS="$PIDS $CP"
wait_udp $P || die "ctl-tftpd did not start: $(cat "$W/ctl.log")"
run ctl-tftpd ctl-tftpd 127.0.0.1:$P
kill $CP; wait $CP 2>/dev/null
fi

# --- tftpd-hpa ---
if want tftpd-hpa; then
P=$(free_port)
in.tftpd -L -s "$R" -a 127.0.0.1:$P -u nobody -m "$W/hpa.map" &
HP=$!; PIDS="$PIDS $HP"
wait_udp $P || die "in.tftpd did not start"
run tftpd-hpa in.tftpd 127.0.0.1:$P
kill $HP; wait $HP 2>/dev/null
fi

# --- atftpd, unpacked beside tftpd-hpa (the packages conflict) ---
if ! want atftpd; then
	:
elif [ ! -x "$W/atftpd/usr/sbin/atftpd" ]; then
	(cd "$W" && apt-get download atftpd >/dev/null 2>&1 && dpkg-deb -x atftpd_*.deb "$W/atftpd") || true
fi
if ! want atftpd; then
	:
elif [ -x "$W/atftpd/usr/sbin/atftpd" ]; then
	P=$(free_port)
	"$W/atftpd/usr/sbin/atftpd" --daemon --no-fork --port $P --bind-address 127.0.0.1 --logfile /dev/null \
		--user nobody.nogroup --maxthread 400 --pcre "$W/atftpd.pcre" "$R" &
	AP=$!; PIDS="$PIDS $AP"
	if wait_udp $P; then run atftpd atftpd 127.0.0.1:$P; else echo "  [atftpd] did not start"; fi
	kill $AP; wait $AP 2>/dev/null
else
	echo "  [atftpd] not available (apt-get download atftpd failed): skipped"
fi

# --- dnsmasq: port 69 only, so inside a private network namespace (root) ---
if ! want dnsmasq; then
	:
elif [ "$(id -u)" = 0 ] && ! command -v dnsmasq >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dnsmasq-base >/dev/null 2>&1 || true
fi
if ! want dnsmasq; then
	:
elif [ "$(id -u)" = 0 ] && command -v dnsmasq >/dev/null && command -v unshare >/dev/null; then
	export R W LOAD PHONES STEADY
	unshare --net sh -c '
		ip link set lo up
		dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --enable-tftp=lo \
			--tftp-root="$R" --listen-address=127.0.0.1 --bind-interfaces --user=nobody \
			--log-facility="$W/dnsmasq.log" --pid-file="$W/dnsmasq.pid" --tftp-max=1000 \
			2>"$W/dnsmasq.err" & D=$!
		sleep 0.5
		# dnsmasq has no name mapping: the phones fetch the cluster files by name.
		timeout 300 $LOAD -q -s 127.0.0.1:69 -n "$PHONES" -f "CTLFile.tlv=$R/CTLFile.tlv" -f "ITLFile.tlv=$R/ITLFile.tlv" > "$W/dnsmasq.storm" 2>&1
		h=$(awk "/^VmHWM:/ {print \$2}" /proc/$D/status)
		timeout 300 $LOAD -q -s 127.0.0.1:69 -n "$STEADY" -c 10 -f "CTLFile.tlv=$R/CTLFile.tlv" > "$W/dnsmasq.steady" 2>&1
		echo "$h" > "$W/dnsmasq.rss"
		kill $D; wait $D' 2>/dev/null
	if [ -s "$W/dnsmasq.storm" ]; then
		echo "dnsmasq $(field secs "$W/dnsmasq.storm") $(field rate "$W/dnsmasq.storm") \
$(( $(field failed "$W/dnsmasq.storm") + $(field corrupt "$W/dnsmasq.storm") )) $(cat "$W/dnsmasq.rss") \
$(field rate "$W/dnsmasq.steady") $(( $(field failed "$W/dnsmasq.steady") + $(field corrupt "$W/dnsmasq.steady") )) - \
$(field retrans "$W/dnsmasq.storm") $(field p99 "$W/dnsmasq.steady")" >> "$W/results"
	else
		echo "  [dnsmasq] did not run: $(head -3 "$W/dnsmasq.err" 2>/dev/null)"
	fi
else
	echo "  [dnsmasq] not available (needs root, dnsmasq-base and unshare): skipped"
fi

# --- report ---
echo
awk -v phones="$PHONES" '
	{ n[NR] = $1; secs[NR] = $2; rate[NR] = $3; fail[NR] = $4; rss[NR] = $5; srate[NR] = $6;
	  sfail[NR] = $7; drops[NR] = $8; retr[NR] = $9; p99[NR] = $10; if ($1 == "tftpd-hpa") h = NR }
	END {
	  if (!h) h = 1
	  printf "Boot storm: %d phones x 2 files (%d transfers) at once\n", phones, phones * 2
	  printf "%-10s %9s %9s %12s %7s %9s %10s %9s %12s %7s %9s\n", "server", "time s", "vs hpa", "transfers/s", "vs hpa",
	         "failures", "peak mem", "vs hpa", "steady tr/s", "vs hpa", "steady p99"
	  for (i = 1; i <= NR; i++)
	    printf "%-10s %9.3f %8.1fx %12d %6.1fx %9d %8.1f MB %8.2fx %12d %6.1fx %7d ms\n", n[i], secs[i],
	           secs[h] / secs[i], rate[i], rate[i] / rate[h], fail[i] + sfail[i], rss[i] / 1024,
	           rss[i] / rss[h], srate[i], srate[i] / srate[h], p99[i]
	  printf "(\"vs hpa\" for time: how many times faster; kernel RcvbufErrors during each storm:"
	  for (i = 1; i <= NR; i++) printf " %s %s", n[i], drops[i]
	  printf "; client retransmissions:"
	  for (i = 1; i <= NR; i++) printf " %s %s", n[i], retr[i]
	  printf ")\n"
	}' "$W/results"
want ctl-tftpd || exit 0
ctl=$(awk '$1 == "ctl-tftpd"' "$W/results")
set -- $ctl
[ "$4" = 0 ] && [ "$7" = 0 ] && [ "$5" -lt 65536 ]
