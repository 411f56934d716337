#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Phones against the whole cluster: two nodes (ctl-provider + ctl-tftpd),
# two SoftHSM2 SAST tokens. After `ctl-client mixed-mode`, a fleet of 1,000
# phones booting from node 1 all report Trust List Updated and hold the
# server's md5; after `ctl-client update` signed with the backup token, the
# same phones (same state) accept the new CTL, as real phones would.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

PV=$BIN/phone-verifier
[ -x "$PV" ] || { echo "Bail out! $PV missing (make)"; exit 1; }
need_cluster
use_tokens sast1 sast2
start_node 1 "$PKI/ccm1.pem" "$PKI/ccm1.key"
start_node 2 "$PKI/ccm2.pem" "$PKI/ccm2.key"
SERVERS="--server 127.0.0.1:$PPORT_1 --server 127.0.0.1:$PPORT_2"
AUTH="--user admin --password-file $T_TMP/pw --accept-new"
TOK1="--module $MOD --pin-file $(pinfile sast1) --token $(label sast1)"
TOK2="--module $MOD --pin-file $(pinfile sast2) --token $(label sast2)"

expect_exit "mixed-mode on two nodes" 0 "$C" mixed-mode $SERVERS $AUTH $TOK1 \
	--sast-token "$(label sast2)" --yes
CTL1=$(md5sum < "$T_TMP/n1/tftp/CTLFile.tlv" | cut -d' ' -f1)

fleet() { # fleet JSON_OUT: 1,000 phones from node 1, state kept in $T_TMP/phones
	expect_exit "$2" 0 "$PV" fleet --count 1000 --concurrency 200 \
		--tftp "127.0.0.1:$TPORT_1" --state-root "$T_TMP/phones" --json
	cp "$T_TMP/last.out" "$1"
}

fleet "$T_TMP/f1.json" "a fleet of 1,000 phones boots from node 1"
expect_grep "all 1,000 report Trust List Updated" '"Trust List Updated":1000' "$T_TMP/f1.json"
expect_grep "all 1,000 hold the server's md5" '"server_md5_phones":1000' "$T_TMP/f1.json"
expect_grep "... which is the md5 of node 1's CTLFile.tlv" "\"server_ctl_md5\":\"$CTL1\"" "$T_TMP/f1.json"

# The backup token re-signs; phones holding the first CTL must accept it.
expect_exit "update signed with the backup token" 0 "$C" update $SERVERS $AUTH $TOK2 --yes
CTL2=$(md5sum < "$T_TMP/n1/tftp/CTLFile.tlv" | cut -d' ' -f1)
check "the CTL changed" test "$CTL1" != "$CTL2"
expect_eq "node 2 serves the same new CTL" "$(md5sum < "$T_TMP/n2/tftp/CTLFile.tlv" | cut -d' ' -f1)" "$CTL2"
fleet "$T_TMP/f2.json" "the same 1,000 phones boot again"
expect_grep "all accept the CTL signed by the backup token" '"Trust List Updated":1000' "$T_TMP/f2.json"
expect_grep "... and hold its md5" "\"server_ctl_md5\":\"$CTL2\"" "$T_TMP/f2.json"
expect_grep "... every one of them" '"server_md5_phones":1000' "$T_TMP/f2.json"
finish
