#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 5: the ITLRecovery certificate replaced on a
# two-node cluster in tokenless mixed mode. Phones hold the CTL (signed by
# ITLRecovery, CallManager the second SAST) and the ITL. The nodes then sign
# their ITL with the new ITLRecovery, which no phone knows: with no TVS to
# ask, a phone refuses it (Trust List Update Failed). `ctl-client
# reset-localkey` re-signs the CTL with the publisher's CallManager key (a
# SAST the phones hold) listing the new ITLRecovery; the phones take it and
# then the new ITL; `update --tokenless` signs with the new ITLRecovery
# again, and every phone takes it. No phone has a TVS to ask throughout:
# the CTL alone carries them over. On a non-secure node the same change is
# recovered by `itl-reset localkey` (12.x: signed by CallManager), a boot,
# `itl-reset done`, a boot.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_identity 1 ccm1 tvs1 itlrecovery; sbd_tls 1
sbd_identity 2 ccm2 tvs2 itlrecovery; sbd_tls 2
start_sbd_node 1 --peer 2
start_sbd_node 2 --peer 1
SERVERS="--server 127.0.0.1:$PPORT_1 --server 127.0.0.1:$PPORT_2"
TVS_PORT=$(dead_port)
FLEET=200
served_ctl() { md5 "$T_TMP/n1/tftp/CTLFile.tlv"; }

# fleet_boots DESC: $FLEET phones (state kept) boot from node 2; all must
# report STATUS and hold both of the node's files.
fleet_boots() {
	expect_exit "$1: a fleet of $FLEET phones boots from node 2 (exit 0)" 0 "$PV" fleet --count $FLEET \
		--concurrency 50 --tftp "127.0.0.1:$TPORT_2" --tvs "127.0.0.1:$TVS_PORT" \
		--model 8861 --state-root "$T_TMP/fleet" --json --no-progress
	cp "$T_TMP/last.out" "$T_TMP/fleet.json"
	expect_grep "... every phone: $2" "\"$2\":$FLEET" "$T_TMP/fleet.json"
	expect_grep "... every phone holds node 2's CTL and ITL" "\"server_md5_phones\":$FLEET" "$T_TMP/fleet.json"
}

expect_exit "ctl-client mixed-mode --tokenless" 0 "$CC" mixed-mode --tokenless $SERVERS $AUTH --yes
cp "$T_TMP/last.out" "$T_TMP/mixed.txt"
expect_grep "... Moving Cluster to Mixed Mode" "Moving Cluster to Mixed Mode" "$T_TMP/mixed.txt"
expect_grep "... Cluster set to Mixed Mode" "Cluster set to Mixed Mode" "$T_TMP/mixed.txt"
expect_grep "... reset all phones" "You must reset all phones to ensure they received the updated CTL file." "$T_TMP/mixed.txt"
expect_eq "both nodes install the same CTL" "$(md5 "$T_TMP/n2/tftp/CTLFile.tlv")" "$(served_ctl)"
expect_signer "the CTL is signed by ITLRecovery" "$T_TMP/n1/tftp/CTLFile.tlv" ITLRECOVERY_cucm-pub.example.lab
for p in 1 2 3; do
	expect_exit "phone $p: first contact from node 1" 0 boot_mac "00112233445$((p + 4))" "$T_TMP/p$p" 1
	expect_grep "... CTL and ITL installed" "CTL and ITL installed" "$T_TMP/last.out"
done
fleet_boots "mixed mode" "CTL and ITL installed"

# --- ITLRecovery replaced on every node (one cluster-wide certificate)
OLDSER=$(ser "$T_TMP/n1/rec.pem")
I1=$(itl_now 1); I2=$(itl_now 2)
regen 1 rec
cp "$T_TMP/n1/rec.pem" "$T_TMP/n2/rec.pem.new"; cp "$T_TMP/n1/rec.key" "$T_TMP/n2/rec.key.new"
mv "$T_TMP/n2/rec.key.new" "$T_TMP/n2/rec.key"; mv "$T_TMP/n2/rec.pem.new" "$T_TMP/n2/rec.pem"
NEWSER=$(ser "$T_TMP/n1/rec.pem")
hup 1 prov; hup 2 prov
if wait_for 10 itl_not 1 "$I1" && wait_for 10 itl_not 2 "$I2"; then ok "both nodes sign a new ITL"; else
	not_ok "an ITL is unchanged 10 s after SIGHUP"; fi
expect_exit "phone 3 (no TVS) refuses the ITL signed by the new ITLRecovery (exit 1)" 1 \
	boot_mac 001122334457 "$T_TMP/p3" 1
expect_grep "... Trust List Update Failed" "Trust List Update Failed" "$T_TMP/last.out"

