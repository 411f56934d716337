#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-client build --sign-token / --sast-token on SoftHSM2 tokens: the CTL is
# signed on the token and verifies with libctl (ctl-client verify), with
# SHA-1 and SHA-512 and RSA 1024/2048/4096; the backup token is enrolled
# without login and can sign the next CTL; the rogue token, a token without
# certificate and a certificate without key are refused with their own
# messages. The lockout shim sits in front of SoftHSM2 only to count logins.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
need_tokens

use_tokens sast1 sast2 rogue sast1024 sast4096 nocert nokey
use_shim 15
O=$T_TMP/out
mkdir -p "$O"
T1=SAST-ADN61a0c001
T2=SAST-ADN61a0c002
CCM="$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11"
build() { "$C" build --module "$SHIM" --ccm-tftp "$CCM" "$@"; }

expect_exit "sign with token 1 (SHA-1)" 0 build --out "$O/ctl1.tlv" \
	--sast-token "$T1" --sast-token "pkcs11:token=$T2" --sign-token "$T1" --pin-file "$(pinfile sast1)"
expect_eq "sign with token 1: one login" "$(logins)" 1
expect_exit "token-signed CTL verifies (libctl)" 0 "$C" verify "$O/ctl1.tlv"
expect_exit "show: token-signed CTL" 0 "$C" show "$O/ctl1.tlv"
expect_grep "show: signer is token 1" "SIGNERNAME	45	CN=$T1;OU=IPCBU;O=Cisco Systems" "$T_TMP/last.out"
expect_grep "show: token 2 enrolled as SAST" "CN=$T2" "$T_TMP/last.out"
# The signer record's certificate is the one on the token (SHA-1 fingerprint).
expect_exit "JSON show" 0 "$C" show --json "$O/ctl1.tlv"
expect_grep "SHA-1 CTL: digest code 1" '"digest_code":1' "$T_TMP/last.out"
fp=$(openssl x509 -in "$TOK/sast1.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/:/ /g')
expect_grep "the file carries token 1's certificate" "\"certificate_sha1\":\"$fp\"" "$T_TMP/last.out"

expect_exit "sign with token 1 (SHA-512)" 0 build --out "$O/ctl1-512.tlv" --digest sha512 \
	--sast-token "$T1" --sast-token "$T2" --sign-token "$T1" --pin-file "$(pinfile sast1)"
expect_exit "SHA-512 CTL verifies" 0 "$C" verify "$O/ctl1-512.tlv"
"$C" show --json "$O/ctl1-512.tlv" > "$O/show512.json" 2>&1
expect_grep "SHA-512 CTL: digest code 3" '"digest_code":3' "$O/show512.json"

expect_exit "backup token 2 signs the next CTL" 0 build --out "$O/ctl2.tlv" \
	--sast-token "$T1" --sast-token "$T2" --sign-token "$T2" --pin-file "$(pinfile sast2)"
expect_exit "token-2 CTL verifies against the token-1 CTL (phone rule)" 0 \
	"$C" verify --trusted "$O/ctl1.tlv" "$O/ctl2.tlv"

n=$(logins)
expect_exit "rogue token cannot sign a CTL that does not list it: exit 4" 4 build --out "$O/rogue.tlv" \
	--sast-token "$T1" --sast-token "$T2" --sign-token SAST-ADN0bad7001 --pin-file "$(pinfile rogue)"
expect_grep "rogue token: signer not listed" "refusing to build" "$T_TMP/last.err"
expect_eq "rogue token: refused before any login" "$(logins)" "$n"
if [ -f "$O/rogue.tlv" ]; then not_ok "rogue token: no file written"; else ok "rogue token: no file written"; fi
expect_exit "rogue token listing itself builds" 0 build --out "$O/rogue2.tlv" \
	--sast-token SAST-ADN0bad7001 --sast-token "$T1" --sign-token SAST-ADN0bad7001 --pin-file "$(pinfile rogue)"
expect_exit "rogue-signed CTL refused by a phone holding the token-1 CTL: exit 1" 1 \
	"$C" verify --trusted "$O/ctl1.tlv" "$O/rogue2.tlv"

for s in 1024 4096; do
	expect_exit "RSA-$s token signs" 0 build --out "$O/ctl$s.tlv" --digest sha512 \
		--sast-token "SAST-ADN61a0$s" --sast-token "$T1" --sign-token "SAST-ADN61a0$s" \
		--pin-file "$(pinfile sast$s)"
	expect_exit "RSA-$s CTL verifies" 0 "$C" verify "$O/ctl$s.tlv"
	"$C" show "$O/ctl$s.tlv" > "$O/show$s.txt" 2>&1
	expect_grep "RSA-$s: signature of $((s / 8)) bytes" "SIGNATURE	$((s / 8))" "$O/show$s.txt"
done

n=$(logins)
expect_exit "token without certificate: exit 6" 6 build --out "$O/x.tlv" \
	--sast-token "$T1" --sast-token "$T2" --sign-token SAST-NOCERT --pin-file "$(pinfile nocert)"
expect_grep "token without certificate: message" "token 'SAST-NOCERT' (serial $(serial nocert)) shows no certificate" "$T_TMP/last.err"
expect_eq "token without certificate: no login" "$(logins)" "$n"
expect_exit "--sast-token without certificate: exit 6" 6 build --out "$O/x.tlv" \
	--sast-token SAST-NOCERT --sast-token "$T1" --sign-token "$T1" --pin-file "$(pinfile sast1)"
expect_grep "--sast-token without certificate: message" "shows no certificate" "$T_TMP/last.err"
expect_exit "certificate without private key: exit 6" 6 build --out "$O/x.tlv" \
	--sast-token SAST-NOKEY --sast-token "$T1" --sign-token SAST-NOKEY --pin-file "$(pinfile nokey)"
expect_grep "certificate without private key: message" "no private key for certificate id 01, label SAST-NOKEY" "$T_TMP/last.err"

expect_exit "unknown token: exit 6" 6 build --out "$O/x.tlv" --sast-token "$T1" --sast-token "$T2" \
	--sign-token SAST-NOSUCH --pin-file "$(pinfile sast1)"
expect_grep "unknown token: message" "no token matches 'SAST-NOSUCH'" "$T_TMP/last.err"
expect_exit "bad token URI: exit 2" 2 build --out "$O/x.tlv" --sast-token "$T1" --sast-token "$T2" \
	--sign-token "pkcs11:token=$T1;pin=1" --pin-file "$(pinfile sast1)"
expect_grep "bad token URI: attribute named" "unknown path attribute 'pin'" "$T_TMP/last.err"
expect_exit "unknown module: exit 6" 6 "$C" build --module "$T_TMP/none.so" --out "$O/x.tlv" \
	--sast-token "$T1" --sast-token "$T2" --sign-token "$T1" --pin-file "$(pinfile sast1)"
expect_exit "--sign-token with --sign-key: exit 2" 2 build --out "$O/x.tlv" --sast-token "$T1" \
	--sast-token "$T2" --sign-token "$T1" --sign-key "$PKI/sast1.key"

# PIN sources (automation): URI pin-source, CTL_TOKEN_PIN, never two at once.
expect_exit "PIN from pin-source in the URI" 0 build --out "$O/src.tlv" --sast-token "$T1" \
	--sast-token "$T2" --sign-token "pkcs11:token=$T1?pin-source=file:$(pinfile sast1)"
expect_exit "PIN from CTL_TOKEN_PIN" 0 env CTL_TOKEN_PIN="$(cat "$(pinfile sast2)")" "$C" build \
	--module "$SHIM" --out "$O/env.tlv" --sast-token "$T1" --sast-token "$T2" --sign-token "$T2"
printf '%s\r\n' "$(cat "$(pinfile sast1)")" > "$T_TMP/crlf.pin"; chmod 600 "$T_TMP/crlf.pin"
expect_exit "PIN file with CRLF line end" 0 build --out "$O/crlf.tlv" --sast-token "$T1" \
	--sast-token "$T2" --sign-token "$T1" --pin-file "$T_TMP/crlf.pin"
n=$(logins)
expect_exit "PIN given two ways: exit 2" 2 env CTL_TOKEN_PIN=1 "$C" build --module "$SHIM" \
	--out "$O/x.tlv" --sast-token "$T1" --sast-token "$T2" --sign-token "$T1" --pin-file "$(pinfile sast1)"
expect_grep "PIN given two ways: message" "PIN given two ways (--pin-file and CTL_TOKEN_PIN)" "$T_TMP/last.err"
expect_exit "pin-source and --pin-file: exit 2" 2 build --out "$O/x.tlv" --sast-token "$T1" \
	--sast-token "$T2" --sign-token "pkcs11:token=$T1?pin-source=$(pinfile sast1)" --pin-file "$(pinfile sast1)"
cp "$(pinfile sast1)" "$T_TMP/open.pin"; chmod 644 "$T_TMP/open.pin"
expect_exit "world-readable PIN file: exit 7" 7 build --out "$O/x.tlv" --sast-token "$T1" \
	--sast-token "$T2" --sign-token "$T1" --pin-file "$T_TMP/open.pin"
expect_grep "world-readable PIN file: message" "is accessible by group or others (mode 0644); chmod 600 it" "$T_TMP/last.err"
expect_exit "no PIN source and no terminal: exit 7" 7 setsid -w "$C" build --module "$SHIM" \
	--out "$O/x.tlv" --sast-token "$T1" --sast-token "$T2" --sign-token "$T1" </dev/null
expect_grep "no PIN source and no terminal: message" "no terminal to ask on" "$T_TMP/last.err"
expect_eq "refused PIN sources: no login attempted" "$(logins)" "$n"
expect_exit "pin-value in the URI refused: exit 2" 2 build --out "$O/x.tlv" --sast-token "$T1" \
	--sast-token "$T2" --sign-token "pkcs11:token=$T1?pin-value=11223344"

check "the scan below sees every command's output" test -s "$T_TMP/all-output"
for t in sast1 sast2 rogue sast1024 sast4096; do
	expect_no_secret "no output of any command holds the PIN of $t" "$(cat "$(pinfile "$t")")"
done
finish
