#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 4: 8.0-11.5 layout, CallManager and TVS
# regenerated together. The new ITL is signed by a CallManager certificate
# the phones do not hold, and the TVS that could vouch for it now presents
# a TLS certificate that is not the ITL's TVS record: the phones are locked
# out (Trust List Update Failed, exit 1, old ITL kept, config changes
# ignored) on every boot. Two recoveries: `phone-verifier erase` (the next
# boot is first contact), and `ctl-client itl-reset localkey` (the node
# serves a reset ITL signed by ITLRecovery, which the phones hold as SAST;
# they take it, then `itl-reset done` and they take the node's ITL as on
# first contact). A 100-phone fleet goes through the same lock-out and the
# itl-reset recovery.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_node 1 ccm1 tvs1 itlrecovery --set itl_layout=8x
R=$T_TMP/n1/tftp
A=$T_TMP/phoneA
B=$T_TMP/phoneB
MB=001122334456
CFG='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>'
put_config 1 "$MAC" "$CFG" || not_ok "the node signed no config"
expect_exit "phone A: first contact" 0 boot "$A" 1
expect_exit "phone B: first contact" 0 boot_mac "$MB" "$B" 1
# fleet4 DESC EXIT: 100 phones (state kept) boot from the node, asking its TVS.
fleet4() {
	expect_exit "$1" "$2" "$PV" fleet --count 100 --concurrency 50 --tftp "127.0.0.1:$TPORT_1" \
		--tvs "127.0.0.1:$VPORT_1" --model 8861 --state-root "$T_TMP/fleet" --json --no-progress
	cp "$T_TMP/last.out" "$T_TMP/fleet.json"
}
fleet4 "a fleet of 100 phones: first contact" 0
OLD=$(itl_now 1)
expect_eq "phone A stores the node's ITL" "$(md5 "$A/ITLFile.tlv")" "$OLD"
cp "$A/SEP$MAC.cnf.xml" "$T_TMP/kept.xml"

# --- CallManager and TVS regenerated together
regen 1 ccm tvs
hup 1 prov tvsd
if wait_for 10 itl_not 1 "$OLD"; then ok "the node rebuilds its ITL"; else not_ok "the ITL is unchanged 10 s after SIGHUP"; fi
NEW=$(itl_now 1)
expect_exit "the new ITL verifies" 0 "$CC" show "$R/ITLFile.tlv"
expect_grep "... and lists the new TVS certificate" "$(ser "$T_TMP/n1/tvs.pem")" "$T_TMP/last.out"
CFG2='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-3-1</loadInformation></device>'
put_config 1 "$MAC" "$CFG2" || not_ok "the config was not signed again"

# --- locked out (TVS is up, presenting its new certificate: the phones cannot trust it)
# SIGHUP is asynchronous: polled for 10 s at most.
tvs_serial() { echo | openssl s_client -connect "127.0.0.1:$VPORT_1" 2>/dev/null | openssl x509 -noout -serial; }
new_tvs() { tvs_serial | grep -qi "$(openssl x509 -noout -serial -in "$T_TMP/n1/tvs.pem" | sed 's/serial=//')"; }
if wait_for 10 new_tvs; then ok "after SIGHUP the TVS presents its new certificate"; else
	not_ok "the TVS still presents $(tvs_serial)"; fi
for i in 1 2; do
	expect_exit "phone A, boot $i: locked out (exit 1)" 1 boot "$A" 1 --console 88xx
	expect_grep "... Trust List Update Failed" "Trust List Update Failed" "$T_TMP/last.out"
	expect_eq "... the old ITL kept" "$(md5 "$A/ITLFile.tlv")" "$OLD"
done
cp "$T_TMP/last.out" "$T_TMP/lockout.txt"
sed 's/^/#   /' "$T_TMP/lockout.txt" | grep -i -e tvs -e "trust list" | head -8
check "... the config change is ignored" cmp "$A/SEP$MAC.cnf.xml" "$T_TMP/kept.xml"
expect_exit "phone B: locked out too" 1 boot_mac "$MB" "$B" 1
expect_grep "... Trust List Update Failed" "Trust List Update Failed" "$T_TMP/last.out"
fleet4 "the fleet: locked out (exit 1)" 1
expect_grep "... every phone: Trust List Update Failed" '"Trust List Update Failed":100' "$T_TMP/fleet.json"
expect_grep "... none holds the new ITL" '"itl_md5_phones":0' "$T_TMP/fleet.json"

# --- recovery 1: erase the phone's CTL and ITL
expect_exit "phone-verifier erase on phone B" 0 "$PV" erase --state "$B"
expect_grep "... Erasing CTL and ITL files" "Erasing CTL and ITL files" "$T_TMP/last.out"
expect_exit "phone B boots: first contact again (exit 0)" 0 boot_mac "$MB" "$B" 1
expect_grep "... ITL installed" "ITL installed" "$T_TMP/last.out"
expect_eq "... stores the new ITL" "$(md5 "$B/ITLFile.tlv")" "$NEW"

# --- recovery 2: the bulk ITL reset
expect_exit "ctl-client itl-reset localkey" 0 "$CC" itl-reset localkey --server "127.0.0.1:$PPORT_1" $AUTH
cp "$T_TMP/last.out" "$T_TMP/reset.txt"
expect_grep "... CUCM's lines: generated" "The reset ITL file was generated successfully" "$T_TMP/reset.txt"
expect_grep "... transferred to the node" "Successfully transferred reset ITL to node node1.example.lab" "$T_TMP/reset.txt"
if wait_for 10 itl_not 1 "$NEW"; then ok "the node serves the reset ITL"; else not_ok "the node still serves the same ITL"; fi
RESET=$(itl_now 1)
expect_exit "the reset ITL verifies" 0 "$CC" show "$R/ITLFile.tlv"
expect_signer "... signed by ITLRecovery" "$R/ITLFile.tlv" ITLRECOVERY_cucm-pub.example.lab
expect_eq "... one record only (the signer, as SAST)" "$(grep -c 'RECORDLENGTH' "$T_TMP/show.txt")" 1
expect_exit "phone A takes the reset ITL (exit 0)" 0 boot "$A" 1 --console 88xx
expect_grep "... Trust List Updated" "Trust List Updated" "$T_TMP/last.out"
expect_eq "... stores the reset ITL" "$(md5 "$A/ITLFile.tlv")" "$RESET"
fleet4 "the fleet takes the reset ITL (exit 0)" 0
expect_grep "... every phone holds it" '"server_md5_phones":100' "$T_TMP/fleet.json"
expect_exit "ctl-client itl-reset done: the node serves its ITL again" 0 \
	"$CC" itl-reset done --server "127.0.0.1:$PPORT_1" $AUTH
if wait_for 10 itl_not 1 "$RESET"; then ok "the node serves its own ITL again"; else not_ok "the node still serves the reset ITL"; fi
expect_exit "phone A takes the node's ITL (exit 0)" 0 boot "$A" 1 --console 88xx
expect_stored "... and stores it (md5)" "$A" 1
check "... and takes the changed config at last" cmp "$A/SEP$MAC.cnf.xml" "$R/SEP$MAC.cnf.xml"
expect_exit "phone A's next boot: unchanged (exit 0)" 0 boot "$A" 1
fleet4 "the fleet takes the node's ITL (exit 0)" 0
expect_grep "... every phone holds it" '"server_md5_phones":100' "$T_TMP/fleet.json"
expect_grep "... the node's ITL" "\"server_itl_md5\":\"$(itl_now 1)\"" "$T_TMP/fleet.json"
sbd_finish
