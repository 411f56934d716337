#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# phone-verifier plan against real nodes: every prediction checked against
# what a fleet then does. Cluster A is node 1 (8.x ITL layout), cluster B
# node B. Eight phones boot from node 1, four from node B, into one state
# root. Then, twice:
#   1. plan regen-callmanager:1 predicts A's phones need TVS and B's phones
#      (booting at node 1) lock out; the CallManager is regenerated, the
#      node and its TVS reload, both fleets boot at node 1 and every
#      phone's outcome (fleet --outcomes) is the predicted one;
#   2. plan regen-callmanager+tvs:1 predicts every phone locks out, and for
#      A's phones alone prints the safe order (TVS first); the change is
#      made, TVS restarted, and again every outcome is the predicted one.
# Then four new phones of cluster A move to cluster B: plan predicts they
# all lock out and that adding B's certificates to A's TVS first avoids
# it; the move as asked locks them out (as predicted), and after the safe
# order's first step every phone takes B's ITL through A's TVS. Last, node
# B's TVS is regenerated: the moved phones are predicted, and seen, to take
# the new ITL directly.
# The classes compared: lockout = update-failed, verify-failed,
# file-auth-fail, no-trust-list; tvs = taken with a TVS vouch; direct =
# taken without.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
. "$(dirname "$0")/plan_env.inc"
plan_clusters

# --- the phones' state
expect_exit "8 phones boot from node 1 (8.x ITL)" 0 fleet 0A0A0A 8 1 "$T_TMP/boot-a.txt"
expect_exit "4 phones boot from node B (cluster B)" 0 fleet 0B0B0B 4 B "$T_TMP/boot-b.txt"
check "12 phone folders under the state root" test "$(ls "$S" | grep -c '^SEP')" -eq 12

# --- change 1: CallManager regenerated on node 1
expect_exit "plan regen-callmanager:1: some phones would lock out (exit 1)" 1 \
	"$PV" plan --state-root "$S" --cluster "$T_TMP/node1.conf" --change regen-callmanager:1 --json
cp "$T_TMP/last.out" "$T_TMP/plan1.json"
predicted "$T_TMP/plan1.json" > "$T_TMP/pred1.txt"
expect_eq "... A's 8 phones need TVS" "$(count tvs "$T_TMP/pred1.txt")" 8
expect_eq "... B's 4 phones lock out" "$(count lockout "$T_TMP/pred1.txt")" 4
expect_eq "... the locked-out phones are B's" "$(awk '$2 == "lockout" { print $1 }' "$T_TMP/pred1.txt" | grep -vc '^0B0B0B')" 0
expect_exit "plan (text) names the classes" 1 \
	"$PV" plan --state-root "$S" --cluster "$T_TMP/node1.conf" --change regen-callmanager:1
expect_grep "... need TVS: 8" "need TVS             8" "$T_TMP/last.out"
sed 's/^/#   /' "$T_TMP/last.out" | cut -c1-150 | head -8

regen_node 1 ccm
boot_ab 1
compare "change 1: every phone's outcome is the predicted one (classes and MACs)" "$T_TMP/plan1.json" \
	"$T_TMP/out1-a.txt" "$T_TMP/out1-b.txt"

# --- change 2: CallManager and TVS together (A's phones now hold the new ITL)
mkdir -p "$SA"
cp -R "$S"/SEP0A0A0A* "$SA"/
expect_exit "plan regen-callmanager+tvs:1 on A's phones: lock-out predicted (exit 1)" 1 \
	"$PV" plan --state-root "$SA" --cluster "$T_TMP/node1.conf" --change regen-callmanager+tvs:1 --json
cp "$T_TMP/last.out" "$T_TMP/plan2a.json"
expect_grep "... a safe order is found" '"found":true' "$T_TMP/plan2a.json"
expect_grep "... it regenerates TVS first" '"steps":["regenerate the TVS certificate on node1.example.lab' "$T_TMP/plan2a.json"
expect_exit "plan regen-callmanager+tvs:1 on all phones" 1 \
	"$PV" plan --state-root "$S" --cluster "$T_TMP/node1.conf" --change regen-callmanager+tvs:1 --json
cp "$T_TMP/last.out" "$T_TMP/plan2.json"
predicted "$T_TMP/plan2.json" > "$T_TMP/pred2.txt"
expect_eq "... all 12 phones lock out" "$(count lockout "$T_TMP/pred2.txt")" 12

regen_node 1 ccm tvs
boot_ab 2
compare "change 2: every phone's outcome is the predicted one (classes and MACs)" "$T_TMP/plan2.json" \
	"$T_TMP/out2-a.txt" "$T_TMP/out2-b.txt"
expect_grep "... A's phones show Trust List Update Failed" "update-failed" "$T_TMP/out2-a.txt"

# --- a move: four new phones of cluster A go to cluster B
ROOT=$T_TMP/phones-m
plan_conf B "$T_TMP/nodeB.conf"
expect_exit "4 new phones boot from node 1" 0 fleet 0C0C0C 4 1 "$T_TMP/boot-m.txt"
expect_exit "plan move:nodeB.conf: lock-out predicted (exit 1)" 1 \
	"$PV" plan --state-root "$ROOT" --cluster "$T_TMP/node1.conf" --change "move:$T_TMP/nodeB.conf" --json
cp "$T_TMP/last.out" "$T_TMP/plan3.json"
predicted "$T_TMP/plan3.json" > "$T_TMP/pred3.txt"
expect_eq "... all 4 lock out" "$(count lockout "$T_TMP/pred3.txt")" 4
expect_grep "... safe: B's certificates in A's TVS first" \
	'"found":true,"steps":["add the other cluster' "$T_TMP/plan3.json"
fleet 0C0C0C 4 B "$T_TMP/out3.txt" 1 > "$T_TMP/fleet3.txt" 2>&1
compare "the move as asked: every phone's outcome is the predicted one" "$T_TMP/plan3.json" "$T_TMP/out3.txt"
# The safe order: B's CallManager and ITLRecovery in A's TVS (SIGHUP reads them), then the move.
echo "cert = sast,ccm-tftp:$T_TMP/nB/ccm.pem" >> "$T_TMP/n1/tvsd.conf"
echo "cert = sast,ccm-tftp:$T_TMP/nB/rec.pem" >> "$T_TMP/n1/tvsd.conf"
reload_tvsd 1 || not_ok "node 1's ctl-tvsd did not reload"
fleet 0C0C0C 4 B "$T_TMP/out4.txt" 1 > "$T_TMP/fleet4.txt" 2>&1
classes "$T_TMP/out4.txt" > "$T_TMP/act4.txt"
expect_eq "after the safe order's step: all 4 take B's ITL through TVS" "$(count tvs "$T_TMP/act4.txt")" 4

# --- the moved phones, now cluster B's: its TVS regenerated (8.x: the ITL's signer is unchanged)
expect_exit "plan regen-tvs:nodeB.example.lab: no lock-out (exit 0)" 0 \
	"$PV" plan --state-root "$ROOT" --cluster "$T_TMP/nodeB.conf" --change regen-tvs:nodeB.example.lab --json
cp "$T_TMP/last.out" "$T_TMP/plan5.json"
expect_eq "... all 4 take it directly" "$(predicted "$T_TMP/plan5.json" | awk '$2 == "direct"' | wc -l)" 4
regen_node B tvs
fleet 0C0C0C 4 B "$T_TMP/out5.txt" > "$T_TMP/fleet5.txt" 2>&1
compare "regen-tvs: every phone's outcome is the predicted one" "$T_TMP/plan5.json" "$T_TMP/out5.txt"
finish
