#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Tokenless mixed mode and recovery against two real loopback nodes
# (ctl-provider + ctl-tftpd each, Security By Default on): mixed-mode
# --tokenless installs one CTL, signed by ITLRecovery, on every node; a wrong
# password or an unreachable node changes nothing; reset-localkey re-signs
# with CallManager and update --tokenless with ITLRecovery again; itl-reset;
# non-secure --tokenless; add-token from tokenless to tokens and back, each
# step accepted by a phone holding the CTL before it. CUCM's lines on stdout.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
use_tokens sast1 sast2
# SBD_n: the node's Security By Default settings (ITL served, the cluster's
# ITLRecovery, its TVS certificate; CAPF and a remote ITLRecovery key (for
# itl-reset remotekey) on the publisher only).
SBD_1="--set itl=yes --set itlrecovery_cert=$PKI/itlrecovery.pem --set itlrecovery_key=$PKI/itlrecovery.key --set tvs_cert=$PKI/tvs1.pem --set capf_cert=$PKI/capf.pem --set itlrecovery_remote_cert=$PKI/itlrecoveryB.pem --set itlrecovery_remote_key=$PKI/itlrecoveryB.key"
SBD_2="--set itl=yes --set itlrecovery_cert=$PKI/itlrecovery.pem --set itlrecovery_key=$PKI/itlrecovery.key --set tvs_cert=$PKI/tvs2.pem"
# shellcheck disable=SC2086
start_node 1 "$PKI/ccm1.pem" "$PKI/ccm1.key" $SBD_1
# shellcheck disable=SC2086
start_node 2 "$PKI/ccm2.pem" "$PKI/ccm2.key" $SBD_2
SERVERS="--server 127.0.0.1:$PPORT_1 --server 127.0.0.1:$PPORT_2"
AUTH="--user admin --password-file $T_TMP/pw --accept-new"
printf 'wrong-password\n' > "$T_TMP/pwbad"
chmod 600 "$T_TMP/pwbad"
ITLR_SUBJ="ITLRECOVERY_cucm-pub.example.lab"
CCM1_SUBJ="cucm-pub.example.lab"

# describe FILE: "signer SUBJECT", one "sast SUBJECT" per SAST record and
# "certless N" (records without a certificate), from show --json.
describe() {
	"$C" show --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
cn = lambda s: s.split("CN=")[-1].split(";")[0].split(",")[0]
for r in d["records"]:
    if r.get("signed_file"):
        print("signer " + cn(r["subject"]))
for r in d["records"]:
    if r["role_name"] == "SAST":
        print("sast " + cn(r["subject"]))
print("certless %d" % sum(1 for r in d["records"] if r["certificate_length"] == 0))
'
}
no_ctl() { ls "$T_TMP"/n*/tftp/CTLFile.tlv 2>/dev/null | wc -l | tr -d ' '; }
# itl_md5 N: md5 of the ITL node N serves over TFTP.
itl_md5() {
	rm -f "$T_TMP/fetch.itl"
	curl -s -o "$T_TMP/fetch.itl" "tftp://127.0.0.1:$(node_var "$1" TPORT)/ITLSEP0011223344AA.tlv" &&
		md5sum < "$T_TMP/fetch.itl" | cut -d' ' -f1
}
same_everywhere() { # DESC: both nodes serve the same CTL; sets CUR
	CUR=$(tftp_md5 1)
	if [ -n "$CUR" ] && [ "$CUR" = "$(tftp_md5 2)" ]; then ok "$1 ($CUR)"; else
		not_ok "$1: node 1 '$CUR', node 2 '$(tftp_md5 2)'"; fi
}

# --- refusals that leave every node unchanged
expect_exit "mixed-mode --tokenless with a wrong password is refused" 1 \
	"$C" mixed-mode --tokenless $SERVERS --user admin --password-file "$T_TMP/pwbad" --accept-new --yes
expect_grep "... naming the login" "wrong user name or password" "$T_TMP/last.err"
expect_grep "... saying nothing changed" "nothing was changed" "$T_TMP/last.err"
expect_eq "... no node has a CTL" "$(no_ctl)" 0
DEAD=$(free_port)
expect_exit "mixed-mode --tokenless with an unreachable node is refused" 8 \
	"$C" mixed-mode --tokenless $SERVERS --server "127.0.0.1:$DEAD" $AUTH --yes
