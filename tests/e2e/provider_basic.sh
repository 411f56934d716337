#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-provider and show-ctl as an administrator meets them: help and man
# pages agree, configuration errors, credential lines, GET_INFO, first
# installation and trusted update, GET_STATUS, the security mode across a
# restart, ctl-tftpd serving each new CTL without a restart, and show-ctl's
# listing, JSON and failure messages.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider

# Every option in --help is in the man page, and the reverse.
opts_help() { "$1" --help | grep -o -- '--[a-z][a-z-]*' | sort -u; }
opts_man() { grep -o 'Fl -[a-z][a-z-]*' "$1" | sed 's/^Fl /-/' | sort -u; }
for pair in "ctl-provider:doc/ctl-provider.8" "show-ctl:doc/show-ctl.8"; do
	b=${pair%%:*}; m=$TOP/${pair#*:}
	expect_exit "$b --help: exit 0" 0 "$BIN/$b" --help
	expect_eq "$b: --help and man page list the same options" \
		"$(opts_help "$BIN/$b" | tr '\n' ' ')" "$(opts_man "$m" | tr '\n' ' ')"
	for s in SYNOPSIS OPTIONS "EXIT STATUS" EXAMPLES; do
		expect_grep "$b man page: $s" ".Sh $s" "$m"
	done
done
expect_exit "unknown option: usage, exit 2" 2 "$PROV" --bogus
expect_grep "unknown option: usage on stderr" "usage: ctl-provider" "$T_TMP/last.err"

N=$T_TMP/node
make_node "$N" allow_set_mode=yes
make_ctls "$T_TMP"
expect_grep "hash-password: yescrypt line" 'admin:$y$' "$N/creds"
printf 'pw\n' | "$PROV" --hash-password ops --method sha512 >"$T_TMP/sha.line"
expect_grep "hash-password: sha512-crypt line" 'ops:$6$' "$T_TMP/sha.line"
expect_exit "hash-password: bad user name refused" 2 "$PROV" --hash-password 'a:b'

expect_exit "check-config: ok" 0 "$PROV" --config "$N/node.conf" --check-config
expect_grep "check-config: summary" "configuration ok: node cucm-pub.example.lab, 3 certificate(s)" "$T_TMP/last.out"
expect_exit "example config parses (certificates missing: exit 3)" 3 "$PROV" --config "$TOP/tftp-server/ctl-provider/node.conf.example" --check-config
expect_grep "example config: only the certificate files are missing" "/etc/ctl-suite/ccm.pem" "$T_TMP/last.err"
printf 'hostname = x\nread_timeout = 0\n' >"$T_TMP/bad.conf"
expect_exit "bad value: exit 3" 3 "$PROV" --config "$T_TMP/bad.conf" --check-config
expect_grep "bad value: file and line" "bad.conf:2: read_timeout: '0' is not a number in 1..3600" "$T_TMP/last.err"
printf 'colour = blue\n' >"$T_TMP/bad2.conf"
expect_exit "unknown key: exit 3" 3 "$PROV" --config "$T_TMP/bad2.conf" --check-config
expect_grep "unknown key: named" "bad2.conf:1: unknown key 'colour'" "$T_TMP/last.err"
expect_exit "mismatched tls_key: exit 3" 3 "$PROV" --config "$N/node.conf" --set tls_key="$PKI/ccm2.key" --check-config
expect_grep "mismatched key: named" "key values mismatch" "$T_TMP/last.err"
expect_exit "bad --listen: exit 2" 2 "$PROV" --config "$N/node.conf" --listen nohost:1 --check-config

start_provider "$N"
expect_exit "GET_INFO" 0 $P info
expect_grep "GET_INFO: hostname" "hostname: cucm-pub.example.lab" "$T_TMP/last.out"
expect_grep "GET_INFO: ipv4" "ipv4: 192.0.2.11" "$T_TMP/last.out"
expect_grep "GET_INFO: mode 0" "mode: 0" "$T_TMP/last.out"
# The one version number, CTL_VERSION_STRING in ctl/ctl.h.
VERSION=$(sed -n 's/^#define CTL_VERSION_STRING "\(.*\)"$/\1/p' "$TOP/libctl/include/ctl/ctl.h")
expect_grep "GET_INFO: version" "version: ctl-provider ${VERSION:-none in ctl.h}" "$T_TMP/last.out"
expect_grep "GET_INFO: CCM+TFTP certificate (DER)" "cert: role 2, $(openssl x509 -in "$PKI/ccm1.pem" -outform der | wc -c) bytes" "$T_TMP/last.out"
expect_grep "GET_INFO: CAPF certificate" "cert: role 4, $(openssl x509 -in "$PKI/capf.pem" -outform der | wc -c) bytes" "$T_TMP/last.out"
expect_grep "GET_INFO: TVS certificate" "cert: role 21, $(openssl x509 -in "$PKI/tvs1.pem" -outform der | wc -c) bytes" "$T_TMP/last.out"

expect_exit "GET_CTL with none installed: NOT_FOUND" 1 $P get-ctl
expect_grep "GET_CTL: NOT_FOUND" "status NOT_FOUND (6)" "$T_TMP/last.out"
expect_exit "show-ctl with none installed: exit 3" 3 "$SHOWCTL" --root "$N/root"
expect_grep "show-ctl: CUCM's not-found line" "CTL File not found. Please run CTLClient plugin" "$T_TMP/last.out"
expect_grep "show-ctl: length 0" "Length of CTL file: 0" "$T_TMP/last.out"

start_tftpd "$N/root"

expect_exit "first installation" 0 $P put-ctl "$T_TMP/a.tlv"
expect_grep "PUT_CTL answers the md5" "md5: $(md5 "$T_TMP/a.tlv")" "$T_TMP/last.out"
expect_grep "PUT_CTL answers the length" "length: $(wc -c <"$T_TMP/a.tlv" | tr -d ' ')" "$T_TMP/last.out"
expect_grep "installation logged" "installed CTLFile.tlv, $(wc -c <"$T_TMP/a.tlv" | tr -d ' ') bytes, md5 $(md5 "$T_TMP/a.tlv")" "$N/log"
wait_for 5 tftp_fetch CTLFile.tlv "$T_TMP/served1.tlv"
expect_eq "ctl-tftpd serves the installed CTL" "$(md5 "$T_TMP/served1.tlv")" "$(md5 "$T_TMP/a.tlv")"

expect_exit "trusted update" 0 $P put-ctl "$T_TMP/b.tlv"
tftp_fetch CTLFile.tlv "$T_TMP/served2.tlv"
expect_eq "ctl-tftpd serves the update without a restart" "$(md5 "$T_TMP/served2.tlv")" "$(md5 "$T_TMP/b.tlv")"
expect_eq "backup holds the first CTL" "$(md5 "$N/root/CTLFile.tlv.bak")" "$(md5 "$T_TMP/a.tlv")"
expect_exit "GET_CTL" 0 $P get-ctl --out "$T_TMP/got.tlv"
expect_eq "GET_CTL returns the installed bytes" "$(md5 "$T_TMP/got.tlv")" "$(md5 "$T_TMP/b.tlv")"
expect_grep "GET_CTL: md5 item" "md5: $(md5 "$T_TMP/b.tlv")" "$T_TMP/last.out"
expect_exit "GET_STATUS" 0 $P status
expect_grep "GET_STATUS: md5" "md5: $(md5 "$T_TMP/b.tlv")" "$T_TMP/last.out"
expect_grep "GET_STATUS: mtime" "mtime: $(stat -c %Y "$N/root/CTLFile.tlv")" "$T_TMP/last.out"

expect_exit "SET_MODE 1" 0 $P set-mode 1
expect_grep "SET_MODE: mode 1 answered" "mode: 1" "$T_TMP/last.out"
expect_grep "SET_MODE: logged" "security mode set to 1 (mixed) by user admin from 127.0.0.1:" "$N/log"
expect_exit "SET_MODE 7: refused" 1 $P set-mode 7
expect_grep "SET_MODE 7: BAD_REQUEST" "status BAD_REQUEST (1)" "$T_TMP/last.out"
stop_provider
expect_grep "SIGTERM: clean stop" "ctl-provider: stopped" "$N/log"
start_provider "$N"
expect_exit "mode after a restart" 0 $P status
expect_grep "mode survives a restart" "mode: 1" "$T_TMP/last.out"
expect_exit "BYE" 0 $P bye
stop_provider

expect_exit "show-ctl: verified, exit 0" 0 "$SHOWCTL" --root "$N/root"
expect_grep "show-ctl: checksum block" "$(md5 "$T_TMP/b.tlv")(MD5)" "$T_TMP/last.out"
expect_grep "show-ctl: parse block" "Parse CTL File" "$T_TMP/last.out"
expect_grep "show-ctl: signer line" "This etoken was used to sign the CTL file." "$T_TMP/last.out"
expect_eq "show-ctl: ends with the success line" "$(tail -1 "$T_TMP/last.out")" "The CTL file was verified successfully."
expect_exit "show-ctl --json" 0 "$SHOWCTL" --json --root "$N/root"
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T_TMP/last.out"; then
	ok "show-ctl --json: valid JSON"; else not_ok "show-ctl --json: valid JSON"; fi
cp "$T_TMP/b.tlv" "$T_TMP/flip.tlv"
flip_bit "$T_TMP/flip.tlv" 4000
expect_exit "show-ctl: bad signature, exit 1" 1 "$SHOWCTL" "$T_TMP/flip.tlv"
expect_eq "show-ctl: ends with the failure line" "$(tail -1 "$T_TMP/last.out")" "Verification of the CTL File Failed"
head -c 3000 "$T_TMP/a.tlv" >"$T_TMP/trunc.tlv"
expect_exit "show-ctl: truncated file, exit 3" 3 "$SHOWCTL" "$T_TMP/trunc.tlv"
expect_grep "show-ctl: CUCM's parse error line" "Error parsing the CTL File." "$T_TMP/last.out"
expect_eq "show-ctl: truncated ends with CUCM's parse error line" "$(tail -1 "$T_TMP/last.out")" "Error parsing the CTL File."
expect_exit "show-ctl: FILE and --root together: usage" 2 "$SHOWCTL" --root "$N/root" "$T_TMP/a.tlv"
finish
