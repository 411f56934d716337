#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 3: the 8.0-11.5 ITL layout (signed by the
# CallManager key), CallManager regenerated on the node. The new ITL's
# signer is in no list the phone holds, so the phone asks the TVS listed in
# its ITL (TLS checked against the ITL's TVS record), which vouches for the
# new certificate once its store is reloaded: Trust List Updated, the
# console showing the TVS query. Controls: a phone whose TVS is down, and a
# phone asking before ctl-tvsd reloaded its store, are refused (Trust List
# Update Failed, exit 1) and keep the old ITL. A 200-phone fleet then boots
# (100 at a time, all asking the one ctl-tvsd) and every phone takes the
# new ITL.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_node 1 ccm1 tvs1 itlrecovery --set itl_layout=8x
R=$T_TMP/n1/tftp
CFG='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>'
put_config 1 "$MAC" "$CFG" || not_ok "the node signed no config"

expect_signer "the 8.x ITL is signed by the CallManager certificate" "$R/ITLFile.tlv" cucm-pub.example.lab
for p in 1 2 3; do
	expect_exit "phone $p: first contact" 0 boot_mac "00112233445$((p + 4))" "$T_TMP/p$p" 1
	expect_stored "... stores the node's ITL" "$T_TMP/p$p" 1
done
# fleet8 DESC: 200 phones (state kept) boot from the node, asking its TVS.
fleet8() {
	expect_exit "$1" 0 "$PV" fleet --count 200 --concurrency 100 --tftp "127.0.0.1:$TPORT_1" \
		--tvs "127.0.0.1:$VPORT_1" --model 8861 --state-root "$T_TMP/fleet" --json --no-progress
	cp "$T_TMP/last.out" "$T_TMP/fleet.json"
}
fleet8 "a fleet of 200 phones: first contact"
expect_grep "... every phone: ITL installed" '"ITL installed":200' "$T_TMP/fleet.json"
OLD=$(itl_now 1)

regen 1 ccm
hup 1 prov
if wait_for 10 itl_not 1 "$OLD"; then ok "the node rebuilds its ITL after SIGHUP"; else not_ok "the ITL is unchanged 10 s after SIGHUP"; fi
expect_exit "the new ITL verifies" 0 "$CC" show "$R/ITLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/itl2.txt"
expect_grep "... it carries the new CallManager certificate" "$(ser "$T_TMP/n1/ccm.pem")" "$T_TMP/itl2.txt"
expect_nogrep "... not the old one" "$(ser "$PKI/ccm1.pem")" "$T_TMP/itl2.txt"

# Control 1: ctl-tvsd not yet reloaded: it does not know the new certificate.
expect_exit "phone 3, TVS store not reloaded: Trust List Update Failed (exit 1)" 1 \
	boot_mac 001122334457 "$T_TMP/p3" 1 --console 88xx
expect_grep "... status" "Trust List Update Failed" "$T_TMP/last.out"
check "... the old ITL is kept" test "$(md5 "$T_TMP/p3/ITLFile.tlv")" = "$OLD"

hup 1 tvsd
# Control 2: no TVS reachable.
TVS_PORT=$(dead_port)
expect_exit "phone 2 with its TVS down: Trust List Update Failed (exit 1)" 1 boot_mac 001122334456 "$T_TMP/p2" 1
expect_grep "... status" "Trust List Update Failed" "$T_TMP/last.out"
check "... the old ITL is kept" test "$(md5 "$T_TMP/p2/ITLFile.tlv")" = "$OLD"
TVS_PORT=""

# The phone asks TVS and takes the new ITL (SIGHUP is asynchronous: retried
# for 10 s at most while ctl-tvsd reloads).
if wait_for 10 boot "$T_TMP/p1" 1 --console 88xx; then ok "phone 1 takes the new ITL through TVS (exit 0)"; else
	not_ok "phone 1 refused the new ITL"; fi
boot_mac 001122334456 "$T_TMP/p2" 1 --console 88xx > "$T_TMP/p2.txt" 2>&1
P2=$?
expect_eq "phone 2, its TVS back: exit 0" "$P2" 0
expect_grep "... console: connects to the TVS server" "Attempting connect to TVS server" "$T_TMP/p2.txt"
expect_grep "... console: TVS role check of the server certificate" "Role is = 21" "$T_TMP/p2.txt"
expect_grep "... console: the TVS query" "processing TVS Query Certificate request" "$T_TMP/p2.txt"
expect_grep "... console: cached" "TVS added cert to TVS cache" "$T_TMP/p2.txt"
expect_grep "... console: hashes match" "Hashes match... authentication successful" "$T_TMP/p2.txt"
expect_grep "... status: Trust List Updated" "Trust List Updated" "$T_TMP/p2.txt"
expect_grep "... console: the 8861's TL lines" "SECUREAPP-TL file updated." "$T_TMP/p2.txt"
for w in tlUpdate tlVerifyTrust cfgVerify "ctl-suite: "; do
	expect_nogrep "... no '$w' line without --verbose" "$w" "$T_TMP/p2.txt"
done
sed 's/^/#   /' "$T_TMP/p2.txt" | grep -i -e tvs -e "trust list" | head -12
for p in 1 2; do
	expect_stored "phone $p stores the new ITL (md5)" "$T_TMP/p$p" 1
done
expect_exit "phone 3 takes it now too" 0 boot_mac 001122334457 "$T_TMP/p3" 1 --verbose
expect_grep "... --verbose: ctl-suite says TVS vouched for the new signer" \
	"ctl-suite: ITLFile.tlv updated (signed by CN=cucm-pub.example.lab" "$T_TMP/last.out"
expect_grep "... --verbose: ... naming the TVS server" "vouched for by TVS 127.0.0.1:$VPORT_1" "$T_TMP/last.out"
expect_grep "... --verbose: the 8800 alarm code" "ctl-suite: alarm 1 - TL_SUCCESS" "$T_TMP/last.out"
sed 's/^/#   /' "$T_TMP/last.out" | head -40
fleet8 "the fleet boots again after the regeneration"
expect_grep "... every phone takes the new ITL through TVS" '"Trust List Updated":200' "$T_TMP/fleet.json"
expect_grep "... and holds it (md5)" '"server_md5_phones":200' "$T_TMP/fleet.json"
expect_grep "... the node's new ITL" "\"server_itl_md5\":\"$(itl_now 1)\"" "$T_TMP/fleet.json"
expect_stored "... stored" "$T_TMP/p3" 1

# The config signed with the new key: the new ITL lists its signer.
CFG2='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-3-1</loadInformation></device>'
if put_config 1 "$MAC" "$CFG2"; then ok "the config is signed again with the new key"; else not_ok "the config was not signed again"; fi
TVS_PORT=$(dead_port)
expect_exit "phone 1 takes it, even with no TVS" 0 boot "$T_TMP/p1" 1
check "... byte for byte" cmp "$T_TMP/p1/SEP$MAC.cnf.xml" "$R/SEP$MAC.cnf.xml"
TVS_PORT=""
sbd_finish