expect_grep "... naming that node" "127.0.0.1:$DEAD: cannot connect" "$T_TMP/last.err"
expect_eq "... no node has a CTL" "$(no_ctl)" 0
expect_exit "mixed-mode --tokenless without a terminal and without --yes asks for --yes" 2 \
	"$C" mixed-mode --tokenless $SERVERS $AUTH </dev/null
expect_eq "... no node has a CTL" "$(no_ctl)" 0
# On a terminal: CUCM's question, answered on a pty.
cat > "$T_TMP/answer_pty.py" <<'PY'
import os, pty, select, sys, time
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
buf, end, asked = b"", time.time() + 60, False
while True:
    r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
    if not r:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    if not asked and b"(y/n):" in buf:
        os.write(fd, answer)
        asked = True
_, st = os.waitpid(pid, 0)
open(os.environ["PTY_LOG"], "wb").write(buf)
print("asked=%s exit=%d" % (asked, os.waitstatus_to_exitcode(st)))
PY
PTY_LOG=$T_TMP/pty-n.log
export PTY_LOG
out=$(python3 "$T_TMP/answer_pty.py" "n
" "$C" mixed-mode --tokenless $SERVERS $AUTH)
expect_eq "on a terminal mixed-mode --tokenless asks; n cancels (exit 1)" "$out" "asked=True exit=1"
expect_grep "... in CUCM's words" "This operation will set the cluster to Mixed mode. Do you want to continue? (y/n):" "$PTY_LOG"
expect_eq "... no node has a CTL" "$(no_ctl)" 0
expect_exit "--layout takes 12x or 10x only" 2 "$C" mixed-mode --tokenless --layout 9x $SERVERS $AUTH --yes
expect_exit "--layout without --tokenless is refused" 2 "$C" update --layout 10x $SERVERS $AUTH --yes

# --- mixed-mode --tokenless
expect_exit "mixed-mode --tokenless succeeds" 0 "$C" mixed-mode --tokenless $SERVERS $AUTH --yes
grep -vE '^(SERVER|127\.0\.0\.1:|  |mixed-mode:)' "$T_TMP/last.out" > "$T_TMP/cucm.out"
printf '%s\n' "Moving Cluster to Mixed Mode" "Cluster set to Mixed Mode" \
	"You must reset all phones to ensure they received the updated CTL file." > "$T_TMP/cucm.want"
if cmp -s "$T_TMP/cucm.out" "$T_TMP/cucm.want"; then ok "... printing CUCM's three lines in order"; else
	not_ok "... printing CUCM's three lines in order"; sed 's/^/#   /' "$T_TMP/last.out"; fi
same_everywhere "both nodes serve the same CTL"
TL1=$CUR
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/tl1.tlv"
describe "$T_TMP/tl1.tlv" > "$T_TMP/d.out"
expect_grep "... signed by ITLRecovery" "signer $ITLR_SUBJ" "$T_TMP/d.out"
expect_grep "... listing ITLRecovery as SAST" "sast $ITLR_SUBJ" "$T_TMP/d.out"
expect_grep "... and the publisher's CallManager as SAST" "sast $CCM1_SUBJ" "$T_TMP/d.out"
expect_eq "... two SAST records" "$(grep -c '^sast ' "$T_TMP/d.out")" 2
expect_eq "... the md5 the provider wrote" "$(md5sum < "$T_TMP/n2/tftp/CTLFile.tlv" | cut -d' ' -f1)" "$TL1"
expect_exit "check: consistent" 0 "$C" check $SERVERS $AUTH
expect_grep "... reports node 1's mode and CTL" "mode 1, CTL md5 $TL1" "$T_TMP/last.out"
I1=$(itl_md5 1); I2=$(itl_md5 2)
expect_grep "... and node 1's ITL md5, as its TFTP serves it" "127.0.0.1:$PPORT_1 (node1.example.lab): mode 1, CTL md5 $TL1, ITL md5 $I1" "$T_TMP/last.out"
expect_grep "... and node 2's" "127.0.0.1:$PPORT_2 (node2.example.lab): mode 1, CTL md5 $TL1, ITL md5 $I2" "$T_TMP/last.out"
expect_exit "check --json" 0 "$C" check $SERVERS $AUTH --json
expect_grep "... has the ITL md5" "\"itl_md5\":\"$I1\"" "$T_TMP/last.out"

# --- 10.x layout: CallManager signs
expect_exit "update --tokenless --layout 10x" 0 "$C" update --tokenless --layout 10x $SERVERS $AUTH --yes
describe "$T_TMP/n2/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by the publisher's CallManager" "signer $CCM1_SUBJ" "$T_TMP/d.out"
expect_grep "... prints CUCM's update lines" "CTL file Updated" "$T_TMP/last.out"
expect_exit "... a phone holding the first CTL accepts it" 0 \
	"$C" verify --trusted "$T_TMP/tl1.tlv" "$T_TMP/n2/tftp/CTLFile.tlv"
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/tl10.tlv"

# --- update --tokenless, reset-localkey, update --tokenless
expect_exit "update --tokenless (12.x)" 0 "$C" update --tokenless $SERVERS $AUTH --yes
printf '%s\n' "Updating CTL file" "CTL file Updated" \
	"You must reset all phones to ensure they received the updated CTL file." > "$T_TMP/cucm.want"
grep -vE '^(SERVER|127\.0\.0\.1:|  |update:)' "$T_TMP/last.out" > "$T_TMP/cucm.out"
if cmp -s "$T_TMP/cucm.out" "$T_TMP/cucm.want"; then ok "... printing CUCM's update lines in order"; else
	not_ok "... printing CUCM's update lines in order"; sed 's/^/#   /' "$T_TMP/last.out"; fi
same_everywhere "... both nodes serve it"
describe "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by ITLRecovery again" "signer $ITLR_SUBJ" "$T_TMP/d.out"
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/tl2.tlv"
PTY_LOG=$T_TMP/pty-y.log
out=$(python3 "$T_TMP/answer_pty.py" "y
" "$C" reset-localkey $SERVERS $AUTH)
expect_eq "reset-localkey on a terminal, answered y" "$out" "asked=True exit=0"
expect_grep "... asking first" "signs it with the CallManager certificate. Do you want to continue? (y/n):" "$PTY_LOG"
expect_grep "... then CUCM's update lines" "CTL file Updated" "$PTY_LOG"
same_everywhere "... both nodes serve the same CTL"
describe "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by CallManager" "signer $CCM1_SUBJ" "$T_TMP/d.out"
expect_exit "... which a phone holding the last CTL accepts" 0 \
	"$C" verify --trusted "$T_TMP/tl2.tlv" "$T_TMP/n1/tftp/CTLFile.tlv"
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/rl.tlv"
expect_exit "update --tokenless after reset-localkey" 0 "$C" update --tokenless $SERVERS $AUTH --yes --json
expect_grep "... JSON result" '"command":"update","ok":true' "$T_TMP/last.out"
expect_nogrep "... CUCM's lines are not in the JSON output" "CTL file Updated" "$T_TMP/last.out"
expect_grep "... but on stderr" "CTL file Updated" "$T_TMP/last.err"
describe "$T_TMP/n2/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by ITLRecovery again" "signer $ITLR_SUBJ" "$T_TMP/d.out"
expect_exit "... which a phone holding the reset-localkey CTL accepts" 0 \
	"$C" verify --trusted "$T_TMP/rl.tlv" "$T_TMP/n2/tftp/CTLFile.tlv"
same_everywhere "... on both nodes"
TL3=$CUR

# --- a wrong password changes nothing
expect_exit "update --tokenless with a wrong password" 1 \
	"$C" update --tokenless $SERVERS --user admin --password-file "$T_TMP/pwbad" --yes
expect_eq "... node 1 unchanged" "$(tftp_md5 1)" "$TL3"
expect_eq "... node 2 unchanged" "$(tftp_md5 2)" "$TL3"

# --- a node that cannot write: the table says which node has what
rm -f "$T_TMP/n2/tftp/CTLFile.tlv.bak"
mkdir -p "$T_TMP/n2/tftp/CTLFile.tlv.bak/x"
expect_exit "update --tokenless --layout 10x with node 2 failing" 1 \
	"$C" update --tokenless --layout 10x $SERVERS $AUTH --yes
if grep -qE "^127\.0\.0\.1:$PPORT_2 +node2\.example\.lab +FAILED " "$T_TMP/last.out" &&
	grep -qE "^127\.0\.0\.1:$PPORT_1 +node1\.example\.lab +ok " "$T_TMP/last.out"; then
	ok "... the table: node 1 ok, node 2 FAILED"; else
	not_ok "... the table: node 1 ok, node 2 FAILED"; sed 's/^/#   /' "$T_TMP/last.out"; fi
expect_nogrep "... CUCM's closing line is not printed" "CTL file Updated" "$T_TMP/last.out"
P1=$(tftp_md5 1)
if [ "$P1" != "$TL3" ] && [ "$(tftp_md5 2)" = "$TL3" ]; then ok "... node 1 serves the new CTL, node 2 the old one"; else
	not_ok "... node 1 $P1, node 2 $(tftp_md5 2) (old $TL3)"; fi
rm -rf "$T_TMP/n2/tftp/CTLFile.tlv.bak"
expect_exit "update --retry-failed finishes node 2" 0 "$C" update --retry-failed $AUTH
expect_eq "... node 2 serves it too" "$(tftp_md5 2)" "$P1"
expect_exit "update --tokenless (12.x) again" 0 "$C" update --tokenless $SERVERS $AUTH --yes

# --- itl-reset
expect_exit "itl-reset localkey" 0 "$C" itl-reset localkey $SERVERS $AUTH
expect_grep "... CUCM's lines" "The reset ITL file was generated successfully" "$T_TMP/last.out"
expect_grep "... counting the TFTP servers" "Number of Active TFTP servers in the cluster : 2" "$T_TMP/last.out"
expect_grep "... node 1 done" "Successfully transferred reset ITL to node node1.example.lab" "$T_TMP/last.out"
expect_grep "... node 2 done" "Successfully transferred reset ITL to node node2.example.lab" "$T_TMP/last.out"
R1=$(itl_md5 1)
if [ -n "$R1" ] && [ "$R1" != "$I1" ]; then ok "... node 1 serves another ITL"; else not_ok "... node 1 ITL '$R1' (was $I1)"; fi
"$C" show "$T_TMP/fetch.itl" > "$T_TMP/itl.show" 2>&1
expect_eq "... the reset ITL holds one record" "$(grep -c RECORDLENGTH "$T_TMP/itl.show")" 1
describe "$T_TMP/fetch.itl" > "$T_TMP/d.out"
expect_grep "... signed by node 1's CallManager (12.x localkey)" "signer $CCM1_SUBJ" "$T_TMP/d.out"
expect_exit "itl-reset remotekey: node 2 has no remote key" 1 "$C" itl-reset remotekey $SERVERS $AUTH --json
expect_grep "... node 1 took it" "\"server\":\"127.0.0.1:$PPORT_1\",\"hostname\":\"node1.example.lab\",\"result\":\"ok\",\"itl_md5\":\"$(itl_md5 1)\"" "$T_TMP/last.out"
expect_grep "... node 2 refused" "\"server\":\"127.0.0.1:$PPORT_2\",\"hostname\":\"node2.example.lab\",\"result\":\"failed\"" "$T_TMP/last.out"
expect_grep "... CUCM's line names node 2" "Failed to transfer reset ITL to node node2.example.lab (127.0.0.1:$PPORT_2)" "$T_TMP/last.err"
expect_grep "... and node 1" "Successfully transferred reset ITL to node node1.example.lab" "$T_TMP/last.err"
describe "$T_TMP/fetch.itl" > "$T_TMP/d.out"
expect_grep "... node 1's reset ITL is signed by the remote ITLRecovery" "signer ITLRECOVERY_cucm-b.example.lab" "$T_TMP/d.out"
expect_exit "itl-reset with no action is refused" 2 "$C" itl-reset $SERVERS $AUTH
expect_exit "itl-reset with an unknown action is refused" 2 "$C" itl-reset otherkey $SERVERS $AUTH
expect_exit "itl-reset done" 0 "$C" itl-reset done $SERVERS $AUTH --json
expect_grep "... JSON result" '"command":"itl-reset","action":"done","ok":true' "$T_TMP/last.out"
D1=$(itl_md5 1)
"$C" show "$T_TMP/fetch.itl" > "$T_TMP/itl.show" 2>&1
if [ "$D1" != "$R1" ] && [ "$(grep -c RECORDLENGTH "$T_TMP/itl.show")" -gt 1 ]; then
	ok "... node 1 serves the full ITL again"; else not_ok "... node 1 ITL $D1 (reset $R1)"; fi

# --- non-secure --tokenless
expect_exit "non-secure --tokenless" 0 "$C" non-secure --tokenless $SERVERS $AUTH --yes --json
expect_eq "... two servers report mode 0" "$(grep -o '"mode":0' "$T_TMP/last.out" | wc -l | tr -d ' ')" 2
expect_grep "... CUCM's line" "Cluster set to Non Secure Mode" "$T_TMP/last.err"
same_everywhere "... both nodes serve the non-secure CTL"
describe "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_eq "... its two CCM+TFTP records carry no certificate" "$(sed -n 's/^certless //p' "$T_TMP/d.out")" 2
expect_exit "... which a phone holding the last CTL accepts" 0 \
	"$C" verify --trusted "$T_TMP/rl.tlv" "$T_TMP/n1/tftp/CTLFile.tlv"

# --- tokenless -> tokens (add-token) and back
expect_exit "mixed-mode --tokenless again" 0 "$C" mixed-mode --tokenless $SERVERS $AUTH --yes
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/tl4.tlv"
expect_exit "add-token on the tokenless cluster" 0 "$C" add-token $SERVERS $AUTH --module "$MOD" \
	--pin-file "$(pinfile sast1)" --token "$(label sast2)" --sign-token "$(label sast1)" --yes --json
BR=$(sed -n 's/.*"bridge_md5":"\([0-9a-f]*\)".*/\1/p' "$T_TMP/last.out")
same_everywhere "... both nodes serve the token CTL"
TK=$CUR
describe "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by the token" "signer SAST-ADN61a0c001" "$T_TMP/d.out"
expect_grep "... listing the added token" "sast SAST-ADN61a0c002" "$T_TMP/d.out"
if [ -n "$BR" ] && [ "$BR" != "$TK" ]; then ok "... after a tokenless bridge CTL ($BR)"; else
	not_ok "... bridge md5 '$BR' (final $TK)"; sed 's/^/#   /' "$T_TMP/last.out"; fi
expect_eq "... the node kept the bridge as its backup" "$(md5sum < "$T_TMP/n1/tftp/CTLFile.tlv.bak" | cut -d' ' -f1)" "$BR"
expect_exit "... a phone holding the tokenless CTL could not take the token CTL directly" 1 \
	"$C" verify --trusted "$T_TMP/tl4.tlv" "$T_TMP/n1/tftp/CTLFile.tlv"
expect_exit "... it accepts the bridge" 0 "$C" verify --trusted "$T_TMP/tl4.tlv" "$T_TMP/n1/tftp/CTLFile.tlv.bak"
describe "$T_TMP/n1/tftp/CTLFile.tlv.bak" > "$T_TMP/d.out"
expect_grep "... the bridge is signed by ITLRecovery" "signer $ITLR_SUBJ" "$T_TMP/d.out"
expect_exit "... and the bridge holder accepts the token CTL" 0 \
	"$C" verify --trusted "$T_TMP/n1/tftp/CTLFile.tlv.bak" "$T_TMP/n1/tftp/CTLFile.tlv"
describe "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... still listing ITLRecovery as SAST (the cluster's anchor stays)" "sast $ITLR_SUBJ" "$T_TMP/d.out"
"$C" show "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/show.out" 2>&1
expect_nogrep "... and no TVS record (TVS belongs to the ITL)" "TVS" "$T_TMP/show.out"
expect_exit "update --tokenless on it (ITLRecovery is one of its SAST)" 0 "$C" update --tokenless $SERVERS $AUTH --yes
describe "$T_TMP/n1/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by ITLRecovery" "signer $ITLR_SUBJ" "$T_TMP/d.out"
expect_grep "... keeping token 1" "sast SAST-ADN61a0c001" "$T_TMP/d.out"
expect_grep "... and token 2" "sast SAST-ADN61a0c002" "$T_TMP/d.out"
expect_eq "... four SAST records" "$(grep -c '^sast ' "$T_TMP/d.out")" 4

# --- a cluster that only ever had tokens (fresh nodes), then tokenless
for n in 1 2; do
	stop_node $n
	rm -f "$T_TMP/n$n/tftp/CTLFile.tlv" "$T_TMP/n$n/tftp/CTLFile.tlv.bak"
done
# shellcheck disable=SC2086
start_node 1 "$PKI/ccm1.pem" "$PKI/ccm1.key" $SBD_1
# shellcheck disable=SC2086
start_node 2 "$PKI/ccm2.pem" "$PKI/ccm2.key" $SBD_2
expect_exit "mixed-mode with tokens on fresh nodes" 0 "$C" mixed-mode $SERVERS $AUTH --module "$MOD" \
	--pin-file "$(pinfile sast1)" --token "$(label sast1)" --sast-token "$(label sast2)" --yes
same_everywhere "... both nodes serve the token CTL"
TK=$CUR
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/tk.tlv"
expect_exit "update --tokenless on the token cluster is refused" 4 "$C" update --tokenless $SERVERS $AUTH --yes
expect_grep "... a phone would refuse it" "phones holding it would refuse" "$T_TMP/last.err"
expect_eq "... nothing changed" "$(tftp_md5 2)" "$TK"
expect_exit "mixed-mode --tokenless on the token cluster without --token is refused" 4 \
	"$C" mixed-mode --tokenless $SERVERS $AUTH --yes
expect_grep "... naming --token" "--token" "$T_TMP/last.err"
expect_eq "... nothing changed" "$(tftp_md5 1)" "$TK"
expect_exit "mixed-mode --tokenless --token goes to tokenless" 0 "$C" mixed-mode --tokenless $SERVERS $AUTH \
	--module "$MOD" --pin-file "$(pinfile sast1)" --token "$(label sast1)" --yes --json
BR=$(sed -n 's/.*"bridge_md5":"\([0-9a-f]*\)".*/\1/p' "$T_TMP/last.out")
same_everywhere "... both nodes serve the tokenless CTL"
expect_eq "... after the bridge CTL the JSON names" "$(md5sum < "$T_TMP/n2/tftp/CTLFile.tlv.bak" | cut -d' ' -f1)" "$BR"
describe "$T_TMP/n2/tftp/CTLFile.tlv" > "$T_TMP/d.out"
expect_grep "... signed by ITLRecovery" "signer $ITLR_SUBJ" "$T_TMP/d.out"
expect_eq "... without the tokens (two SAST records)" "$(grep -c '^sast ' "$T_TMP/d.out")" 2
expect_exit "... a phone holding the token CTL could not take it directly" 1 \
	"$C" verify --trusted "$T_TMP/tk.tlv" "$T_TMP/n2/tftp/CTLFile.tlv"
expect_exit "... it accepts the bridge" 0 "$C" verify --trusted "$T_TMP/tk.tlv" "$T_TMP/n2/tftp/CTLFile.tlv.bak"
describe "$T_TMP/n2/tftp/CTLFile.tlv.bak" > "$T_TMP/d.out"
expect_grep "... the bridge is signed by the token" "signer SAST-ADN61a0c001" "$T_TMP/d.out"
expect_grep "... listing ITLRecovery" "sast $ITLR_SUBJ" "$T_TMP/d.out"
expect_exit "... whose holder accepts the tokenless CTL" 0 \
	"$C" verify --trusted "$T_TMP/n2/tftp/CTLFile.tlv.bak" "$T_TMP/n2/tftp/CTLFile.tlv"
expect_exit "check: consistent" 0 "$C" check $SERVERS $AUTH
finish
