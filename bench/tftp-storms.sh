#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# One TFTP server through the boot-storm series of bench/bench-tftp.sh:
#   bench/tftp-storms.sh NAME WORKDIR
# NAME is ctl-tftpd, tftpd-hpa, atftpd or dnsmasq. dnsmasq serves TFTP on
# port 69 only, so bench-tftp.sh runs this script for it inside a private
# network namespace; the others listen on a loopback high port.
#
# Every storm starts on a freshly started server, so one storm's leftovers
# never count against the next; only the recovery phase follows its storm
# on the same server, since recovering from that storm is what it measures.
#   none   phones send each RRQ and ACK once (the server must retransmit)
#   r1000  phones resend every 1 s, then "recovery": 100 new phones from
#          other addresses, started as soon as the storm is over
#   r200   phones resend every 200 ms, then recovery again
#   busy   as r1000 while another process keeps one core busy
#   steady STEADY transfers, 10 at a time
# Each phone sends from its own 127.1.x.y address. Results go to
# WORKDIR/NAME.res as "key value" lines. Every wait is bounded: a load run
# that outlives its limit is killed and recorded as stuck.
# Environment (set by bench-tftp.sh): LOAD, BIN, R (files served), PHONES,
# GIVE_UP (ms without progress before a phone gives up), STEADY,
# TFTPD_ARGS (extra ctl-tftpd options), ATFTPD (atftpd binary).
set -u
NAME=$1
W=$2
RES=$W/$NAME.res
. "$(dirname "$0")/bench-lib.sh"
: > "$RES"
SRV_PID=""
SRV_ADDR=""
HOG=""
SAMPLER=""
# A load run ends by itself once every phone is served or has given up:
# two files, each up to GIVE_UP without progress, plus the start of 10,000
# sockets. The limit only catches a load generator that hangs.
# BENCH_LOAD_LIMIT overrides it (seconds).
LIMIT=${BENCH_LOAD_LIMIT:-$((GIVE_UP * 2 / 1000 + 90))}

cleanup() {
	for p in $SAMPLER $HOG $SRV_PID; do kill "$p" 2>/dev/null; done
	for p in $SAMPLER $HOG $SRV_PID; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT INT TERM

put() { echo "$1 $2" >> "$RES"; }
# RcvbufErrors: field 6 of the second Udp: line of /proc/net/snmp.
rcvbuf_errors() { awk '/^Udp:/ { if (h) print $6; h = 1 }' /proc/net/snmp; }

# Peak memory during the 1 s storm: proportional set size (Pss) of the
# server and its children summed (forked children share pages), sampled
# every 0.25 s, or the server's VmHWM when larger.
rss_sampler() {
	peak=0
	while kill -0 "$1" 2>/dev/null; do
		s=0
		for p in $1 $(pgrep -P "$1" 2>/dev/null); do
			v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
			s=$((s + ${v:-0}))
		done
		[ "$s" -gt "$peak" ] && peak=$s && echo "$peak" > "$2"
		sleep 0.25
	done
}

# The files each phone fetches: the per-device names where the server maps
# them to the cluster files, the cluster files by name on dnsmasq.
if [ "$NAME" = dnsmasq ]; then
	FILES="-f CTLFile.tlv=$R/CTLFile.tlv -f ITLFile.tlv=$R/ITLFile.tlv"
	ONE="-f CTLFile.tlv=$R/CTLFile.tlv"
else
	FILES="-f CTLSEP%M.tlv=$R/CTLFile.tlv -f ITLSEP%M.tlv=$R/ITLFile.tlv"
	ONE="-f CTLSEP%M.tlv=$R/CTLFile.tlv"
fi

srv_start() {
	log=$W/$NAME.log
	case $NAME in
	ctl-tftpd)
		P=$(free_port)
		"$BIN/ctl-tftpd" -q --listen 127.0.0.1:$P --root "$R" --max-transfers 20000 $TFTPD_ARGS 2>>"$log" &
		;;
	tftpd-hpa)
		P=$(free_port)
		in.tftpd -L -s "$R" -a 127.0.0.1:$P -u nobody -m "$W/hpa.map" 2>>"$log" &
		;;
	atftpd)
		P=$(free_port)
		"$ATFTPD" --daemon --no-fork --port $P --bind-address 127.0.0.1 --logfile /dev/null \
			--user nobody.nogroup --maxthread 400 --pcre "$W/atftpd.pcre" "$R" 2>>"$log" &
		;;
	dnsmasq)
		P=69
		dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --enable-tftp=lo \
			--tftp-root="$R" --listen-address=127.0.0.1 --bind-interfaces --user=nobody \
			--log-facility="$log" --quiet-tftp --pid-file="$W/dnsmasq.pid" --tftp-max=1000 2>>"$log" &
		;;
	esac
	SRV_PID=$!
	SRV_ADDR=127.0.0.1:$P
	wait_udp "$P" && return 0
	echo "  [$NAME] did not start: $(tail -2 "$log" 2>/dev/null)"
	srv_stop
	return 1
}

