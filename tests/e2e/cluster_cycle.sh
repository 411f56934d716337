#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The cluster cycle on loopback: three nodes (ctl-provider + ctl-tftpd each)
# and two SoftHSM2 SAST tokens. mixed-mode, then every node's TFTP serves the
# same CTL (identical md5 over TFTP); a replaced CallManager certificate is
# seen by check and fixed by update; add-token; delete-entry (never the
# last two tokens); a partial upload failure finished by --retry-failed;
# check finds a planted expired certificate; non-secure keeps the CTL.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
use_tokens sast1 sast2 rogue
reissue ccm3 "$PKI/ccm2.pem"
start_node 1 "$PKI/ccm1.pem" "$PKI/ccm1.key"
start_node 2 "$PKI/ccm2.pem" "$PKI/ccm2.key"
start_node 3 "$T_TMP/ccm3.pem" "$T_TMP/ccm3.key"
SERVERS="--server 127.0.0.1:$PPORT_1 --server 127.0.0.1:$PPORT_2 --server 127.0.0.1:$PPORT_3"
AUTH="--user admin --password-file $T_TMP/pw --accept-new"
SIGN1="--module $MOD --pin-file $(pinfile sast1) --token $(label sast1)"

# --- mixed-mode refusals before anything changes
expect_exit "mixed-mode with one token is refused (policy)" 4 \
	"$C" mixed-mode $SERVERS $AUTH $SIGN1 --yes
expect_grep "... and says a backup token is needed" "at least two SAST tokens" "$T_TMP/last.err"
expect_exit "mixed-mode without a terminal and without --yes asks for --yes" 2 \
	"$C" mixed-mode $SERVERS $AUTH $SIGN1 --sast-token "$(label sast2)" </dev/null
expect_grep "... naming --yes" "pass --yes" "$T_TMP/last.err"
expect_grep "... after showing each new server's certificate fingerprint" "certificate SHA256 fingerprint $(fp "$PKI/ccm1.pem")" "$T_TMP/last.err"
expect_eq "no node has a CTL yet" "$(ls "$T_TMP"/n*/tftp/CTLFile.tlv 2>/dev/null | wc -l | tr -d ' ')" 0

# --- mixed-mode
expect_exit "mixed-mode on three nodes succeeds" 0 \
	"$C" mixed-mode $SERVERS $AUTH $SIGN1 --sast-token "$(label sast2)" --yes --json
cp "$T_TMP/last.out" "$T_TMP/mixed.json"
expect_grep "JSON result says ok" '"command":"mixed-mode","ok":true' "$T_TMP/mixed.json"
expect_eq "every server reports mode 1" "$(grep -o '"mode":1' "$T_TMP/mixed.json" | wc -l | tr -d ' ')" 3
expect_eq "known_hosts records the three servers" "$(grep -c '^127.0.0.1:' "$KNOWN")" 3
M1=$(tftp_md5 1); M2=$(tftp_md5 2); M3=$(tftp_md5 3)
JMD5=$(sed -n 's/.*"ok":true,"md5":"\([0-9a-f]*\)".*/\1/p' "$T_TMP/mixed.json")
if [ -n "$M1" ] && [ "$M1" = "$M2" ] && [ "$M2" = "$M3" ]; then ok "TFTP of all three nodes serves the same CTL ($M1)"; else
	not_ok "TFTP md5s differ: '$M1' '$M2' '$M3'"; fi
expect_eq "... the one mixed-mode signed" "$M1" "$JMD5"
expect_eq "... byte for byte the provider's file" "$(md5sum < "$T_TMP/n2/tftp/CTLFile.tlv" | cut -d' ' -f1)" "$M1"
cp "$T_TMP/n1/tftp/CTLFile.tlv" "$T_TMP/first.tlv"
expect_exit "the CTL verifies" 0 "$C" show "$T_TMP/first.tlv"
expect_grep "... lists token 1" "SAST-ADN61a0c001" "$T_TMP/last.out"
expect_grep "... lists token 2" "SAST-ADN61a0c002" "$T_TMP/last.out"
expect_grep "... lists node 3's host name" "node3.example.lab" "$T_TMP/last.out"
expect_eq "... 2 SAST + 3 CCM+TFTP + 1 CAPF (shared, listed once)" \
	"$(grep -c 'RECORDLENGTH' "$T_TMP/last.out")" 6
