#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-client against a hostile CTL Provider (tests/tools/provider/fake_provider.py):
# a server trickling its answer (or its TLS handshake) one byte every 1.5 s
# is cut at the --timeout deadline of the whole request (or connection); wrong request ids or types, malformed
# items, a certificate item that is not DER, an oversized body and a close
# in mid-reply are each reported with a specific message naming the peer
# address and exit 8, never a crash. Run it with BUILD set to an ASan tree
# (make BUILD=... SAN=1 all) to check the same under ASan+UBSan.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
AUTH="--user admin --password-file $T_TMP/pw"
FP1=$(fp "$PKI/ccm1.pem")

# hostile MODE ON DESC TEXT: one check against a fake answering request ON
# that way; exit 8 and an error naming the peer address and TEXT.
hostile() {
	start_fake "$1" "$PKI/ccm1.pem" "$PKI/ccm1.key" --mode "$1" --on "$2"
	expect_exit "$3: exit 8 within the bound" 8 timeout 30 "$C" check --server "127.0.0.1:$FPORT" $AUTH \
		--fingerprint "$FP1" --timeout 3
	cat "$T_TMP/last.out" "$T_TMP/last.err" > "$T_TMP/both"
	expect_grep "... $4, naming the peer" "127.0.0.1:$FPORT: FAILED: $5" "$T_TMP/both"
	expect_nogrep "... no sanitizer report" "Sanitizer" "$T_TMP/last.err"
	expect_nogrep "... no undefined behaviour" "runtime error" "$T_TMP/last.err"
	stop_fake
}
hostile trickle LOGIN "a server trickling one byte every 1.5 s" "the request's deadline" \
	"LOGIN: no complete response from 127.0.0.1:"
expect_grep "... which says it timed out" "within 3 s (timed out" "$T_TMP/both"
hostile trickle-handshake LOGIN "a TLS handshake trickled one byte every 1.5 s" "the handshake's deadline" \
	"TLS handshake with 127.0.0.1:"
expect_grep "... which says it timed out" "timed out" "$T_TMP/both"
hostile wrong-id LOGIN "a response with another request id" "the ids" \
	"LOGIN: protocol error from 127.0.0.1:"
expect_grep "... both ids" "id 8 to request 0x01 id 1" "$T_TMP/both"
hostile wrong-type GET_INFO "a response of another type" "the types" \
	"GET_INFO: protocol error from 127.0.0.1:"
expect_grep "... both types" "response type 0x83 id 2 to request 0x02 id 2" "$T_TMP/both"
hostile malformed GET_INFO "an item running past the body" "the item" \
	"GET_INFO: protocol error from 127.0.0.1:"
expect_grep "... and its offset" "offset" "$T_TMP/both"
hostile bad-cert GET_INFO "a CERT item that is not DER" "the item" \
	"GET_INFO: certificate item 1 is not a role and a DER certificate"
hostile oversized LOGIN "a header announcing a 16 MiB body" "the size" \
	"LOGIN: protocol error from 127.0.0.1:"
expect_grep "... and the limit" "exceeds the 1048576-byte limit" "$T_TMP/both"
hostile close-mid GET_INFO "a close in mid-reply" "the cut" \
	"GET_INFO: 127.0.0.1:"
expect_grep "... how much came" "closed the connection in mid-reply" "$T_TMP/both"
finish