srv_stop() {
	[ -n "$SRV_PID" ] || return 0
	kill "$SRV_PID" 2>/dev/null
	i=0
	while kill -0 "$SRV_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -9 "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=""
}

# load OUT ARGS...: one bounded run of the load generator; "stuck" when killed.
load() {
	out=$1; shift
	timeout "$LIMIT" "$LOAD" -q -s "$SRV_ADDR" "$@" > "$out" 2>&1
	[ $? -eq 124 ] && echo "STUCK after $LIMIT s" >> "$out"
	return 0
}

# record KEY OUT TRANSFERS: failures (with corrupt downloads) and wall time.
record() {
	if grep -q '^STUCK' "$2"; then
		put "$1.failed" "$3"; put "$1.secs" stuck
	elif grep -q '^RESULT' "$2"; then
		put "$1.failed" $(( $(field failed "$2") + $(field corrupt "$2") ))
		put "$1.secs" "$(field secs "$2")"
	else
		put "$1.failed" "$3"; put "$1.secs" error
		sed "s/^/  [$NAME $1] /" "$2" | head -3
	fi
}

# storm KEY LOADARGS...: a fresh server, one storm of PHONES phones x 2 files.
storm() {
	key=$1; shift
	srv_start || { put "$key.failed" $((PHONES * 2)); put "$key.secs" "no-server"; return 1; }
	if [ "$key" = r1000 ]; then
		echo 0 > "$W/$NAME.pss"
		rss_sampler "$SRV_PID" "$W/$NAME.pss" &
		SAMPLER=$!
	fi
	c0=$(cpu_ticks "$SRV_PID"); e0=$(rcvbuf_errors)
	load "$W/$NAME.$key" -n "$PHONES" --source-range 127.1.0.0/16 --give-up "$GIVE_UP" $FILES "$@"
	c1=$(cpu_ticks "$SRV_PID"); e1=$(rcvbuf_errors)
	if [ -n "$SAMPLER" ]; then
		kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""
		peak=$(cat "$W/$NAME.pss")
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SRV_PID/status" 2>/dev/null)
		[ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
		put peak_kb "$peak"
	fi
	record "$key" "$W/$NAME.$key" $((PHONES * 2))
	put "$key.ok" "$(field ok "$W/$NAME.$key")"
	put "$key.cpu" $((c1 - c0))
	put "$key.drops" $((e1 - e0))
	put "$key.retrans" "$(field retrans "$W/$NAME.$key")"
	return 0
}

# recovery KEY: right after the storm, on the same server, 100 new phones
# from other addresses; the time until the last of them has both files.
recovery() {
	load "$W/$NAME.$1" -n 100 --source-range 127.2.0.0/24 --mac-base 00AA00000000 \
		--retransmit 1000 --give-up 10000 $FILES
	record "$1" "$W/$NAME.$1" 200
}

echo "  [$NAME] storms: no retransmission, 1 s (+ recovery), 200 ms (+ recovery), one core busy; steady state"
storm none --retransmit 0 && srv_stop

if storm r1000 --retransmit 1000; then
	recovery recovery
	srv_stop
fi

if storm r200 --retransmit 200; then
	recovery recovery200
	srv_stop
fi

# One core kept busy by a plain shell loop, for as long as the storm may last.
timeout "$LIMIT" sh -c 'while :; do :; done' &
HOG=$!
storm busy --retransmit 1000 && srv_stop
kill "$HOG" 2>/dev/null; wait "$HOG" 2>/dev/null; HOG=""

if srv_start; then
	load "$W/$NAME.steady" -n "$STEADY" -c 10 --source-range 127.3.0.0/16 $ONE
	record steady "$W/$NAME.steady" "$STEADY"
	put steady.rate "$(field rate "$W/$NAME.steady")"
	put steady.p99 "$(field p99 "$W/$NAME.steady")"
	srv_stop
fi
exit 0
