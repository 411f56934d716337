#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Security By Default, scenario 1: a non-secure cluster (no CTL) whose node
# serves its own ITL (12.x layout: signed by ITLRecovery, CallManager as
# TFTP, the node's TVS). A fresh phone finds no CTL (File Not Found, normal
# in a non-secure cluster), trusts the ITL on first contact and stores the
# node's bytes; the node signs SEP<MAC>.cnf.xml when it appears and the
# phone takes the signed config; a changed config is signed again and taken;
# a tampered .sgn, or one signed by a key nobody trusts (TVS asked), is
# refused (the 8945's "invalid file ..., authenticated fail. Reason:14.";
# ctl-suite's --verbose line says why) and the phone keeps its config; the .sgn goes
# with the config; a second phone boots through ITLSEP<MAC>.tlv too.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/sbd_env.inc"
need_sbd
sbd_node 1 ccm1 tvs1 itlrecovery
R=$T_TMP/n1/tftp
S=$T_TMP/phone1

# --- the node's ITL
check "the node serves ITLFile.tlv" test -s "$R/ITLFile.tlv"
check "... and no CTL (non-secure)" test ! -e "$R/CTLFile.tlv"
expect_exit "ctl-client show verifies the node's ITL" 0 "$CC" show "$R/ITLFile.tlv"
cp "$T_TMP/last.out" "$T_TMP/itl.txt"
expect_signer "... signed by ITLRecovery (12.x layout)" "$R/ITLFile.tlv" ITLRECOVERY_cucm-pub.example.lab
expect_grep "... lists the node's TVS certificate" "$(ser "$PKI/tvs1.pem")" "$T_TMP/itl.txt"
expect_grep "... and its CallManager certificate as TFTP" "$(ser "$PKI/ccm1.pem")" "$T_TMP/itl.txt"
expect_eq "ITLSEP<MAC>.tlv over TFTP is the node's file" "$(itl_served 1)" "$(md5 "$R/ITLFile.tlv")"

# --- first contact
expect_exit "fresh phone boots (exit 0)" 0 boot "$S" 1
cp "$T_TMP/last.out" "$T_TMP/boot1.txt"
expect_grep "no CTL: File Not Found (normal when non-secure)" "File Not Found" "$T_TMP/boot1.txt"
expect_grep "the ITL is installed on first contact" "ITL installed" "$T_TMP/boot1.txt"
expect_stored "the phone stores the ITL the node serves (md5)" "$S" 1
check "... and no CTL" test ! -e "$S/CTLFile.tlv"
# The family speaks: a 7975 taking the same first ITL says what a 79xx says.
expect_exit "a fresh 7975 boots (exit 0)" 0 boot_mac 001122334458 "$T_TMP/phone79" 1 --model 7975
expect_grep "... and says Trust List Updated, as a 79xx does" "Trust List Updated" "$T_TMP/last.out"
expect_nogrep "... not the 88xx family's ITL installed" "ITL installed" "$T_TMP/last.out"

# --- signed configuration files
CFG1='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-2-1</loadInformation></device>'
if put_config 1 "$MAC" "$CFG1"; then ok "the node writes SEP$MAC.cnf.xml.sgn within 10 s, carrying the file"; else
	not_ok "no SEP$MAC.cnf.xml.sgn carrying the file after 10 s"; sed 's/^/# /' "$T_TMP/n1/prov.log" | tail -5; fi
expect_exit "ctl-client show reads the .sgn header" 0 "$CC" show "$R/SEP$MAC.cnf.xml.sgn"
expect_signer "... signed by the node's CallManager certificate" "$R/SEP$MAC.cnf.xml.sgn" cucm-pub.example.lab
expect_exit "the phone boots again and takes the signed config (exit 0)" 0 boot "$S" 1
cp "$T_TMP/last.out" "$T_TMP/boot2.txt"
check "the config the phone stores is the node's file" cmp "$S/SEP$MAC.cnf.xml" "$R/SEP$MAC.cnf.xml"
if grep -q "Trust List Update" "$T_TMP/boot2.txt"; then not_ok "an unchanged ITL shows no status"; else ok "an unchanged ITL shows no status"; fi

CFG2='<device><deviceProtocol>SIP</deviceProtocol><loadInformation>sip88xx.14-3-1</loadInformation></device>'
if put_config 1 "$MAC" "$CFG2"; then ok "a changed config is signed again within 10 s"; else not_ok "the .sgn was not rewritten"; fi
expect_exit "the phone takes the changed config" 0 boot "$S" 1
check "... byte for byte" cmp "$S/SEP$MAC.cnf.xml" "$R/SEP$MAC.cnf.xml"
cp "$S/SEP$MAC.cnf.xml" "$T_TMP/kept.xml"

# --- a tampered .sgn: flip one bit of the payload, written by rename
cp "$R/SEP$MAC.cnf.xml.sgn" "$T_TMP/bad.sgn"
flip_bit "$T_TMP/bad.sgn" $(($(wc -c < "$T_TMP/bad.sgn") - 20))
cp "$T_TMP/bad.sgn" "$R/.bad.tmp" && mv "$R/.bad.tmp" "$R/SEP$MAC.cnf.xml.sgn"
expect_exit "tampered .sgn: refused (exit 5)" 5 boot "$S" 1 --verbose
expect_grep "... with the 8800 family's status message" \
	"invalid file SEP$MAC.cnf.xml.sgn, authenticated fail. Reason:14." "$T_TMP/last.out"
expect_grep "... --verbose: ctl-suite says why" "ctl-suite: SEP$MAC.cnf.xml.sgn refused: " "$T_TMP/last.out"
expect_nogrep "... no line a phone never prints" "cfgVerify" "$T_TMP/last.out"
check "... the phone keeps its config" cmp "$S/SEP$MAC.cnf.xml" "$T_TMP/kept.xml"
expect_stored "... and its ITL" "$S" 1

# --- a well-formed .sgn of another file, signed by a key the cluster does not
# know (the rogue certificate): its signature verifies, its signer is trusted
# by nothing held and TVS does not know it.
printf '<device><loadInformation>evil</loadInformation></device>\n' > "$T_TMP/SEP$MAC.cnf.xml"
"$CC" sign-file --cert "$PKI/rogue.pem" --key "$PKI/rogue.key" "$T_TMP/SEP$MAC.cnf.xml" >/dev/null
cp "$T_TMP/SEP$MAC.cnf.xml.sgn" "$R/.bad.tmp" && mv "$R/.bad.tmp" "$R/SEP$MAC.cnf.xml.sgn"
expect_exit "a .sgn signed by an unknown key: refused (exit 5)" 5 boot "$S" 1 --console 88xx
expect_grep "... after asking TVS" "processing TVS Query Certificate request" "$T_TMP/last.out"
check "... the phone keeps its config" cmp "$S/SEP$MAC.cnf.xml" "$T_TMP/kept.xml"

# --- a config removed: the node removes its .sgn
rm -f "$R/SEP$MAC.cnf.xml"
if wait_for 10 test ! -e "$R/SEP$MAC.cnf.xml.sgn"; then ok "the .sgn goes when the config goes"; else not_ok "the .sgn stayed after the config was removed"; fi

# --- another phone, another MAC: ITLSEP<MAC>.tlv maps to the node's ITL
expect_exit "a second fresh phone boots" 0 boot_mac 001122334456 "$T_TMP/phone2" 1
expect_grep "... it asks for its own ITLSEP<MAC>.tlv" "ITLSEP001122334456.tlv" "$T_TMP/last.out"
expect_stored "... and stores the node's ITL" "$T_TMP/phone2" 1
sbd_finish
