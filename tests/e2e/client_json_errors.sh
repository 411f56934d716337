#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-client --json when a command fails: one JSON object on standard
# output, {"error":{"code":CODE,"message":TEXT}}, with the exit status of
# ctl-client(1) unchanged and the message the same text standard error
# shows. A command that prints its own result object (verify, a cluster
# table) prints only that one. Hostile bytes in a path stay valid JSON.
. "$(dirname "$0")/../lib/e2e.sh"

need_pki
C=$BIN/ctl-client
[ -x "$C" ] || { echo "Bail out! $C missing (make all)"; exit 1; }

# err_is DESC CODE MESSAGE-PART: last.out is exactly one error object with that code.
err_is() {
	got=$(python3 - "$T_TMP/last.out" "$2" "$3" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
try:
    text = raw.decode("utf-8")
    d = json.loads(text)
except Exception as e:
    print("not one JSON document: %s: %r" % (e, raw[:200])); sys.exit()
if list(d) != ["error"] or sorted(d["error"]) != ["code", "message"]:
    print("not an error object: %r" % d); sys.exit()
if d["error"]["code"] != sys.argv[2]:
    print("code %r" % d["error"]["code"]); sys.exit()
if sys.argv[3] not in d["error"]["message"]:
    print("message %r" % d["error"]["message"]); sys.exit()
print("ok")
PY
)
	expect_eq "$1" "$got" ok
}

expect_exit "show --json, missing file: exit 3" 3 "$C" show --json "$T_TMP/none.tlv"
err_is "show --json, missing file: input error object" input "cannot open"
expect_grep "  the same message on standard error" "cannot open" "$T_TMP/last.err"

printf 'not a ctl' >"$T_TMP/bad.tlv"
expect_exit "verify --json, malformed file: exit 3" 3 "$C" verify --json "$T_TMP/bad.tlv"
err_is "verify --json, malformed file: input error object" input "offset 0"

expect_exit "show --json, unknown option: exit 2" 2 "$C" show --json --bogus "$T_TMP/bad.tlv"
err_is "show --json, unknown option: usage error object" usage "show"

expect_exit "build --json, no SAST: exit 2" 2 "$C" build --json --out "$T_TMP/o.tlv"
err_is "build --json, usage error object" usage ""

expect_exit "tokens --json, missing module: exit 6" 6 "$C" tokens --json --module "$T_TMP/none.so"
err_is "tokens --json, missing module: token error object" token "none.so"

# A path with a newline, an ESC and an invalid byte: the message stays valid JSON.
bad=$(printf "$T_TMP/x\nlf\033[31m\377.tlv")
expect_exit "show --json, hostile path: exit 3" 3 "$C" show --json "$bad"
err_is "show --json, hostile path: valid UTF-8 JSON" input "cannot open"

# Without --json nothing is printed on standard output.
expect_exit "show without --json: exit 3" 3 "$C" show "$T_TMP/none.tlv"
expect_eq "  standard output empty" "$(cat "$T_TMP/last.out")" ""

# verify prints its own result object when the signature fails: one object only.
"$C" build --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" --ccm-tftp "$PKI/ccm1.pem" \
	--sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem" --out "$T_TMP/ok.tlv" >/dev/null 2>&1
sz=$(wc -c <"$T_TMP/ok.tlv")
flip_bit "$T_TMP/ok.tlv" $((sz - 10)) # inside the last record: the signature no longer verifies
expect_exit "verify --json, bad signature: exit 1" 1 "$C" verify --json "$T_TMP/ok.tlv"
n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["tool"], d["ok"])' \
	"$T_TMP/last.out" 2>&1)
expect_eq "  one object, its own result (ok false), not an error object" "$n" "ctl-client False"
finish
