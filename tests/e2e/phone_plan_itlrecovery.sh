#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# phone-verifier plan against real nodes in tokenless mixed mode (12.x
# layout, two nodes): replacing the cluster's ITLRecovery. The plan
# predicts every phone locks out (the nodes' ITLs are signed by a key no
# held list names, and TVS does not hold ITLRecovery) and prints the safe
# order reset-localkey, reset, update, reset. The change as asked locks
# every phone out exactly as predicted; then the safe order is carried out
# with ctl-client and no phone locks out at either step.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_identity 1 ccm1 tvs1 itlrecovery; sbd_tls 1
sbd_identity 2 ccm2 tvs2 itlrecovery; sbd_tls 2
start_sbd_node 1 --peer 2
start_sbd_node 2 --peer 1
SERVERS="--server 127.0.0.1:$PPORT_1 --server 127.0.0.1:$PPORT_2"
S=$T_TMP/phones

# plan_conf N PEER FILE: node N's configuration as the planner reads it.
plan_conf() {
	_d=$T_TMP/n$1
	{
		echo "hostname = node$1.example.lab"
		echo "ipv4 = $(node_ip "$1")"
		echo "itl = yes"
		echo "callmanager_cert = $_d/ccm.pem"
		echo "callmanager_key = $_d/ccm.key"
		echo "tvs_cert = $_d/tvs.pem"
		echo "itlrecovery_cert = $_d/rec.pem"
		echo "itlrecovery_key = $_d/rec.key"
		echo "mode_file = $_d/mode"
		echo "tvs_peer = node$2.example.lab $(node_ip "$2") $T_TMP/n$2/tvs.pem"
	} > "$3"
}
# fleet PREFIX COUNT NODE OUTCOMES: phones (state under $S) boot from node NODE.
fleet() {
	"$PV" fleet --count "$2" --mac-prefix "$1" --concurrency 4 --no-progress \
		--tftp "127.0.0.1:$(node_var "$3" TPORT)" --tvs "127.0.0.1:$(node_var "$3" VPORT)" \
		--tvs-timeout 2000 --retries 3 --state-root "$S" --outcomes "$4"
}
# both TAG: node 1's six phones and node 2's four boot; outcomes in $T_TMP/TAG-*.txt.
both() {
	fleet 0E0E0E 6 1 "$T_TMP/$1-1.txt" > "$T_TMP/$1-1.log" 2>&1
	fleet 0F0F0F 4 2 "$T_TMP/$1-2.txt" > "$T_TMP/$1-2.log" 2>&1
}
# failed TAG: how many phones of both fleets did not take the files
# ("outcomes of N phones" unless all ten reported).
failed() {
	cat "$T_TMP/$1-1.txt" "$T_TMP/$1-2.txt" 2>/dev/null |
		awk '$2 == "update-failed" || $2 == "verify-failed" || $2 == "file-auth-fail" || $2 == "no-trust-list" { n++ }
		     { t++ } END { if (t == 10) print n + 0; else print "outcomes of " t + 0 " phones" }'
}

expect_exit "ctl-client mixed-mode --tokenless" 0 "$CC" mixed-mode --tokenless $SERVERS $AUTH --yes
both start
expect_eq "10 phones take the CTL and ITL of their node" "$(failed start)" 0
plan_conf 1 2 "$T_TMP/node1.conf"
plan_conf 2 1 "$T_TMP/node2.conf"

expect_exit "plan replace-itlrecovery: lock-out predicted (exit 1)" 1 \
	"$PV" plan --state-root "$S" --cluster "$T_TMP/node1.conf" --cluster "$T_TMP/node2.conf" \
	--change replace-itlrecovery --json
cp "$T_TMP/last.out" "$T_TMP/plan.json"
python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
for o in p["outcomes"]:
    print(o["mac"], o["class"])' "$T_TMP/plan.json" | sort > "$T_TMP/pred.txt"
expect_eq "... all 10 phones lock out" "$(grep -c ' lockout$' "$T_TMP/pred.txt")" 10
expect_grep "... the safe order: reset-localkey, then update" \
	'"found":true,"steps":["regenerate the cluster'"'"'s ITLRecovery certificate","ctl-client reset-localkey' \
	"$T_TMP/plan.json"
expect_grep "... ... then update" '"ctl-client update --tokenless' "$T_TMP/plan.json"

# The change as asked: one new ITLRecovery for both nodes, the nodes reload.
I1=$(itl_now 1); I2=$(itl_now 2)
regen 1 rec
cp "$T_TMP/n1/rec.pem" "$T_TMP/n2/rec.pem.new"; cp "$T_TMP/n1/rec.key" "$T_TMP/n2/rec.key.new"
mv "$T_TMP/n2/rec.key.new" "$T_TMP/n2/rec.key"; mv "$T_TMP/n2/rec.pem.new" "$T_TMP/n2/rec.pem"
hup 1 prov; hup 2 prov
if wait_for 10 itl_not 1 "$I1" && wait_for 10 itl_not 2 "$I2"; then ok "both nodes sign a new ITL"; else
	not_ok "an ITL is unchanged 10 s after SIGHUP"; fi
both asked
cat "$T_TMP/asked-1.txt" "$T_TMP/asked-2.txt" |
	awk '{ c = ($2 == "update-failed" || $2 == "verify-failed" || $2 == "file-auth-fail" || $2 == "no-trust-list") ? "lockout" : ($7 > 0 ? "tvs" : "direct"); print $1, c }' |
	sort > "$T_TMP/act.txt"
if cmp -s "$T_TMP/pred.txt" "$T_TMP/act.txt"; then ok "the change as asked: every phone's outcome is the predicted one"; else
	not_ok "the change as asked: outcomes differ from the plan"; diff "$T_TMP/pred.txt" "$T_TMP/act.txt" | sed 's/^/#   /' | head; fi

# The safe order, step by step.
expect_exit "ctl-client reset-localkey" 0 "$CC" reset-localkey $SERVERS $AUTH --yes
both localkey
expect_eq "... then no phone locks out" "$(failed localkey)" 0
expect_exit "ctl-client update --tokenless" 0 "$CC" update --tokenless $SERVERS $AUTH --yes
both update
expect_eq "... then no phone locks out" "$(failed update)" 0
check "... every phone holds node 1's CTL" sh -c "for d in '$S'/SEP0E0E0E*; do cmp -s \"\$d/CTLFile.tlv\" '$T_TMP/n1/tftp/CTLFile.tlv' || exit 1; done"
finish
