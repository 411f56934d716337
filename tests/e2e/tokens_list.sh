#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-client tokens on SoftHSM2 tokens: two and three tokens present (the
# slot refresh libp11 0.4.12 crashes in with two or more slots is never
# used), JSON, selection by label / serial / URI, and the module errors.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
need_tokens

S1=$(serial sast1); S2=$(serial sast2); SR=$(serial rogue)

use_tokens sast1 sast2
expect_exit "two tokens: listed" 0 "$C" tokens --module "$MOD"
expect_grep "two tokens: token 1 label" "Token SAST-ADN61a0c001" "$T_TMP/last.out"
expect_grep "two tokens: token 2 label" "Token SAST-ADN61a0c002" "$T_TMP/last.out"
expect_grep "two tokens: token 1 serial" "serial:       $S1" "$T_TMP/last.out"
expect_grep "two tokens: token 2 serial" "serial:       $S2" "$T_TMP/last.out"
expect_grep "two tokens: certificate subject" "subject:     O=Cisco Systems,OU=IPCBU,CN=SAST-ADN61a0c002" "$T_TMP/last.out"
expect_grep "two tokens: certificate issuer" "issuer:      O=Cisco Systems,CN=Cisco Manufacturing CA" "$T_TMP/last.out"
expect_grep "two tokens: certificate serial" "serial:      61:A0:C0:01" "$T_TMP/last.out"
expect_grep "two tokens: key type and size" "key:         RSA 2048" "$T_TMP/last.out"
expect_grep "two tokens: private key hidden before login" "private key: needs login to be seen (public key present)" "$T_TMP/last.out"
expect_grep "two tokens: PIN state ok" "PIN:          ok" "$T_TMP/last.out"
expect_grep "two tokens: manufacturer and model" "model:        SoftHSM v2" "$T_TMP/last.out"
expect_grep "two tokens: spare SoftHSM slot shown as not initialised" "token not initialised" "$T_TMP/last.out"
n=$(grep -c '^Token ' "$T_TMP/last.out")
expect_eq "two tokens: exactly two tokens" "$n" 2

use_tokens sast1 sast2 rogue
expect_exit "three tokens: listed (no crash)" 0 "$C" tokens --module "$MOD"
n=$(grep -c '^Token ' "$T_TMP/last.out")
expect_eq "three tokens: exactly three tokens" "$n" 3
expect_grep "three tokens: rogue issuer" "issuer:      O=Rogue,CN=Rogue CA" "$T_TMP/last.out"

expect_exit "json: exit 0" 0 "$C" tokens --module "$MOD" --json
cp "$T_TMP/last.out" "$T_TMP/tokens.json"
if python3 - "$T_TMP/tokens.json" "$S1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = [x for x in d["tokens"] if x["initialized"]]
assert len(t) == 3, t
one = [x for x in t if x["serial"] == sys.argv[2]][0]
assert one["label"] == "SAST-ADN61a0c001" and one["pin"] == "ok", one
c = one["certificates"][0]
assert c["key_type"] == "RSA" and c["key_bits"] == 2048 and c["private_key"] == "hidden-until-login", c
assert c["serial"] == "61:A0:C0:01" and c["not_after"].endswith("Z"), c
assert one["uri"].startswith("pkcs11:") and d["module"].endswith("libsofthsm2.so"), one
PY
then ok "json: valid, three tokens with certificate details"; else not_ok "json: content"; fi

expect_exit "select by label" 0 "$C" tokens --module "$MOD" --token SAST-ADN61a0c002
n=$(grep -c '^Token ' "$T_TMP/last.out")
expect_eq "select by label: one token" "$n" 1
expect_exit "select by serial" 0 "$C" tokens --module "$MOD" --token "$SR"
expect_grep "select by serial: the rogue token" "Token SAST-ADN0bad7001" "$T_TMP/last.out"
expect_exit "select by RFC 7512 URI" 0 "$C" tokens --module "$MOD" --token "pkcs11:token=SAST-ADN61a0c001;serial=$S1"
expect_grep "select by URI: token 1" "Token SAST-ADN61a0c001" "$T_TMP/last.out"
expect_exit "URI with percent-encoding" 0 "$C" tokens --module "$MOD" --token "pkcs11:token=SAST%2DADN61a0c001"
expect_exit "URI module-path used when no --module" 0 "$C" tokens --token "pkcs11:token=SAST-ADN61a0c001?module-path=$MOD"
expect_grep "URI module-path: origin named" "module-path in the token URI" "$T_TMP/last.out"
CTL_PKCS11_MODULE=$MOD expect_exit "CTL_PKCS11_MODULE used when no --module" 0 "$C" tokens
expect_grep "CTL_PKCS11_MODULE: origin named" "Module: $MOD (CTL_PKCS11_MODULE)" "$T_TMP/last.out"