# --- reset-localkey: the CTL signed by CallManager, listing the new ITLRecovery
C0=$(served_ctl)
expect_exit "ctl-client reset-localkey" 0 "$CC" reset-localkey $SERVERS $AUTH --yes
check "... a new CTL" test "$(served_ctl)" != "$C0"
expect_eq "... the same on both nodes" "$(md5 "$T_TMP/n2/tftp/CTLFile.tlv")" "$(served_ctl)"
expect_signer "... signed by the publisher's CallManager" "$T_TMP/n1/tftp/CTLFile.tlv" cucm-pub.example.lab
expect_grep "... it lists the new ITLRecovery" "$NEWSER" "$T_TMP/show.txt"
expect_nogrep "... not the old one" "$OLDSER" "$T_TMP/show.txt"
for p in 1 2 3; do
	expect_exit "phone $p takes the CallManager-signed CTL and the new ITL (exit 0)" 0 \
		boot_mac "00112233445$((p + 4))" "$T_TMP/p$p" 1
	expect_grep "... Trust List Updated" "Trust List Updated" "$T_TMP/last.out"
	expect_eq "... holds the node's CTL" "$(md5 "$T_TMP/p$p/CTLFile.tlv")" "$(served_ctl)"
	expect_stored "... and its ITL" "$T_TMP/p$p" 1
done
fleet_boots "after reset-localkey" "Trust List Updated"

# --- update --tokenless: signed by the new ITLRecovery again
C1=$(served_ctl)
expect_exit "ctl-client update --tokenless" 0 "$CC" update --tokenless $SERVERS $AUTH --yes
cp "$T_TMP/last.out" "$T_TMP/update.txt"
expect_grep "... Updating CTL file" "Updating CTL file" "$T_TMP/update.txt"
expect_grep "... CTL file Updated" "CTL file Updated" "$T_TMP/update.txt"
check "... a new CTL" test "$(served_ctl)" != "$C1"
expect_signer "... signed by the new ITLRecovery" "$T_TMP/n1/tftp/CTLFile.tlv" ITLRECOVERY_cucm-pub.example.lab
expect_grep "... (its serial)" "$NEWSER" "$T_TMP/show.txt"
for p in 1 2 3; do
	expect_exit "phone $p takes it (exit 0)" 0 boot_mac "00112233445$((p + 4))" "$T_TMP/p$p" 1
	expect_eq "... holds the node's CTL" "$(md5 "$T_TMP/p$p/CTLFile.tlv")" "$(served_ctl)"
	expect_stored "... and its ITL" "$T_TMP/p$p" 1
done
fleet_boots "after update" "Trust List Updated"

# --- the same change on a non-secure cluster (node 3, alone): CUCM's procedure
# is `utils itl reset localkey` (12.x: the reset ITL signed by CallManager, a
# SAST of the held ITL), reset the phones, restart TFTP, reset them again.
sbd_node 3 ccm1 tvs1 itlrecovery
P4=$T_TMP/p4
expect_exit "non-secure: phone 4, first contact" 0 boot "$P4" 3
I3=$(itl_now 3)
regen 3 rec
hup 3 prov
if wait_for 10 itl_not 3 "$I3"; then ok "non-secure: the node signs its ITL with the new ITLRecovery"; else
	not_ok "non-secure: the ITL is unchanged 10 s after SIGHUP"; fi
expect_exit "... phone 4 (no TVS) refuses it (exit 1)" 1 boot "$P4" 3
expect_eq "... and keeps its ITL" "$(md5 "$P4/ITLFile.tlv")" "$I3"
expect_exit "ctl-client itl-reset localkey" 0 "$CC" itl-reset localkey --server "127.0.0.1:$PPORT_3" $AUTH
expect_grep "... The reset ITL file was generated successfully" "The reset ITL file was generated successfully" "$T_TMP/last.out"
expect_signer "... the 12.x reset ITL is signed by CallManager" "$T_TMP/n3/tftp/ITLFile.tlv" cucm-pub.example.lab
expect_exit "phone 4 takes the reset ITL (exit 0)" 0 boot "$P4" 3
expect_stored "... and stores it" "$P4" 3
R3=$(itl_now 3)
expect_exit "ctl-client itl-reset done" 0 "$CC" itl-reset done --server "127.0.0.1:$PPORT_3" $AUTH
if wait_for 10 itl_not 3 "$R3"; then ok "the node serves its own ITL again"; else not_ok "the node still serves the reset ITL"; fi
expect_signer "... signed by the new ITLRecovery" "$T_TMP/n3/tftp/ITLFile.tlv" ITLRECOVERY_cucm-pub.example.lab
expect_grep "... (its serial)" "$(ser "$T_TMP/n3/rec.pem")" "$T_TMP/show.txt"
expect_exit "phone 4 takes it as on first contact (exit 0)" 0 boot "$P4" 3
expect_stored "... and stores it" "$P4" 3
sbd_finish
