#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# phone-verifier plan --providers: the cluster read from the nodes' running
# ctl-providers (GET_INFO, GET_CTL, GET_ITL, with ctl-client's TLS server
# authentication and login) gives the same plan as --cluster with the
# nodes' node.conf files, byte for byte, and its predictions are what a
# fleet then does. Cluster A is node 1 (8.x ITL layout), cluster B node B;
# eight phones boot from node 1, four from node B, as in phone_plan.sh, and
# its changes are planned both ways: CallManager, CallManager and TVS, a
# move to cluster B, then B's TVS read from B's provider.
# Then the hostile providers: a changed certificate (refused before login,
# naming the address), a wrong password, a refused port, a port whose TLS
# handshake never completes (cut off at --timeout), a node serving no ITL and
# one that never answers GET_ITL (each reported as serving no ITL).
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
. "$(dirname "$0")/plan_env.inc"
plan_clusters
LOGIN="--user admin --password-file $T_TMP/pw --timeout 5"

# same CHANGE ROOT NAME [N]: plan --cluster (node N's node.conf, default 1)
# and plan --providers (node N's provider) of CHANGE, as JSON and as text;
# both must match byte for byte. The JSON stays in $T_TMP/NAME.json.
same() {
	_sc=$T_TMP/node${4:-1}.conf
	_sp=127.0.0.1:$(node_var "${4:-1}" PPORT)
	"$PV" plan --state-root "$2" --cluster "$_sc" --change "$1" --json \
		> "$T_TMP/$3-c.json" 2> "$T_TMP/$3-c.err"
	_xc=$?
	expect_exit "plan --providers $1: exit $_xc as with --cluster" "$_xc" \
		"$PV" plan --state-root "$2" --providers "$_sp" $LOGIN --change "$1" --json
	cp "$T_TMP/last.out" "$T_TMP/$3.json"
	if [ -s "$T_TMP/$3.json" ] && cmp -s "$T_TMP/$3-c.json" "$T_TMP/$3.json"; then
		ok "... the same JSON plan as --cluster"; else
		not_ok "... the JSON plans differ"
		diff "$T_TMP/$3-c.json" "$T_TMP/$3.json" | cut -c1-200 | sed 's/^/#   /' | head -6
	fi
	"$PV" plan --state-root "$2" --cluster "$_sc" --change "$1" > "$T_TMP/$3-c.txt" 2>&1
	"$PV" plan --state-root "$2" --providers "$_sp" $LOGIN --change "$1" \
		> "$T_TMP/$3-p.txt" 2>&1
	if [ -s "$T_TMP/$3-p.txt" ] && cmp -s "$T_TMP/$3-c.txt" "$T_TMP/$3-p.txt"; then
		ok "... the same text plan"; else
		not_ok "... the text plans differ"
		diff "$T_TMP/$3-c.txt" "$T_TMP/$3-p.txt" | cut -c1-200 | sed 's/^/#   /' | head -6
	fi
}

# --- the phones' state
expect_exit "8 phones boot from node 1 (8.x ITL)" 0 fleet 0A0A0A 8 1 "$T_TMP/boot-a.txt"
expect_exit "4 phones boot from node B (cluster B)" 0 fleet 0B0B0B 4 B "$T_TMP/boot-b.txt"

# --- first contact: known_hosts is empty
expect_exit "plan --providers, a provider never seen: refused before login (exit 12)" 12 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$PPORT_1" $LOGIN --change regen-callmanager:1
expect_grep "... showing the fingerprint to compare" "unknown server: certificate SHA256" "$T_TMP/last.err"
expect_eq "... no login reached the node" "$(grep -c 'login ok' "$T_TMP/n1/prov.log")" 0
expect_exit "... --accept-new trusts it on first use" 1 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$PPORT_1" $LOGIN --accept-new \
	--change regen-callmanager:1
expect_grep "... and records it in known_hosts" "127.0.0.1:$PPORT_1 " "$KNOWN"
sed 's/^/#   /' "$T_TMP/last.out" | cut -c1-150 | head -8

