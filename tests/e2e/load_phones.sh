#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The load generators behave like real phones. ctl-tftp-load and
# phone-verifier fleet with --source-range send each phone's requests from
# an address of its own (ctl-tftpd's log shows one 127.x.y.z per phone, and
# one phone per address); with --retransmit they resend an unanswered RRQ
# at that interval, counted by a server that answers each client only after
# a delay (tests/tools/tftp/slow-tftpd.py); --retransmit 0 never resends
# and --give-up bounds how long a phone waits.
. "$(dirname "$0")/../lib/e2e.sh"
need_pki
LOAD=$BIN/ctl-tftp-load
PV=$BIN/phone-verifier
SLOW=$TOP/tests/tools/tftp/slow-tftpd.py
R=$T_TMP/root
mkdir -p "$R"
CC=$BIN/ctl-client
"$CC" build --out "$R/CTLFile.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --capf "$PKI/capf.pem" --sign-key "$PKI/sast1.key" \
	--sign-cert "$PKI/sast1.pem" >/dev/null || { echo "Bail out! ctl-client build failed"; exit 1; }
"$CC" build --itl --tokenless --out "$R/ITLFile.tlv" --sast "$PKI/ccm1.pem" --ccm-tftp "$PKI/ccm1.pem" \
	--tvs "$PKI/tvs1.pem" --sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem" >/dev/null ||
	{ echo "Bail out! ctl-client build --itl failed"; exit 1; }
chmod -R a+rX "$R"

# distinct_src PREFIX LOG: distinct source addresses under PREFIX in ctl-tftpd's Read Request lines.
distinct_src() {
	sed -n "s/.*Read Request from\[\($1[0-9.]*\):[0-9]*\].*/\1/p" "$2" | sort -u | wc -l
}
# macs_per_src PREFIX LOG: the largest number of distinct MACs one source address asked for.
macs_per_src() {
	sed -n "s/.*Read Request from\[\($1[0-9.]*\):[0-9]*\] for\[[A-Z]*SEP\([0-9A-F]*\)\..*/\1 \2/p" "$2" |
		sort -u | awk '{ n[$1]++ } END { m = 0; for (a in n) if (n[a] > m) m = n[a]; print m }'
}

# --- source addresses, seen by ctl-tftpd ---
LOG=$T_TMP/tftpd.log
start_ctl_tftpd "$LOG" --root "$R"
expect_exit "200 phones from their own addresses (exit 0)" 0 "$LOAD" -s 127.0.0.1:$TPORT -n 200 \
	--source-range 127.1.0.0/16 -f "CTLSEP%M.tlv=$R/CTLFile.tlv" -f "ITLSEP%M.tlv=$R/ITLFile.tlv"
expect_grep "all 400 transfers ok" "RESULT ok=400 failed=0 corrupt=0" "$T_TMP/last.out"
expect_eq "ctl-tftpd saw 200 distinct 127.1.x.y sources" "$(distinct_src '127\.1\.' "$LOG")" 200
expect_eq "each address asked for one phone's files" "$(macs_per_src '127\.1\.' "$LOG")" 1
expect_exit "50 phones without --source-range (exit 0)" 0 "$LOAD" -s 127.0.0.1:$TPORT -n 50 \
	--mac-base 002233000000 -f "CTLSEP%M.tlv=$R/CTLFile.tlv"
n=$(grep -c 'Read Request from\[127\.0\.0\.1:[0-9]*\] for\[CTLSEP002233' "$LOG")
expect_eq "without it all 50 come from 127.0.0.1" "$n" 50

expect_exit "fleet: 100 phones from their own addresses (exit 0)" 0 "$PV" fleet --count 100 \
	--concurrency 100 --source-range 127.3.0.0/16 --tftp 127.0.0.1:$TPORT --json
expect_grep "fleet: 100 phones with the server's md5" "\"server_md5_phones\":100" "$T_TMP/last.out"
expect_eq "ctl-tftpd saw 100 distinct 127.3.x.y sources" "$(distinct_src '127\.3\.' "$LOG")" 100
expect_eq "each fleet address asked for one phone's files" "$(macs_per_src '127\.3\.' "$LOG")" 1

expect_exit "a range this host does not hold: exit 2" 2 "$LOAD" -s 127.0.0.1:$TPORT -n 1 \
	--source-range 192.0.2.0/24
expect_grep "names the address it cannot send from" "cannot send from 192.0.2.1:0" "$T_TMP/last.err"
expect_exit "a malformed range: exit 2" 2 "$LOAD" -s 127.0.0.1:$TPORT -n 1 --source-range 127.1.0.0/40
expect_exit "fleet: a malformed range: exit 2" 2 "$PV" fleet --count 1 --tftp 127.0.0.1:$TPORT \
	--source-range 127.1.0.0
