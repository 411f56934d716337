#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Signed configuration files on a node with itl = yes (doc/sbd.md): a
# SEP<MAC>.cnf.xml dropped into the TFTP root gets its .sgn within a bounded
# wait, verifying against the node's ITL as a phone checks it, and ctl-tftpd
# serves it; a change is signed again; a delete removes the .sgn; a symbolic
# link named SEP<MAC>.cnf.xml is not followed; the node never signs its own
# output; a device with a certificate in device_cert_dir also gets
# SEP<MAC>.cnf.xml.enc.sgn and a .sgn holding the companion; a file present
# before the start is signed at start; sign_configs = no signs nothing.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider
[ -x "$BIN/ctl-tftpd" ] && [ -x "$BIN/tftp-get" ] || { echo "Bail out! ctl-tftpd or tftp-get missing"; exit 1; }

MAC=001122334455
DEV=00AABBCCDDEE
N=$T_TMP/node
mkdir -p "$N/devices"
cp "$PKI/phone1.pem" "$N/devices/SEP$DEV.pem"
make_node "$N" itl=yes "itlrecovery_cert=$PKI/itlrecovery.pem" "itlrecovery_key=$PKI/itlrecovery.key" \
	"tvs_cert=$PKI/tvs1.pem" "device_cert_dir=$N/devices"
R=$N/root
CNF=$R/SEP$MAC.cnf.xml
# Present before the start: the start scan signs it.
printf '<device><early/></device>\n' > "$R/SEP00000000000A.cnf.xml"
start_provider "$N"
expect_grep "start: the file already there is signed" "signed SEP00000000000A.cnf.xml.sgn" "$N/log"

# sgn_carries PLAIN: PLAIN.sgn exists and ends with exactly PLAIN's bytes.
sgn_carries() { [ -s "$1.sgn" ] && tail -c "$(wc -c < "$1")" "$1.sgn" | cmp -s - "$1"; }
sgn_verifies() { "$CC_" verify --sgn --trusted "$R/ITLFile.tlv" "$1.sgn"; }

printf '<device><fullConfig>true</fullConfig><loadInformation>sip88xx.14-1</loadInformation></device>\n' > "$CNF.tmp"
mv "$CNF.tmp" "$CNF"
if wait_for 5 sgn_carries "$CNF"; then ok "dropped: .sgn carries the file within 5 s"; else not_ok "dropped: .sgn carries the file within 5 s"; fi
expect_exit "the .sgn verifies against the ITL's TFTP record" 0 sgn_verifies "$CNF"
start_tftpd "$R"
tftp_fetch "SEP$MAC.cnf.xml.sgn" "$T_TMP/got.sgn"
expect_eq "ctl-tftpd serves the .sgn" "$(md5 "$T_TMP/got.sgn" 2>/dev/null)" "$(md5 "$CNF.sgn")"

before=$(md5 "$CNF.sgn")
printf '<device><fullConfig>true</fullConfig><loadInformation>sip88xx.14-2</loadInformation></device>\n' > "$CNF"
if wait_for 5 sgn_carries "$CNF"; then ok "changed in place: signed again"; else not_ok "changed in place: signed again"; fi
if [ "$(md5 "$CNF.sgn")" != "$before" ]; then ok "changed: a new .sgn"; else not_ok "changed: a new .sgn"; fi
expect_exit "the new .sgn verifies" 0 sgn_verifies "$CNF"
# A flipped payload byte no longer verifies (the check is real).
cp "$CNF.sgn" "$T_TMP/bad.sgn"
flip_bit "$T_TMP/bad.sgn" $(($(wc -c < "$T_TMP/bad.sgn") - 3))
expect_exit "a tampered .sgn is refused" 1 "$CC_" verify --sgn --trusted "$R/ITLFile.tlv" "$T_TMP/bad.sgn"

sleep 1 # let any stray event be handled before looking for files the node must not make
if ls "$R" | grep -q '\.sgn\.sgn'; then not_ok "never signs its own output"; else ok "never signs its own output"; fi

