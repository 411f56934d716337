#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A node with itl = yes (doc/sbd.md): ITLFile.tlv exists before the node
# says it listens and verifies; the 12.x layout is signed by ITLRecovery
# with CallManager as TFTP, the 8.x layout by CallManager; SET_MODE turns
# CallManager into CCM+TFTP and ctl-tftpd serves the new bytes as
# ITLSEP<MAC>.tlv right away; GET_ITL returns the served file; SIGHUP
# re-reads a replaced CallManager certificate; a bad key on SIGHUP keeps the
# old ITL; ITL_RESET serves the reset ITL and then the normal one again;
# many tvs_peer entries push the ITL past 64 KB and the node warns; the
# rollback ITL carries no TFTP or TVS certificate; itl = no writes nothing.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider
[ -x "$BIN/ctl-tftpd" ] && [ -x "$BIN/tftp-get" ] || { echo "Bail out! ctl-tftpd or tftp-get missing"; exit 1; }

# roles FILE: "CN:FUNCTION|..." of every record as show-ctl lists them ("-" without a certificate).
roles() {
	"$SHOWCTL" "$1" | awk -F'\t' '
		$2 == "SUBJECTNAME" { n = split($4, a, "CN="); cn = a[n]; sub(/;.*/, "", cn) }
		$2 == "FUNCTION" { printf "%s%s:%s", sep, (cn == "" ? "-" : cn), $4; sep = "|"; cn = "" }'
}
signer() { "$SHOWCTL" "$1" | awk -F'\t' '$2 == "SIGNERNAME" { n = split($4, a, "CN="); sub(/;.*/, "", a[n]); print a[n] }'; }

SAST="System Administrator Security Token"
REC=ITLRECOVERY_cucm-pub.example.lab
CM=cucm-pub.example.lab
TVS1=cucm-pub-tvs.example.lab
TVS2=$(openssl x509 -noout -subject -nameopt RFC2253 -in "$PKI/tvs2.pem" | sed 's/.*CN=\([^,]*\).*/\1/')
CAPF=CAPF-9c4cba7d

N=$T_TMP/node
mkdir -p "$N"
cp "$PKI/ccm1.pem" "$N/cm.pem"; cp "$PKI/ccm1.key" "$N/cm.key"; chmod 600 "$N/cm.key"
make_node "$N" itl=yes allow_set_mode=yes "itlrecovery_cert=$PKI/itlrecovery.pem" \
	"itlrecovery_key=$PKI/itlrecovery.key" "tvs_cert=$PKI/tvs1.pem" "capf_cert=$PKI/capf.pem" \
	"callmanager_cert=$N/cm.pem" "callmanager_key=$N/cm.key" \
	"tvs_peer=cucm-sub1.example.lab 192.0.2.12 $PKI/tvs2.pem"
ITL=$N/root/ITLFile.tlv

# --- 12.x layout, non-secure
start_provider "$N"
if [ -s "$ITL" ]; then ok "ITLFile.tlv exists once the node listens"; else not_ok "ITLFile.tlv exists once the node listens"; fi
expect_exit "ITL verifies (ctl-client verify)" 0 "$CC_" verify "$ITL"
expect_eq "12.x: signed by ITLRecovery" "$(signer "$ITL")" "$REC"
expect_eq "12.x non-secure: records" "$(roles "$ITL")" \
	"$REC:$SAST|$CM:$SAST|$CM:TFTP|$TVS1:TVS|$TVS2:TVS|$CAPF:CAPF"
expect_grep "start: one log line with signer and layout" "signed by ITLRecovery (12.x layout)" "$N/log"
expect_exit "GET_ITL" 0 $P get-itl --out "$T_TMP/got.tlv"
expect_eq "GET_ITL: the served bytes" "$(md5 "$T_TMP/got.tlv")" "$(md5 "$ITL")"
expect_grep "GET_ITL: md5 item" "md5: $(md5 "$ITL")" "$T_TMP/last.out"

start_tftpd "$N/root"
tftp_fetch ITLSEP001122334455.tlv "$T_TMP/sep.tlv"
expect_eq "TFTP: ITLSEP<MAC>.tlv is the ITL" "$(md5 "$T_TMP/sep.tlv" 2>/dev/null)" "$(md5 "$ITL")"

# --- SET_MODE 1: CCM+TFTP, served at once
before=$(md5 "$ITL")
expect_exit "SET_MODE 1" 0 $P set-mode 1
expect_eq "mixed: CallManager is CCM+TFTP" "$(roles "$ITL")" \
	"$REC:$SAST|$CM:$SAST|$CM:CCM+TFTP|$TVS1:TVS|$TVS2:TVS|$CAPF:CAPF"
