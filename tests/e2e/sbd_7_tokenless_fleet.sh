#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 7: tokenless mixed mode on a two-node
# cluster. 1,000 phones, each with its own SEP<MAC>.cnf.xml that node 1
# signs, boot from node 1 as one fleet: every phone ends with the CTL and
# the ITL the node serves, and every phone's stored config is its file (each
# .sgn verified). A phone whose certificate is in the node's device_cert_dir
# gets SEP<MAC>.cnf.xml.enc.sgn (the plain text nowhere in it), which
# `boot --encrypted --phone-key` decrypts to the plain file; the wrong
# phone key decrypts nothing.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
N=1000
mkdir -p "$T_TMP/devcerts"
cp "$PKI/phone1.pem" "$T_TMP/devcerts/SEP001122334455.pem"
sbd_identity 1 ccm1 tvs1 itlrecovery; sbd_tls 1
sbd_identity 2 ccm2 tvs2 itlrecovery; sbd_tls 2
start_sbd_node 1 --peer 2 --set "device_cert_dir=$T_TMP/devcerts"
start_sbd_node 2 --peer 1
R=$T_TMP/n1/tftp

expect_exit "ctl-client mixed-mode --tokenless" 0 "$CC" mixed-mode --tokenless \
	--server "127.0.0.1:$PPORT_1" --server "127.0.0.1:$PPORT_2" $AUTH --yes
expect_grep "... Cluster set to Mixed Mode" "Cluster set to Mixed Mode" "$T_TMP/last.out"
check "node 1 serves the CTL" test -s "$R/CTLFile.tlv"
expect_eq "... node 2 the same" "$(md5 "$T_TMP/n2/tftp/CTLFile.tlv")" "$(md5 "$R/CTLFile.tlv")"

# One config per fleet phone (MACs 0C0FFE000000 upwards), each written by
# rename (one process: a shell loop would fork twice per file).
python3 - "$R" $N <<'PY' || not_ok "writing the configs"
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    mac = "0C0FFE%06X" % i
    tmp = os.path.join(root, ".SEP%s.tmp" % mac)
    with open(tmp, "w") as f:
        f.write("<device><name>SEP%s</name><loadInformation>sip88xx.14-2-1</loadInformation></device>\n" % mac)
    os.chmod(tmp, 0o644)
    os.rename(tmp, os.path.join(root, "SEP%s.cnf.xml" % mac))
PY
sgn_count() { [ "$(find "$R" -name 'SEP0C0FFE*.cnf.xml.sgn' | wc -l)" -eq $N ]; }
if wait_for 60 sgn_count; then ok "the node signs all $N configs"; else
	not_ok "$(find "$R" -name 'SEP0C0FFE*.cnf.xml.sgn' | wc -l) of $N configs signed after 60 s"; fi

expect_exit "a fleet of $N phones boots from node 1 (exit 0)" 0 "$PV" fleet --count $N --concurrency 200 \
	--tftp "127.0.0.1:$TPORT_1" --tvs "127.0.0.1:$VPORT_1" --model 8861 --state-root "$T_TMP/fleet" --json --no-progress
cp "$T_TMP/last.out" "$T_TMP/fleet.json"
expect_grep "every phone: CTL and ITL installed" "\"CTL and ITL installed\":$N" "$T_TMP/fleet.json"
expect_grep "... holding the node's CTL and ITL (md5)" "\"server_md5_phones\":$N" "$T_TMP/fleet.json"
expect_grep "... the node's CTL" "\"server_ctl_md5\":\"$(md5 "$R/CTLFile.tlv")\"" "$T_TMP/fleet.json"
expect_grep "... the node's ITL" "\"server_itl_md5\":\"$(md5 "$R/ITLFile.tlv")\"" "$T_TMP/fleet.json"
expect_grep "... no config refused" '"config-auth":0' "$T_TMP/fleet.json"
# "md5  SEP<MAC>.cnf.xml" for what each phone stores and for the node's files.
(cd "$T_TMP/fleet" && md5sum SEP*/SEP*.cnf.xml) 2>/dev/null | sed 's|  SEP[^/]*/|  |' | sort > "$T_TMP/stored.md5"
(cd "$R" && md5sum SEP0C0FFE*.cnf.xml) | sort > "$T_TMP/node.md5"
expect_eq "every phone stores its own config, verified" "$(comm -12 "$T_TMP/stored.md5" "$T_TMP/node.md5" | wc -l | tr -d ' ')" "$N"

# --- the encrypted config
SECRET='<device><name>SEP001122334455</name><sipProfile><phoneLabel>enc-marker-7c1f</phoneLabel></sipProfile></device>'
printf '%s\n' "$SECRET" > "$R/.enc.tmp"
mv "$R/.enc.tmp" "$R/SEP001122334455.cnf.xml"
if wait_for 10 test -s "$R/SEP001122334455.cnf.xml.enc.sgn"; then ok "the node writes SEP001122334455.cnf.xml.enc.sgn"; else
	not_ok "no .enc.sgn after 10 s"; fi
if grep -q "enc-marker-7c1f" "$R/SEP001122334455.cnf.xml.enc.sgn" 2>/dev/null; then
	not_ok "the plain text is not in the .enc.sgn"; else ok "the plain text is not in the .enc.sgn"; fi
wait_for 10 test -s "$R/SEP001122334455.cnf.xml.sgn" || true
if grep -q "enc-marker-7c1f" "$R/SEP001122334455.cnf.xml.sgn" 2>/dev/null; then
	not_ok "... nor in its companion .sgn"; else ok "... nor in its companion .sgn"; fi
expect_exit "phone 1 boots with --encrypted and its key (exit 0)" 0 boot "$T_TMP/p1" 1 --encrypted \
	--phone-cert "$PKI/phone1.pem" --phone-key "$PKI/phone1.key"
expect_grep "... it asks for the .enc.sgn" "SEP001122334455.cnf.xml.enc.sgn" "$T_TMP/last.out"
check "... and decrypts it to the plain file" cmp "$T_TMP/p1/SEP001122334455.cnf.xml" "$R/SEP001122334455.cnf.xml"
boot "$T_TMP/p1x" 1 --encrypted --phone-cert "$PKI/phone2.pem" --phone-key "$PKI/phone2.key" \
	> "$T_TMP/wrong.out" 2>&1
rc=$?
# Not 0, and not 2 (a usage error would prove nothing).
if [ $rc -ne 0 ] && [ $rc -ne 2 ] && ! grep -q "enc-marker-7c1f" "$T_TMP/p1x/SEP001122334455.cnf.xml" 2>/dev/null; then
	ok "the wrong phone key decrypts nothing (exit $rc)"; else not_ok "the wrong phone key: exit $rc"; fi
# Phone 3's certificate is not in device_cert_dir: the node encrypts nothing for it.
put_config 1 001122334457 '<device><name>SEP001122334457</name></device>' || not_ok "phone 3's config not signed"
check "no .enc.sgn for a phone whose certificate the node lacks" test ! -e "$R/SEP001122334457.cnf.xml.enc.sgn"
expect_exit "phone 3 with --encrypted: not found, falls back to the signed config (exit 0)" 0 \
	boot_mac 001122334457 "$T_TMP/p3" 1 --encrypted --phone-cert "$PKI/phone3.pem" --phone-key "$PKI/phone3.key"
expect_grep "... it asked for the .enc.sgn first" "SEP001122334457.cnf.xml.enc.sgn" "$T_TMP/last.out"
check "... and stores the plain file" cmp "$T_TMP/p3/SEP001122334457.cnf.xml" "$R/SEP001122334457.cnf.xml"
sbd_finish
