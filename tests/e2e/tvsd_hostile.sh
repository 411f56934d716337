#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tvsd against hostile clients: a garbage header, a wrong protocol id
# or version, an element or a payload length past the bytes sent, an
# unknown command, a request trickled one byte a second past the deadline,
# 300 idle connections from 127.0.0.1 while 127.0.0.2 is still served,
# plain TCP without TLS, TLS 1.1 and TLS 1.2 without AEAD refused by
# default (and TLS 1.0 allowed only with tls_min = 1.0). Each bad request
# is closed without an answer and logged with the peer; the daemon keeps
# serving.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tvsd_env.inc"
need_tvsd

N=$T_TMP/node
make_tvs_node "$N"
start_tvsd "$N"
LOG=$N/log

# still_serving DESC: a good VERIFY is answered.
still_serving() {
	if $TQ verify "$PKI/tvs1.pem" >"$T_TMP/alive.out" 2>&1 && grep -q '^status 0$' "$T_TMP/alive.out"; then
		ok "$1: still serving"; else not_ok "$1: still serving"; sed 's/^/#   /' "$T_TMP/alive.out"; fi
}

# bad_bytes DESC HEX LOGTEXT: the bytes inside TLS get no answer, LOGTEXT is logged.
bad_bytes() {
	expect_exit "$1: closed without an answer" 3 $TQ raw "$2"
	wait_for 5 grep -qF "$3" "$LOG"
	expect_grep "$1: logged with the peer" "$3" "$LOG"
}

bad_bytes "garbage header" "deadbeefdeadbeefdeadbeef" \
	"bad request header from 127.0.0.1:"
expect_grep "garbage header: the reason names the protocol id" "protocol id 0xDE" "$LOG"
bad_bytes "wrong protocol id" "58010100000003e90000" "protocol id 0x58"
bad_bytes "wrong version" "57020100000003e90000" "TVS protocol version 2"
# An element whose length (0x0100) runs past the 5-byte payload.
bad_bytes "element length past the payload" "57010100000003e900050201003082" \
	"runs past"
# VERIFY without its certificate.
bad_bytes "VERIFY without a certificate" \
	"57010100000003e9001b0100180143502d383836312d534550303031313232333334343535" \
	"VERIFY request without its"
bad_bytes "unknown command 5" \
	"57010500000003e9001b0100180143502d383836312d534550303031313232333334343535" \
	"command 5 is not a request"
still_serving "after malformed requests"

# A payload length past the bytes sent: the request never completes; the
# server closes at the deadline (read_timeout 2 s), with no answer.
expect_exit "payload length past the bytes sent: closed without an answer" 3 \
	$TQ --timeout 10 raw "57010100000003e900640100"
wait_for 5 grep -q "payload 2 of 100 bytes" "$LOG"
expect_grep "payload length past the bytes sent: closed at the deadline" \
	"no complete request within 2 s from 127.0.0.1:" "$LOG"

# The largest payload the u16 allows, all zero bytes: refused, not read past.
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("57010100000003e9ffff") + bytes(65535))' \
	>"$T_TMP/big.bin"
expect_exit "65535-byte payload of zero bytes: closed without an answer" 3 $TQ raw "@$T_TMP/big.bin"
wait_for 5 grep -q "unknown TVS element tag 0" "$LOG"
expect_grep "65535-byte payload: the first bad element is named" "unknown TVS element tag 0" "$LOG"
still_serving "after the largest payload"

# Slowloris: a byte a second. The deadline counts from accept, not per
# read, so the connection ends after read_timeout (2 s), a few bytes in.
$TQ --delay 1 --timeout 10 trickle "57010100000003e903ff0100" >"$T_TMP/trickle.out" 2>&1
sent=$(sed -n 's/^sent \([0-9]*\) of 12 bytes.*/\1/p' "$T_TMP/trickle.out")
if [ -n "$sent" ] && [ "$sent" -le 4 ]; then
	ok "trickle, one byte a second: cut off after $sent bytes"
else
	not_ok "trickle, one byte a second: cut off within the deadline (sent '${sent:-?}' of 12)"
	sed 's/^/#   /' "$T_TMP/trickle.out"