expect_exit "check: all consistent" 0 "$C" check $SERVERS $AUTH
expect_grep "... says so" "no problem found" "$T_TMP/last.out"

# --- replace node 1's CallManager certificate (same subject, new serial and key)
reissue ccm1new "$PKI/ccm1.pem"
stop_node 1
start_node 1 "$T_TMP/ccm1new.pem" "$T_TMP/ccm1new.key"
expect_exit "check refuses the changed server certificate" 1 "$C" check $SERVERS $AUTH
expect_grep "... with a clear warning" "SERVER CERTIFICATE CHANGED: 127.0.0.1:$PPORT_1" "$T_TMP/last.out"
expect_nogrep "... and never logged in there" "login ok" "$T_TMP/n1/prov.log"
NEWFP=$(fp "$T_TMP/ccm1new.pem")
expect_exit "check with the new fingerprint pinned finds the serial mismatch" 1 \
	"$C" check $SERVERS $AUTH --fingerprint "127.0.0.1:$PPORT_1=$NEWFP"
expect_grep "... names the serial of the CCM+TFTP record" "serial: CCM+TFTP record" "$T_TMP/last.out"
expect_grep "... and the public key" "public-key: CCM+TFTP record" "$T_TMP/last.out"
expect_grep "... known_hosts now holds the pinned fingerprint" "127.0.0.1:$PPORT_1 $NEWFP" "$KNOWN"
expect_exit "update re-collects and re-signs" 0 "$C" update $SERVERS $AUTH $SIGN1 --yes
expect_grep "... keeps the token records" "installed CTL #2" "$T_TMP/last.out"
U1=$(tftp_md5 1); U2=$(tftp_md5 2); U3=$(tftp_md5 3)
if [ "$U1" = "$U2" ] && [ "$U2" = "$U3" ] && [ "$U1" != "$M1" ]; then ok "after update all nodes serve the same new CTL"; else
	not_ok "after update: '$U1' '$U2' '$U3' (before $M1)"; fi
expect_exit "... which a phone holding the first CTL accepts" 0 \
	"$C" verify --trusted "$T_TMP/first.tlv" "$T_TMP/n3/tftp/CTLFile.tlv"
expect_exit "check: consistent again" 0 "$C" check $SERVERS $AUTH

# --- add-token, delete-entry
expect_exit "add-token adds a third token" 0 "$C" add-token $SERVERS $AUTH --module "$MOD" \
	--pin-file "$(pinfile sast1)" --token "$(label rogue)" --sign-token "$(label sast1)" --yes
"$C" show "$T_TMP/n2/tftp/CTLFile.tlv" > "$T_TMP/show.out"
expect_grep "... the served CTL lists it" "SAST-ADN0bad7001" "$T_TMP/show.out"
expect_exit "add-token twice is refused" 4 "$C" add-token $SERVERS $AUTH --module "$MOD" \
	--pin-file "$(pinfile sast1)" --token "$(label rogue)" --sign-token "$(label sast1)" --yes
expect_exit "delete-entry --serial removes it" 0 "$C" delete-entry $SERVERS $AUTH $SIGN1 \
	--serial 0B:AD:70:01 --yes
"$C" show "$T_TMP/n3/tftp/CTLFile.tlv" > "$T_TMP/show.out"
expect_nogrep "... the served CTL no longer lists it" "SAST-ADN0bad7001" "$T_TMP/show.out"
D1=$(tftp_md5 1); D3=$(tftp_md5 3)
expect_eq "... same md5 on nodes 1 and 3" "$D1" "$D3"
expect_exit "delete-entry of one of the last two tokens is refused" 4 "$C" delete-entry $SERVERS $AUTH \
	$SIGN1 --subject "O=Cisco Systems,OU=IPCBU,CN=SAST-ADN61a0c002" --yes
