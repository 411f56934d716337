#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 6: a phone moved from cluster A to cluster B
# (non-secure, 12.x layout). B's ITL is signed by B's ITLRecovery, which the
# phone does not hold, and the TVS it asks (A's, from its ITL) does not know
# it: refused (Trust List Update Failed, exit 1), A's ITL kept. Once B's
# ITLRecovery and CallManager certificates are added to A's ctl-tvsd
# (`cert = sast,tftp:PATH` lines in its configuration, then SIGHUP), the
# same phone asks A's TVS again, takes B's ITL, and B's signed config. Then the same move
# between two clusters in tokenless mixed mode: B's CTL refused, then taken
# through the old cluster's TVS, B's ITL through it.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_node 1 ccm1 tvs1 itlrecovery
sbd_node B ccmB tvsB itlrecoveryB
CFG='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>'
put_config B "$MAC" "$CFG" || not_ok "node B signed no config"
S=$T_TMP/phone
A_ITL=$(itl_now 1)

expect_exit "the phone boots in cluster A (first contact)" 0 boot "$S" 1
expect_eq "... and stores A's ITL" "$(md5 "$S/ITLFile.tlv")" "$A_ITL"
expect_signer "B's ITL is signed by B's ITLRecovery" "$T_TMP/nB/tftp/ITLFile.tlv" ITLRECOVERY_cucm-b.example.lab

# The phone now boots from B's TFTP; the TVS it knows is A's.
TVS_PORT=$VPORT_1
expect_exit "moved to cluster B: refused (exit 1)" 1 boot "$S" B --console 88xx
cp "$T_TMP/last.out" "$T_TMP/refused.txt"
expect_grep "... Trust List Update Failed" "Trust List Update Failed" "$T_TMP/refused.txt"
expect_grep "... after asking A's TVS" "Attempting connect to TVS server" "$T_TMP/refused.txt"
expect_eq "... A's ITL is kept" "$(md5 "$S/ITLFile.tlv")" "$A_ITL"
check "... and B's config is not taken" test ! -e "$S/SEP$MAC.cnf.xml"
expect_exit "asking B's TVS instead does not help (its certificate is not in A's ITL)" 1 \
	boot_mac "$MAC" "$S" B --tvs "127.0.0.1:$VPORT_B"
expect_eq "... A's ITL is kept" "$(md5 "$S/ITLFile.tlv")" "$A_ITL"

# --- the administrator of A adds B's ITLRecovery and CallManager to A's TVS
{
	echo "cert = sast,tftp:$PKI/itlrecoveryB.pem"
	echo "cert = sast,tftp:$PKI/ccmB.pem"
} >> "$T_TMP/n1/tvsd.conf"
hup 1 tvsd
# SIGHUP is asynchronous: retried for 10 s at most while ctl-tvsd reloads.
if wait_for 10 boot "$S" B; then ok "the phone now takes B's ITL through A's TVS (exit 0)"; else
	not_ok "the phone still refuses B's ITL"; boot "$S" B --console 88xx 2>&1 | sed 's/^/#   /' | tail -12; fi
expect_stored "... it stores B's ITL (md5)" "$S" B
check "... and B's signed config" cmp "$S/SEP$MAC.cnf.xml" "$T_TMP/nB/tftp/SEP$MAC.cnf.xml"
expect_exit "a second phone of A makes the same move, console shown" 0 boot_mac 001122334456 "$T_TMP/p2" 1
expect_exit "... takes B's ITL" 0 boot_mac 001122334456 "$T_TMP/p2" B --console 88xx
cp "$T_TMP/last.out" "$T_TMP/moved.txt"
expect_grep "... console: the TVS query" "processing TVS Query Certificate request" "$T_TMP/moved.txt"
expect_grep "... console: hashes match" "Hashes match... authentication successful" "$T_TMP/moved.txt"
expect_grep "... Trust List Updated" "Trust List Updated" "$T_TMP/moved.txt"
expect_stored "... stores B's ITL" "$T_TMP/p2" B
TVS_PORT=""

# --- between secure clusters: cluster C (node 2, alone) and B both in
# tokenless mixed mode. The phone holds C's CTL and ITL; B's CTL is signed
# by B's ITLRecovery, which C's TVS does not know: refused, C's CTL kept.
# Once C's TVS holds B's ITLRecovery and CallManager (copied into the folder
# a `cert = sast,tftp:DIR` line names, then SIGHUP), the phone takes B's CTL
# through TVS, then B's ITL through that CTL.
mkdir -p "$T_TMP/importC"
sbd_node 2 ccm2 tvs2 itlrecovery --tvsd "cert = sast,tftp:$T_TMP/importC"
for n in 2 B; do
	expect_exit "tokenless mixed mode on cluster $n" 0 "$CC" mixed-mode --tokenless \
		--server "127.0.0.1:$(node_var $n PPORT)" $AUTH --yes
done
P3=$T_TMP/p3
TVS_PORT=$VPORT_2
expect_exit "phone 3 boots in cluster C (first contact)" 0 boot_mac 001122334457 "$P3" 2
expect_grep "... CTL and ITL installed" "CTL and ITL installed" "$T_TMP/last.out"
C_CTL=$(md5 "$T_TMP/n2/tftp/CTLFile.tlv")
expect_exit "moved to cluster B: B's CTL refused (exit 1)" 1 boot_mac 001122334457 "$P3" B --console 88xx
expect_grep "... Trust List Update Failed" "Trust List Update Failed" "$T_TMP/last.out"
expect_eq "... C's CTL kept" "$(md5 "$P3/CTLFile.tlv")" "$C_CTL"
cp "$PKI/itlrecoveryB.pem" "$PKI/ccmB.pem" "$T_TMP/importC/"
hup 2 tvsd
if wait_for 10 boot_mac 001122334457 "$P3" B; then ok "phone 3 takes B's CTL and ITL through C's TVS (exit 0)"; else
	not_ok "phone 3 still refuses B's files"; fi
expect_eq "... stores B's CTL (md5)" "$(md5 "$P3/CTLFile.tlv")" "$(md5 "$T_TMP/nB/tftp/CTLFile.tlv")"
expect_stored "... and B's ITL" "$P3" B
TVS_PORT=""
sbd_finish