fi
expect_grep "trickle: no answer" "no reply: closed by the server" "$T_TMP/trickle.out"
wait_for 5 grep -q "no complete request header within 2 s" "$LOG"
expect_grep "trickle: logged" "no complete request header within 2 s from 127.0.0.1:" "$LOG"

# Plain TCP, no TLS: a TVS request in clear gets no TVS answer.
expect_exit "plain TCP request: no TVS answer" 3 $TQ plain \
	"57010100000003e9001b0100180143502d383836312d534550303031313232333334343535"
wait_for 5 grep -q "TLS handshake failed from 127.0.0.1:" "$LOG"
expect_grep "plain TCP: logged" "TLS handshake failed from 127.0.0.1:" "$LOG"

# TLS versions and suites.
expect_exit "TLS 1.1: refused by default" 3 $TQ --tls 1.1 verify "$PKI/tvs1.pem"
expect_exit "TLS 1.0: refused by default" 3 $TQ --tls 1.0 verify "$PKI/tvs1.pem"
expect_exit "TLS 1.2 with AES256-SHA (no AEAD): refused by default" 3 \
	$TQ --tls 1.2 --ciphers AES256-SHA verify "$PKI/tvs1.pem"
expect_exit "TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256: served" 0 \
	$TQ --tls 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 verify "$PKI/tvs1.pem"
expect_exit "TLS 1.3: served" 0 $TQ --tls 1.3 verify "$PKI/tvs1.pem"
still_serving "after the TLS probes"
stop_tvsd

W=$T_TMP/weak
make_tvs_node "$W" tls_min=1.0
start_tvsd "$W"
expect_grep "tls_min = 1.0: announced" "(TLS 1.0+," "$W/log"
expect_exit "tls_min = 1.0: a TLS 1.0 phone (AES256-SHA) is served" 0 \
	$TQ --tls 1.0 --ciphers 'AES256-SHA:@SECLEVEL=0' verify "$PKI/tvs1.pem"
expect_exit "tls_min = 1.0: TLS 1.1 is served" 0 $TQ --tls 1.1 verify "$PKI/tvs1.pem"
stop_tvsd

# 300 idle connections from 127.0.0.1 (no TLS handshake) while phones on
# 127.0.0.2 are still served: max_per_address (16) holds the flood below
# max_connections (256).
H=$T_TMP/hold
make_tvs_node "$H" read_timeout=30
start_tvsd "$H"
$TQ --bind 127.0.0.1 hold 300 15 >"$T_TMP/hold.out" 2>&1 &
HOLD=$!
T_PIDS="$T_PIDS $HOLD"
wait_for 20 grep -q -e "already holds" -e "connection limit" "$H/log" ||
	echo "# the 300 connections never reached a limit"
served=0
for i in 1 2 3 4 5 6 7 8; do
	$TQ --bind 127.0.0.2 --timeout 10 verify "$PKI/tvs1.pem" >"$T_TMP/p$i.out" 2>&1 &&
		served=$((served + 1))
done
expect_eq "300 idle connections from 127.0.0.1: 127.0.0.2 is served 8 of 8 times" "$served" 8
expect_grep "the flooding address is held to max_per_address" \
	"127.0.0.1 already holds 16 connections (max_per_address); refusing 127.0.0.1:" "$H/log"
n=$(grep -c "VERIFY from 127.0.0.2:" "$H/log")
expect_eq "8 VERIFYs from 127.0.0.2 logged" "$n" 8
if grep -q "connection limit (256) reached" "$H/log"; then
	not_ok "the total connection limit was never reached"; else ok "the total connection limit was never reached"; fi
wait "$HOLD" 2>/dev/null
wait_for 5 grep -q "more connection(s) refused in the same second" "$H/log"
expect_grep "refusals beyond one line a second are counted, not logged" \
	"more connection(s) refused in the same second" "$H/log"

# SIGHUP and SIGPIPE never stop it.
kill -HUP "$TVSD_PID"
wait_for 5 grep -q "SIGHUP: store reloaded" "$H/log"
if kill -0 "$TVSD_PID" 2>/dev/null; then ok "SIGHUP: still running"; else not_ok "SIGHUP: still running"; fi
stop_tvsd
finish