# --- change 1: CallManager regenerated on node 1
same regen-callmanager:1 "$S" plan1
regen_node 1 ccm
boot_ab 1
compare "change 1: every phone's outcome is the one plan --providers predicted" "$T_TMP/plan1.json" \
	"$T_TMP/out1-a.txt" "$T_TMP/out1-b.txt"

# --- change 2: CallManager and TVS together, as the providers now tell it
mkdir -p "$SA"
cp -R "$S"/SEP0A0A0A* "$SA"/
same regen-callmanager+tvs:1 "$SA" plan2a
expect_grep "... a safe order is found" '"found":true' "$T_TMP/plan2a.json"
same regen-callmanager+tvs:1 "$S" plan2
regen_node 1 ccm tvs
boot_ab 2
compare "change 2: every phone's outcome is the one plan --providers predicted" "$T_TMP/plan2.json" \
	"$T_TMP/out2-a.txt" "$T_TMP/out2-b.txt"

# --- a move: four new phones of cluster A go to cluster B (move: names B's node.conf)
ROOT=$T_TMP/phones-m
plan_conf B "$T_TMP/nodeB.conf"
expect_exit "4 new phones boot from node 1" 0 fleet 0C0C0C 4 1 "$T_TMP/boot-m.txt"
same "move:$T_TMP/nodeB.conf" "$ROOT" plan3
expect_eq "... all 4 lock out" "$(predicted "$T_TMP/plan3.json" | awk '$2 == "lockout"' | wc -l)" 4
fleet 0C0C0C 4 B "$T_TMP/out3.txt" 1 > "$T_TMP/fleet3.txt" 2>&1
compare "the move as asked: every phone's outcome is the one plan --providers predicted" "$T_TMP/plan3.json" \
	"$T_TMP/out3.txt"
# The safe order's first step (B's CallManager and ITLRecovery in A's TVS), then the move.
echo "cert = sast,ccm-tftp:$T_TMP/nB/ccm.pem" >> "$T_TMP/n1/tvsd.conf"
echo "cert = sast,ccm-tftp:$T_TMP/nB/rec.pem" >> "$T_TMP/n1/tvsd.conf"
reload_tvsd 1 || not_ok "node 1's ctl-tvsd did not reload"
fleet 0C0C0C 4 B "$T_TMP/out4.txt" 1 > "$T_TMP/fleet4.txt" 2>&1
# The moved phones, now cluster B's, read from node B's provider: its TVS regenerated.
expect_exit "node B's provider, first contact accepted" 0 \
	"$PV" plan --state-root "$ROOT" --providers "127.0.0.1:$PPORT_B" $LOGIN --accept-new \
	--change regen-tvs:nodeB.example.lab
same regen-tvs:nodeB.example.lab "$ROOT" plan5 B
expect_eq "... all 4 take it directly" "$(predicted "$T_TMP/plan5.json" | awk '$2 == "direct"' | wc -l)" 4
regen_node B tvs
fleet 0C0C0C 4 B "$T_TMP/out5.txt" > "$T_TMP/fleet5.txt" 2>&1
compare "regen-tvs on B: every phone's outcome is the one plan --providers predicted" "$T_TMP/plan5.json" \
	"$T_TMP/out5.txt"
ROOT=$S

# --- hostile providers
# Node B's address recorded with node 1's certificate: B now presents another one.
FP1=$(awk -v n="127.0.0.1:$PPORT_1" '$1 == n { print $2 }' "$KNOWN")
echo "127.0.0.1:$PPORT_B $FP1" >> "$KNOWN"
LB=$(grep -c 'login' "$T_TMP/nB/prov.log")
expect_exit "a provider presenting another certificate than known_hosts records: refused (exit 12)" 12 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$PPORT_B" $LOGIN --change regen-tvs:1
expect_grep "... naming the peer address" "SERVER CERTIFICATE CHANGED: 127.0.0.1:$PPORT_B presents" "$T_TMP/last.err"
expect_eq "... nothing was sent (no login at node B)" "$(grep -c 'login' "$T_TMP/nB/prov.log")" "$LB"
expect_exit "a --fingerprint pin that does not match: refused (exit 12)" 12 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$PPORT_1" $LOGIN \
	--fingerprint "127.0.0.1:$PPORT_1=$(echo "$FP1" | tr '0-9A-F' '1-9A-F0')" --change regen-tvs:1