expect_exit "unknown token: exit 6" 6 "$C" tokens --module "$MOD" --token SAST-NOSUCH
expect_grep "unknown token: message lists tokens present" "no token matches 'SAST-NOSUCH'" "$T_TMP/last.err"
expect_exit "bad URI attribute: exit 2" 2 "$C" tokens --module "$MOD" --token "pkcs11:token=X;colour=red"
expect_grep "bad URI attribute: named" "unknown path attribute 'colour'" "$T_TMP/last.err"
expect_exit "bad URI encoding: exit 2" 2 "$C" tokens --module "$MOD" --token "pkcs11:token=%zz"
expect_grep "bad URI encoding: message" "bad PKCS#11 URI" "$T_TMP/last.err"
expect_exit "URI with pin-value refused: exit 2" 2 "$C" tokens --module "$MOD" --token "pkcs11:token=X?pin-value=1234"
expect_grep "URI with pin-value refused: why" "pin-value in a PKCS#11 URI is refused" "$T_TMP/last.err"
expect_exit "URI naming another module: exit 2" 2 "$C" tokens --module "$MOD" --token "pkcs11:token=X?module-path=/other.so"
expect_grep "URI naming another module: message" "module-path /other.so but the module in use" "$T_TMP/last.err"

expect_exit "unknown module path: exit 6" 6 "$C" tokens --module "$T_TMP/nosuch.so"
expect_grep "unknown module path: message names it and its origin" "$T_TMP/nosuch.so (--module): No such file or directory" "$T_TMP/last.err"
CTL_PKCS11_MODULE=$T_TMP/nosuch.so expect_exit "unknown module from CTL_PKCS11_MODULE: exit 6" 6 "$C" tokens
expect_grep "unknown module from CTL_PKCS11_MODULE: origin named" "(CTL_PKCS11_MODULE)" "$T_TMP/last.err"
printf 'not a library\n' > "$T_TMP/garbage.so"
expect_exit "module that is not a library: exit 6" 6 "$C" tokens --module "$T_TMP/garbage.so"
expect_grep "module that is not a library: dlopen reason" "does not load" "$T_TMP/last.err"
expect_exit "library that is not a PKCS#11 module: exit 6" 6 "$C" tokens --module "$(ldd "$C" | awk '/libcrypto/ { print $3 }')"
expect_grep "library that is not a PKCS#11 module: message" "is not a PKCS#11 module: no C_GetFunctionList" "$T_TMP/last.err"
SOFTHSM2_CONF=$T_TMP/missing.conf expect_exit "module whose C_Initialize fails: exit 6" 6 "$C" tokens --module "$MOD"
expect_grep "module whose C_Initialize fails: CK_RV named" "C_Initialize failed (SoftHSM2: check SOFTHSM2_CONF and its tokendir): CKR_GENERAL_ERROR" "$T_TMP/last.err"

expect_exit "tokens --help: exit 0" 0 "$C" tokens --help
expect_grep "tokens --help: on stdout" "--module SO" "$T_TMP/last.out"
expect_exit "tokens with a bad option: exit 2" 2 "$C" tokens --bogus
expect_exit "tokens with an extra argument: exit 2" 2 "$C" tokens extra

use_tokens nokey nocert
expect_exit "token without certificate / certificate without key listed" 0 "$C" tokens --module "$MOD"
expect_grep "token without certificate: says so" "certificates: none visible without login" "$T_TMP/last.out"
expect_grep "certificate without key: private key no" "private key: no" "$T_TMP/last.out"
finish