expect_grep "... saying why" "last two tokens are never removed" "$T_TMP/last.err"
expect_eq "... and nothing changed" "$(tftp_md5 2)" "$D1"

# --- partial failure: node 2 cannot write (its backup name is a non-empty directory)
rm -f "$T_TMP/n2/tftp/CTLFile.tlv.bak"
mkdir -p "$T_TMP/n2/tftp/CTLFile.tlv.bak/x"
reissue ccm3new "$PKI/ccm2.pem"
stop_node 3
start_node 3 "$T_TMP/ccm3new.pem" "$T_TMP/ccm3new.key"
expect_exit "update with node 2 failing exits non-zero" 1 "$C" update $SERVERS $AUTH $SIGN1 --yes \
	--fingerprint "127.0.0.1:$PPORT_3=$(fp "$T_TMP/ccm3new.pem")"
# The row of node 2 (SERVER HOST RESULT ...) has FAILED in its RESULT column.
if grep -qE "^127\.0\.0\.1:$PPORT_2 +[^ ]+ +FAILED " "$T_TMP/last.out"; then
	ok "... the table marks node 2 FAILED"; else
	not_ok "... the table marks node 2 FAILED"; sed 's/^/#   /' "$T_TMP/last.out" | head -12; fi
expect_grep "... with the server's reason" "server cannot write the file" "$T_TMP/last.out"
expect_grep "... and says how to finish" "--retry-failed" "$T_TMP/last.out"
R1=$(tftp_md5 1); R3=$(tftp_md5 3)
if [ "$R1" = "$R3" ] && [ "$R1" != "$D1" ] && [ "$(tftp_md5 2)" = "$D1" ]; then
	ok "nodes 1 and 3 serve the new CTL, node 2 still the old one"; else
	not_ok "after partial update: $R1 $(tftp_md5 2) $R3 (old $D1)"; fi
rm -rf "$T_TMP/n2/tftp/CTLFile.tlv.bak"
expect_exit "update --retry-failed finishes node 2" 0 "$C" update --retry-failed $AUTH
expect_grep "... the others are shown as done earlier" "earlier" "$T_TMP/last.out"
expect_eq "... node 2 now serves the same CTL" "$(tftp_md5 2)" "$R1"
expect_exit "--retry-failed with nothing left to do says so" 1 "$C" update --retry-failed $AUTH
expect_grep "... clearly" "no unfinished job" "$T_TMP/last.err"

# --- a planted expired certificate
stop_node 3
start_node 3 "$T_TMP/ccm3new.pem" "$T_TMP/ccm3new.key" --set "cert=tftp:$PKI/expired.pem"
expect_exit "check finds the expired certificate" 1 "$C" check $SERVERS $AUTH --json
expect_grep "... reported as expired" '"kind":"expired"' "$T_TMP/last.out"
expect_grep "... on node 3" "\"server\":\"127.0.0.1:$PPORT_3\",\"kind\":\"expired\"" "$T_TMP/last.out"
expect_exit "update refuses to list an expired certificate" 4 "$C" update $SERVERS $AUTH $SIGN1 --yes

# --- non-secure
expect_exit "non-secure sets mode 0 everywhere" 0 "$C" non-secure $SERVERS $AUTH --yes --json
expect_eq "... three servers report mode 0" "$(grep -o '"mode":0' "$T_TMP/last.out" | wc -l | tr -d ' ')" 3
expect_eq "... the CTL stays served" "$(tftp_md5 1)" "$R1"
"$C" check $SERVERS $AUTH > "$T_TMP/check.out" 2>&1
expect_grep "... check shows mode 0" "mode 0, CTL md5 $R1" "$T_TMP/check.out"
finish