if [ "$(md5 "$ITL")" != "$before" ]; then ok "mixed: the ITL changed"; else not_ok "mixed: the ITL changed"; fi
tftp_fetch ITLSEP001122334455.tlv "$T_TMP/sep2.tlv"
expect_eq "TFTP right after the rebuild: the new ITL" "$(md5 "$T_TMP/sep2.tlv" 2>/dev/null)" "$(md5 "$ITL")"
expect_exit "SET_MODE 0" 0 $P set-mode 0
expect_eq "non-secure again: TFTP" "$(roles "$ITL" | cut -d'|' -f3)" "$CM:TFTP"

# --- SIGHUP re-reads the certificate files
cp "$PKI/ccm2.pem" "$N/cm.pem"; cp "$PKI/ccm2.key" "$N/cm.key"
kill -HUP "$PROV_PID"
wait_for 10 grep -q "ITL installed as .*(SIGHUP)" "$N/log"
expect_eq "SIGHUP: the new CallManager certificate is listed" "$(roles "$ITL" | cut -d'|' -f2,3)" \
	"cucm-sub1.example.lab:$SAST|cucm-sub1.example.lab:TFTP"
before=$(md5 "$ITL")
chmod 644 "$N/cm.key"
kill -HUP "$PROV_PID"
wait_for 10 grep -q "keeping the old one" "$N/log"
expect_grep "SIGHUP with a readable key: refused, named" "callmanager_key $N/cm.key: mode 0644" "$N/log"
expect_eq "SIGHUP with a bad key: ITL unchanged" "$(md5 "$ITL")" "$before"
chmod 600 "$N/cm.key"

# --- ITL_RESET: localkey (12.x: CallManager), then the normal ITL again
expect_exit "ITL_RESET 1" 0 $P itl-reset 1
expect_eq "reset ITL: one SAST record, CallManager" "$(roles "$ITL")" "cucm-sub1.example.lab:$SAST"
expect_eq "reset ITL: signed by CallManager" "$(signer "$ITL")" "cucm-sub1.example.lab"
expect_exit "reset ITL verifies" 0 "$CC_" verify "$ITL"
expect_exit "ITL_RESET 2 without the remote pair: refused" 1 $P itl-reset 2
expect_grep "ITL_RESET 2: why" "no remote ITLRecovery key on this node" "$T_TMP/last.out"
expect_exit "ITL_RESET 0" 0 $P itl-reset 0
expect_eq "normal ITL again" "$(signer "$ITL")" "$REC"
stop_provider

# --- 8.x layout
N8=$T_TMP/node8
make_node "$N8" itl=yes itl_layout=8x "tvs_cert=$PKI/tvs1.pem"
start_provider "$N8"
expect_eq "8.x: signed by CallManager" "$(signer "$N8/root/ITLFile.tlv")" "$CM"
expect_eq "8.x: records" "$(roles "$N8/root/ITLFile.tlv")" "$CM:$SAST|$CM:TFTP|$TVS1:TVS"
expect_exit "ITL_RESET 1 without ITLRecovery (8.x localkey): refused" 1 $P itl-reset 1
stop_provider

# --- over 64 KB: a warning
NB=$T_TMP/big
make_node "$NB" itl=yes itl_layout=8x
i=1
while [ "$i" -le 45 ]; do
	echo "tvs_peer = n$i.example.lab 192.0.2.$i $PKI/tvs2.pem" >> "$NB/node.conf"
	i=$((i + 1))
done
start_provider "$NB"
size=$(wc -c < "$NB/root/ITLFile.tlv")
if [ "$size" -gt 65536 ]; then ok "45 TVS peers: ITL past 64 KB ($size bytes)"; else not_ok "45 TVS peers: ITL past 64 KB ($size bytes)"; fi
expect_grep "over 64 KB: warned" "warning: $NB/root/ITLFile.tlv is $size bytes, more than the 65536 phones can load" "$NB/log"
stop_provider
if grep -q "more than the 65536" "$N8/log"; then not_ok "a small ITL: no warning"; else ok "a small ITL: no warning"; fi

# --- rollback
NR=$T_TMP/rollback
make_node "$NR" itl=yes itl_rollback=yes "itlrecovery_cert=$PKI/itlrecovery.pem" \
	"itlrecovery_key=$PKI/itlrecovery.key" "tvs_cert=$PKI/tvs1.pem"
start_provider "$NR"
expect_eq "rollback: no TFTP or TVS certificate" "$(roles "$NR/root/ITLFile.tlv")" \
	"$REC:$SAST|$CM:$SAST|-:TFTP|-:TVS"
expect_exit "rollback ITL verifies" 0 "$CC_" verify "$NR/root/ITLFile.tlv"
stop_provider

# --- itl = no: nothing written, GET_ITL not found
NN=$T_TMP/off
make_node "$NN"
start_provider "$NN"
if [ -e "$NN/root/ITLFile.tlv" ]; then not_ok "itl = no: no ITLFile.tlv"; else ok "itl = no: no ITLFile.tlv"; fi
expect_exit "itl = no: GET_ITL not found" 1 $P get-itl
expect_grep "itl = no: NOT_FOUND" "NOT_FOUND" "$T_TMP/last.out"
stop_provider
finish
