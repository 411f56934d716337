#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# TFTP boot-storm benchmark: ctl-tftpd against tftpd-hpa and dnsmasq (and
# atftpd on request), same load generator (ctl-tftp-load), same run.
#   bench/bench-tftp.sh [BUILD]
# A storm is PHONES phones at once, each from its own 127.1.x.y address,
# fetching CTLSEP<MAC>.tlv (5,000 bytes) then ITLSEP<MAC>.tlv (5,120 bytes),
# every download compared with the source; a phone gives up a file after
# GIVE_UP ms without progress. bench/tftp-storms.sh runs each server
# through the series: storms with phones that never retransmit, resend
# every 1 s and every 200 ms; the recovery after the 1 s and 200 ms storms
# (100 new phones: how long until all are served); the server's CPU time per
# transfer; a storm while another process keeps one core busy; a steady
# state of STEADY transfers, 10 at a time. Each figure is printed with its
# ratio against a baseline server measured in the same run.
# As root it raises net.core.rmem_max for the run (restored afterwards), so
# a server that asks for a large receive buffer (ctl-tftpd --rcvbuf) gets
# it; rmem_default stays as installed, so servers that do not ask run as
# they would on a stock host. (Raised for everyone, it let dnsmasq, which
# reads one request at a time, queue megabytes of stale retransmitted RRQs
# and serve them to phones long gone: BENCH_RMEM_DEFAULT=16777216 shows it.)
# Every wait is bounded; a stuck storm is reported as such.
# The storm with phones that never retransmit is a figure without a target:
# a client that sends its RRQ once loses whatever the kernel's socket buffer
# or the server's bounded admission queue drops, on every server (all of
# them fail thousands), so no server can promise 0 there.
# Exit status: 1 when ctl-tftpd fails a transfer in the 1 s, 200 ms or
# busy-core storm or in the steady state (target: 0).
# Environment:
#   BENCH_PHONES   phones per storm (10000)
#   BENCH_GIVE_UP  ms without progress before a phone gives up a file (30000)
#   BENCH_STEADY   steady-state transfers (5000)
#   BENCH_SERVERS  servers to run (default "ctl-tftpd tftpd-hpa dnsmasq"; add
#                  atftpd, downloaded and unpacked here, for a fourth column)
#   BENCH_BASELINE the server the ratios compare against (default dnsmasq,
#                  else tftpd-hpa, else the first server run)
#   BENCH_TFTPD_ARGS extra ctl-tftpd options, e.g. "--admit 512"
#   BENCH_LOAD_LIMIT seconds after which a load run is killed and reported
#                  stuck (default 2 x BENCH_GIVE_UP + 90 s)
#   BENCH_RMEM_DEFAULT net.core.rmem_default for the run (default: unchanged)
#   BENCH_KEEP     a folder to keep every load run's output and server log in
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
LOAD=$BIN/ctl-tftp-load
PHONES=${BENCH_PHONES:-10000}
GIVE_UP=${BENCH_GIVE_UP:-30000}
STEADY=${BENCH_STEADY:-5000}
SERVERS=${BENCH_SERVERS:-ctl-tftpd tftpd-hpa dnsmasq}
TFTPD_ARGS=${BENCH_TFTPD_ARGS:-}
want() { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-tftp.XXXXXX")
chmod 755 "$W"   # atftpd and dnsmasq read the root as nobody
SYSCTL_RESTORE=""
cleanup() {
	[ -n "$SYSCTL_RESTORE" ] && sysctl -q -w $SYSCTL_RESTORE >/dev/null
	if [ -n "${BENCH_KEEP:-}" ]; then
		mkdir -p "$BENCH_KEEP" && cp "$W"/*.res "$W"/*.log "$W"/*.none "$W"/*.r1000 "$W"/*.r200 \
			"$W"/*.busy "$W"/*.recovery* "$W"/*.steady "$BENCH_KEEP"/ 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

die() { echo "bench-tftp: $*" >&2; exit 1; }
[ -x "$BIN/ctl-tftpd" ] && [ -x "$LOAD" ] || die "build first: make all bench-build"
# The baselines are benchmark-only packages: `scripts/install-deps bench`.
if { want tftpd-hpa && ! command -v in.tftpd >/dev/null; } ||
	{ want dnsmasq && ! command -v dnsmasq >/dev/null; }; then
	"$TOP/scripts/install-deps" bench || echo "bench-tftp: baseline servers missing (scripts/install-deps bench)" >&2
fi

if [ "$(id -u)" = 0 ]; then
	SYSCTL_RESTORE="net.core.rmem_max=$(sysctl -n net.core.rmem_max) net.core.rmem_default=$(sysctl -n net.core.rmem_default)"
	sysctl -q -w net.core.rmem_max=33554432 >/dev/null
	[ -n "${BENCH_RMEM_DEFAULT:-}" ] && sysctl -q -w net.core.rmem_default="$BENCH_RMEM_DEFAULT" >/dev/null
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null

R=$W/root
mkdir -p "$R"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"
chmod 755 "$R"; chmod 644 "$R"/*
printf 'r ^CTLSEP[0-9A-Fa-f]{12}\\.tlv$ CTLFile.tlv\nr ^ITLSEP[0-9A-Fa-f]{12}\\.tlv$ ITLFile.tlv\n' > "$W/hpa.map"
printf '^CTLSEP[0-9A-Fa-f]{12}\\.tlv$ CTLFile.tlv\n^ITLSEP[0-9A-Fa-f]{12}\\.tlv$ ITLFile.tlv\n' > "$W/atftpd.pcre"
ATFTPD=$W/atftpd/usr/sbin/atftpd
export LOAD BIN R PHONES GIVE_UP STEADY TFTPD_ARGS ATFTPD

echo "bench-tftp: $(nproc) CPUs, rmem_default $(sysctl -n net.core.rmem_default), rmem_max $(sysctl -n net.core.rmem_max), load generator $LOAD"
echo "bench-tftp: storms of $PHONES phones x 2 files, each phone from its own 127.1.x.y address;" \
	"a phone gives up a file after $((GIVE_UP / 1000)) s without progress"
RAN=""
for s in $SERVERS; do
	case $s in
	ctl-tftpd) ;;
	tftpd-hpa)
		command -v in.tftpd >/dev/null || { echo "  [tftpd-hpa] not installed: skipped"; continue; } ;;
	atftpd)
		# atftpd conflicts with tftpd-hpa: unpacked here, not installed.
		[ -x "$ATFTPD" ] || (cd "$W" && timeout 120 apt-get download atftpd >/dev/null 2>&1 &&
			dpkg-deb -x atftpd_*.deb "$W/atftpd") || true
		[ -x "$ATFTPD" ] || { echo "  [atftpd] not available (apt-get download atftpd failed): skipped"; continue; } ;;
	dnsmasq)
		# Port 69 only: inside a private network namespace, with its own loopback.
		if [ "$(id -u)" != 0 ] || ! command -v dnsmasq >/dev/null || ! command -v unshare >/dev/null; then
			echo "  [dnsmasq] not available (needs root, dnsmasq-base and unshare): skipped"; continue
		fi
		unshare --net sh -c 'ip link set lo up && exec sh "$0" "$@"' "$TOP/bench/tftp-storms.sh" dnsmasq "$W"
		RAN="$RAN dnsmasq"
		continue ;;
	*) echo "  [$s] unknown server: skipped"; continue ;;
	esac
	sh "$TOP/bench/tftp-storms.sh" "$s" "$W"
	RAN="$RAN $s"
done
[ -n "$RAN" ] || die "no server ran"

BASE=${BENCH_BASELINE:-}
if [ -z "$BASE" ]; then
	for b in dnsmasq tftpd-hpa; do case " $RAN " in *" $b "*) BASE=$b; break ;; esac; done
	[ -n "$BASE" ] || BASE=$(echo $RAN | cut -d' ' -f1)
fi

# --- report: one row per figure, one column per server, "value (ratio)" ---
for s in $RAN; do sed "s/^/$s /" "$W/$s.res"; done > "$W/all.res"
echo
awk -v servers="$RAN" -v base="$BASE" -v phones="$PHONES" -v hz="$(getconf CLK_TCK)" '
	{ v[$1, $2] = $3 }
	function num(x) { return x ~ /^[0-9.]+$/ }
	# cell(figure, server, fmt, kind): the value, then its ratio to the baseline.
	function cell(f, s, fmt, kind,   x, b, r) {
		if (!((s, f) in v)) return "-"
		x = v[s, f]; b = v[base, f]
		if (!num(x)) return x
		r = ""
		if (s != base && num(b) && b > 0) r = sprintf(" (%.2fx)", x / b)
		else if (s != base && num(b) && b == 0 && x > 0) r = " (base 0)"
		return sprintf(fmt, x) r
	}
	function row(label, f, fmt,   i) {
		printf "%-40s", label
		for (i = 1; i <= n; i++) printf " %-20s", cell(f, s[i], fmt)
		printf "\n"
	}
	END {
		n = split(servers, s, " ")
		for (i = 1; i <= n; i++) {
			# derived figures
			if ((s[i], "r1000.ok") in v && v[s[i], "r1000.ok"] > 0)
				v[s[i], "cpu_ms"] = v[s[i], "r1000.cpu"] * 1000 / hz / v[s[i], "r1000.ok"]
			if ((s[i], "recovery.secs") in v && v[s[i], "recovery.failed"] > 0 && num(v[s[i], "recovery.secs"]))
				v[s[i], "recovery.secs"] = "not-all-served"
			if ((s[i], "recovery200.secs") in v && v[s[i], "recovery200.failed"] > 0 && num(v[s[i], "recovery200.secs"]))
				v[s[i], "recovery200.secs"] = "not-all-served"
			if ((s[i], "peak_kb") in v) v[s[i], "peak_mb"] = v[s[i], "peak_kb"] / 1024
		}
		printf "Boot storm: %d phones x 2 files at once; ratios against %s, measured in the same run\n", phones, base
		printf "%-40s", "figure"
		for (i = 1; i <= n; i++) printf " %-20s", s[i]
		printf "\n"
		row("storm, no retransmit: failed (no target)", "none.failed", "%d")
		row("storm, no retransmit: wall s", "none.secs", "%.2f")
		row("storm, retransmit 1 s: failed", "r1000.failed", "%d")
		row("storm, retransmit 1 s: wall s", "r1000.secs", "%.2f")
		row("storm, retransmit 200 ms: failed", "r200.failed", "%d")
		row("storm, retransmit 200 ms: wall s", "r200.secs", "%.2f")
		row("recovery after 1 s storm: 100 phones, s", "recovery.secs", "%.2f")
		row("  its transfers failed (of 200)", "recovery.failed", "%d")
		row("recovery after 200 ms storm, s", "recovery200.secs", "%.2f")
		row("  its transfers failed (of 200)", "recovery200.failed", "%d")
		row("server CPU per transfer, ms (1 s)", "cpu_ms", "%.3f")
		row("storm, one core busy: failed", "busy.failed", "%d")
		row("storm, one core busy: wall s", "busy.secs", "%.2f")
		row("steady state, transfers/s", "steady.rate", "%d")
		row("steady state p99, ms", "steady.p99", "%d")
		row("peak memory, MB (1 s storm)", "peak_mb", "%.1f")
		row("kernel RcvbufErrors (1 s storm)", "r1000.drops", "%d")
		row("client retransmissions (1 s storm)", "r1000.retrans", "%d")
		printf "Targets: 0 failures in the 1 s, 200 ms and busy-core storms; recovery under 2 s. The storm\n"
		printf "with no retransmission has no target: what the socket buffer or the queue drops is lost.\n"
		printf "Each storm starts on a freshly started server; \"stuck\": the load run was killed at its time limit; ratio = value / %s.\n", base
	}' "$W/all.res"

case " $RAN " in *" ctl-tftpd "*) ;; *) exit 0 ;; esac
bad=$(awk '$1 == "ctl-tftpd" && $2 ~ /^(r1000|r200|busy|steady)\.failed$/ && $3 != 0' "$W/all.res")
[ -z "$bad" ] || { echo "bench-tftp: ctl-tftpd misses the 0-failure target:" $(echo "$bad" | awk '{ print $2 "=" $3 }'); exit 1; }
exit 0