expect_grep "... said as a changed certificate" "SERVER CERTIFICATE CHANGED: 127.0.0.1:$PPORT_1" "$T_TMP/last.err"

printf 'not-the-password\n' > "$T_TMP/badpw"
chmod 600 "$T_TMP/badpw"
expect_exit "a wrong password: refused (exit 12)" 12 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$PPORT_1" --user admin \
	--password-file "$T_TMP/badpw" --timeout 5 --change regen-tvs:1
expect_grep "... clearly, naming the provider" "127.0.0.1:$PPORT_1: login as 'admin' refused: wrong user name or password" \
	"$T_TMP/last.err"
expect_exit "... with --json: one error object on stdout (exit 12)" 12 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$PPORT_1" --user admin \
	--password-file "$T_TMP/badpw" --timeout 5 --change regen-tvs:1 --json
expect_grep "... coded provider-refused" '"code":"provider-refused"' "$T_TMP/last.out"

DP=$(dead_port)
expect_exit "a port nothing listens on: a network error (exit 8)" 8 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$DP" $LOGIN --change regen-tvs:1
expect_grep "... naming it" "cannot connect to 127.0.0.1:$DP" "$T_TMP/last.err"

start_fake hs "$PKI/ccm1.pem" "$PKI/ccm1.key" --mode trickle-handshake
expect_exit "a port whose TLS handshake never completes: cut off at --timeout 2 (exit 8)" 8 \
	"$PV" plan --state-root "$S" --providers "127.0.0.1:$FPORT" $LOGIN --timeout 2 --accept-new \
	--change regen-tvs:1
expect_grep "... saying so" "TLS handshake with 127.0.0.1:$FPORT (127.0.0.1:$FPORT) timed out" "$T_TMP/last.err"
stop_fake

# A node that serves no ITL: the file gone from its TFTP root (GET_ITL: NOT_FOUND).
rm -f "$T_TMP/nB/tftp/ITLFile.tlv"
sed -i "/^127.0.0.1:$PPORT_B /d" "$KNOWN"
# planned DESC CMD...: CMD ends with a plan (exit 0 or 1), not an error.
planned() {
	_pd=$1; shift
	"$@" > "$T_TMP/last.out" 2> "$T_TMP/last.err"
	_px=$?
	if [ "$_px" -le 1 ]; then ok "$_pd (exit $_px)"; else not_ok "$_pd (exit $_px)"
		sed 's/^/#   /' "$T_TMP/last.err" | head -3; fi
}
planned "a node serving no ITL: planned" \
	"$PV" plan --state-root "$SA" --providers "127.0.0.1:$PPORT_B" $LOGIN --accept-new --change regen-callmanager:1
expect_grep "... reported as serving no ITL" "127.0.0.1:$PPORT_B (nodeB.example.lab) serves no ITL" "$T_TMP/last.err"
expect_grep "... in the plan too" "nodeB.example.lab (no ITL, non-secure)" "$T_TMP/last.out"
start_fake stall "$PKI/ccm1.pem" "$PKI/ccm1.key" --mode stall --on GET_ITL
planned "a provider that never answers GET_ITL: planned after --timeout 2" \
	"$PV" plan --state-root "$SA" --providers "127.0.0.1:$FPORT" $LOGIN --timeout 2 --accept-new \
	--change regen-callmanager:1
expect_grep "... reported as serving no ITL" "127.0.0.1:$FPORT (fake.example.lab) serves no ITL" "$T_TMP/last.err"
expect_grep "... saying why" "GET_ITL: no complete response from 127.0.0.1:$FPORT within 2 s" "$T_TMP/last.err"
stop_fake
sbd_finish