expect_exit "an IPv6 server with an IPv4 range: exit 2" 2 "$LOAD" -s '[::1]:69' -n 1 \
	--source-range 127.1.0.0/16

# --- retransmission, counted by a server that answers each client after a delay ---
# start_slow NAME DELAY MODE: sets SPORT and SLOG.
start_slow() {
	SLOG=$T_TMP/$1.rrq
	: > "$SLOG"
	python3 "$SLOW" "$T_TMP/$1.port" "$SLOG" "$2" "$3" 60 &
	T_PIDS="$T_PIDS $!"
	wait_for 10 test -s "$T_TMP/$1.port" || { echo "Bail out! slow-tftpd did not start"; exit 1; }
	SPORT=$(cat "$T_TMP/$1.port")
}
# rrq_range PREFIX: "MIN MAX" RRQs per client (address, port, name) from PREFIX.
rrq_range() {
	awk -v p="$1" 'index($1, p) == 1 { n[$0]++ }
		END { mn = -1; mx = 0; for (k in n) { if (mn < 0 || n[k] < mn) mn = n[k]; if (n[k] > mx) mx = n[k] }
		      print mn, mx }' "$SLOG"
}
# rrq_clients PREFIX: distinct clients from PREFIX.
rrq_clients() { awk -v p="$1" 'index($1, p) == 1 { print $1, $2, $3 }' "$SLOG" | sort -u | wc -l; }
printf 'slow\n' > "$T_TMP/slow.expect"

start_slow data 1 data
expect_exit "--retransmit 200 against a server answering after 1 s: all served" 0 "$LOAD" \
	-s 127.0.0.1:$SPORT -n 20 --source-range 127.4.0.0/24 --retransmit 200 --give-up 10000 \
	-f "slow.bin=$T_TMP/slow.expect"
expect_eq "20 phones asked" "$(rrq_clients 127.4.0.)" 20
set -- $(rrq_range 127.4.0.)
check "every phone resent its RRQ (min $1 RRQs)" test "$1" -ge 2
check "and stopped once served (max $2 RRQs, 1 s at 200 ms: about 6)" test "$2" -le 10
expect_exit "--retransmit 0 against the same server: all served" 0 "$LOAD" \
	-s 127.0.0.1:$SPORT -n 20 --source-range 127.5.0.0/24 --retransmit 0 --give-up 10000 \
	-f "slow.bin=$T_TMP/slow.expect"
expect_eq "--retransmit 0: each phone sent exactly one RRQ" "$(rrq_range 127.5.0.)" "1 1"

start_slow never 100 data
expect_exit "--give-up 1000 against a server that never answers: all fail (exit 1)" 1 "$LOAD" \
	-s 127.0.0.1:$SPORT -n 10 --source-range 127.6.0.0/24 --retransmit 200 --give-up 1000 -q \
	-f slow.bin
expect_grep "10 transfers failed" "RESULT ok=0 failed=10" "$T_TMP/last.out"
set -- $(rrq_range 127.6.0.)
check "each phone retransmitted (min $1 RRQs)" test "$1" -ge 2
check "and gave up after 1 s (max $2 RRQs, 1 s at 200 ms: 5)" test "$2" -le 6

start_slow fleet 0.6 error
# The server answers every name "not found": each phone ends with No Trust List Installed (exit 1).
expect_exit "fleet --retransmit 200 against a slow server: ends" 1 "$PV" fleet --count 10 \
	--concurrency 10 --source-range 127.7.0.0/24 --retransmit 200 --retries 20 \
	--tftp 127.0.0.1:$SPORT --json
expect_grep "fleet: 10 phones answered (not found) after the delay" '"No Trust List Installed":10' "$T_TMP/last.out"
set -- $(rrq_range 127.7.0.)
check "fleet: every request resent (min $1 RRQs)" test "$1" -ge 2
check "fleet: and stopped once answered (max $2 RRQs)" test "$2" -le 8
expect_exit "fleet --retransmit 0: ends" 1 "$PV" fleet --count 10 --concurrency 10 \
	--source-range 127.8.0.0/24 --retransmit 0 --tftp 127.0.0.1:$SPORT --json
expect_eq "fleet --retransmit 0: one RRQ per request" "$(rrq_range 127.8.0.)" "1 1"
check "fleet: 10 phones asked, each from its own address" test "$(awk 'index($1, "127.8.0.") == 1 { print $1 }' "$SLOG" | sort -u | wc -l)" -eq 10
finish
