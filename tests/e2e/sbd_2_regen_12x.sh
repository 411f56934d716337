#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 2: 12.x layout, the CallManager certificate
# regenerated on node 2 of a two-node non-secure cluster (new certificate
# and key files, SIGHUP to the provider and ctl-tvsd). The node's new ITL is
# still signed by ITLRecovery, a SAST record the phones hold, so phones take
# it directly: Trust List Updated with no TVS query, even with the TVS down.
# The config the node signs with the new key is then taken, node 1's ITL,
# which lists node 2's TVS only, is unchanged, and a 200-phone fleet with no
# TVS reachable takes node 2's new ITL.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_identity 1 ccm1 tvs1 itlrecovery; sbd_tls 1
sbd_identity 2 ccm2 tvs2 itlrecovery; sbd_tls 2
start_sbd_node 1 --peer 2
start_sbd_node 2 --peer 1
R=$T_TMP/n2/tftp
CFG='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>'
put_config 2 "$MAC" "$CFG" || not_ok "node 2 signed no config"

expect_exit "node 2's ITL verifies" 0 "$CC" show "$R/ITLFile.tlv"
expect_grep "... it lists node 1's TVS certificate too" "$(ser "$PKI/tvs1.pem")" "$T_TMP/last.out"
for p in 1 2 3; do
	expect_exit "phone $p boots from node 2 (first contact)" 0 boot_mac "00112233445$((p + 4))" "$T_TMP/p$p" 2
	expect_stored "... and stores node 2's ITL" "$T_TMP/p$p" 2
done
check "phone 1 took the signed config" cmp "$T_TMP/p1/SEP$MAC.cnf.xml" "$R/SEP$MAC.cnf.xml"
# fleet2 DESC: 200 phones (state kept) boot from node 2 with no TVS reachable.
DEAD=$(dead_port)
fleet2() {
	expect_exit "$1" 0 "$PV" fleet --count 200 --concurrency 100 --tftp "127.0.0.1:$TPORT_2" \
		--tvs "127.0.0.1:$DEAD" --model 8861 --state-root "$T_TMP/fleet" --json --no-progress
	cp "$T_TMP/last.out" "$T_TMP/fleet.json"
}
fleet2 "a fleet of 200 phones: first contact from node 2"
OLD=$(itl_now 2)
N1=$(itl_now 1)

# --- regenerate node 2's CallManager certificate
regen 2 ccm
check "the new CallManager certificate has a new key" sh -c \
	"test \"$(openssl x509 -noout -pubkey -in "$T_TMP/n2/ccm.pem" | md5sum)\" != \"$(openssl x509 -noout -pubkey -in "$PKI/ccm2.pem" | md5sum)\""
hup 2 prov tvsd
if wait_for 10 itl_not 2 "$OLD"; then ok "node 2 rebuilds its ITL after SIGHUP"; else not_ok "node 2's ITL unchanged 10 s after SIGHUP"; fi
expect_exit "the new ITL verifies" 0 "$CC" show "$R/ITLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/itl2.txt"
expect_signer "... still signed by ITLRecovery" "$R/ITLFile.tlv" ITLRECOVERY_cucm-pub.example.lab
expect_grep "... and lists the new CallManager certificate" "$(ser "$T_TMP/n2/ccm.pem")" "$T_TMP/itl2.txt"
expect_nogrep "... not the old one" "$(ser "$PKI/ccm2.pem")" "$T_TMP/itl2.txt"
expect_eq "node 1's ITL is unchanged" "$(itl_now 1)" "$N1"

# Changing the config after the regeneration makes the node sign it with the new key.
CFG2='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-3-1</loadInformation></device>'
if put_config 2 "$MAC" "$CFG2"; then ok "the config is signed again"; else not_ok "the config was not signed again"; fi

# --- phone 1: TVS up; phone 2: TVS down (no one listens): both take the new ITL directly
expect_exit "phone 1 boots: the new ITL is accepted (exit 0)" 0 boot "$T_TMP/p1" 2 --console 88xx
cp "$T_TMP/last.out" "$T_TMP/p1.txt"
expect_grep "... Trust List Updated" "Trust List Updated" "$T_TMP/p1.txt"
expect_stored "... the phone stores the new ITL (md5)" "$T_TMP/p1" 2
if grep -q "Query Certificate" "$T_TMP/p1.txt"; then not_ok "... without asking TVS"; else ok "... without asking TVS"; fi
check "... and takes the config signed with the new key" cmp "$T_TMP/p1/SEP$MAC.cnf.xml" "$R/SEP$MAC.cnf.xml"
TVS_PORT=$DEAD
expect_exit "phone 2 boots with its TVS down: the new ITL is accepted" 0 boot_mac 001122334456 "$T_TMP/p2" 2
TVS_PORT=""
expect_grep "... Trust List Updated" "Trust List Updated" "$T_TMP/last.out"
expect_stored "... and stored" "$T_TMP/p2" 2
expect_exit "phone 3 boots from node 1 after node 2's change: nothing to update there" 0 \
	boot_mac 001122334457 "$T_TMP/p3" 1
expect_grep "... it takes node 1's ITL (signed by the same ITLRecovery)" "Trust List Updated" "$T_TMP/last.out"
expect_stored "... and stores it" "$T_TMP/p3" 1
fleet2 "the fleet boots again, no TVS reachable (exit 0)"
expect_grep "... every phone: Trust List Updated" '"Trust List Updated":200' "$T_TMP/fleet.json"
expect_grep "... every phone holds node 2's new ITL" "\"server_itl_md5\":\"$(itl_now 2)\"" "$T_TMP/fleet.json"
expect_grep "... (all 200)" '"server_md5_phones":200' "$T_TMP/fleet.json"
sbd_finish