rm "$CNF"
if wait_for 5 test ! -e "$CNF.sgn"; then ok "deleted: .sgn removed"; else not_ok "deleted: .sgn removed"; fi
mv "$R/SEP00000000000A.cnf.xml" "$T_TMP/moved.xml"
if wait_for 5 test ! -e "$R/SEP00000000000A.cnf.xml.sgn"; then ok "renamed away: .sgn removed"; else not_ok "renamed away: .sgn removed"; fi

# A symbolic link under a configuration name points at a secret: never followed.
printf 'PRIVATE KEY MATERIAL\n' > "$T_TMP/secret"
ln -s "$T_TMP/secret" "$R/SEP0000000000BB.cnf.xml"
touch -h "$R/SEP0000000000BB.cnf.xml"
printf '<device/>\n' > "$R/SEP0000000000CC.cnf.xml.tmp"
mv "$R/SEP0000000000CC.cnf.xml.tmp" "$R/SEP0000000000CC.cnf.xml" # an event after the link's
wait_for 5 test -e "$R/SEP0000000000CC.cnf.xml.sgn"
kill -HUP "$PROV_PID" # the scan meets the link for sure
wait_for 5 grep -q "SEP0000000000BB.cnf.xml is a symbolic link" "$N/log"
expect_grep "symlink: refused and logged" "SEP0000000000BB.cnf.xml is a symbolic link; refusing to follow it" "$N/log"
if [ -e "$R/SEP0000000000BB.cnf.xml.sgn" ]; then not_ok "symlink: no .sgn"; else ok "symlink: no .sgn"; fi
if grep -rq "PRIVATE KEY MATERIAL" "$R"/*.sgn 2>/dev/null; then not_ok "symlink: the target's bytes signed nowhere"; else ok "symlink: the target's bytes signed nowhere"; fi

# A device with a certificate: encrypted file and companion.
ENC=$R/SEP$DEV.cnf.xml
printf '<device><fullConfig>true</fullConfig><ipAddressMode>0</ipAddressMode></device>\n' > "$ENC"
if wait_for 5 test -s "$ENC.enc.sgn"; then ok "device certificate: .enc.sgn written"; else not_ok "device certificate: .enc.sgn written"; fi
wait_for 5 test -s "$ENC.sgn"
hash=$(openssl x509 -in "$PKI/phone1.pem" -outform der | md5sum | cut -d' ' -f1)
# has FILE TEXT: FILE exists and holds TEXT (binary files: no listing on failure).
has() { [ -s "$1" ] && grep -aqF -- "$2" "$1"; }
if has "$ENC.sgn" "$hash"; then ok "companion .sgn: certHash of the device certificate"; else not_ok "companion .sgn: certHash of the device certificate"; fi
if has "$ENC.sgn" "encrConfig"; then ok "companion .sgn: encrConfig"; else not_ok "companion .sgn: encrConfig"; fi
if [ -s "$ENC.sgn" ] && ! has "$ENC.sgn" "fullConfig>true"; then ok "companion .sgn: not the full file"; else not_ok "companion .sgn: not the full file"; fi
if [ -s "$ENC.enc.sgn" ] && ! has "$ENC.enc.sgn" "fullConfig>true"; then ok ".enc.sgn: the file is not in clear"; else not_ok ".enc.sgn: the file is not in clear"; fi
expect_exit "companion .sgn verifies" 0 sgn_verifies "$ENC"
had=$( [ -e "$ENC.enc.sgn" ] && echo yes)
rm "$ENC"
if [ "$had" = yes ] && wait_for 5 test ! -e "$ENC.enc.sgn"; then ok "deleted: .enc.sgn removed"; else not_ok "deleted: .enc.sgn removed"; fi
stop_provider

# sign_configs = no: nothing signed.
NO=$T_TMP/nosign
make_node "$NO" itl=yes itl_layout=8x sign_configs=no
printf '<device/>\n' > "$NO/root/SEP$MAC.cnf.xml"
start_provider "$NO"
sleep 1
if [ -e "$NO/root/SEP$MAC.cnf.xml.sgn" ]; then not_ok "sign_configs = no: no .sgn"; else ok "sign_configs = no: no .sgn"; fi
stop_provider
finish
