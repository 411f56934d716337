#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# show-ctl --json: the document is valid UTF-8 JSON, and every failure is a
# JSON error object on stdout ({"error":{"code","message"}}) with the exit
# status of the failure: a missing file (code io, exit 3), a file that does
# not parse (code parse, exit 3), a usage error (code usage, exit 2). A path
# with a control byte and an invalid UTF-8 byte still gives valid JSON.
. "$(dirname "$0")/../lib/e2e.sh"
SHOWCTL=$BIN/show-ctl

# valid_json DESC FILE: FILE is one JSON object (jq parses it as UTF-8).
valid_json() {
	if [ -s "$2" ] && jq -e . "$2" >/dev/null 2>&1 &&
	    python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$2"
	then ok "$1"; else not_ok "$1"; sed 's/^/#   /' "$2" | head -5; fi
}
# json_eq DESC FILE FILTER WANT: jq -r FILTER of FILE is WANT.
json_eq() {
	expect_eq "$1" "$(jq -r "$3" "$2" 2>/dev/null)" "$4"
}

expect_exit "the field sample: listed, exit 0 or 1" 0 sh -c '"$1" --json "$2"; [ $? -le 1 ]' sh "$SHOWCTL" "$SAMPLE"
valid_json "the sample's document is valid JSON" "$T_TMP/last.out"

mkdir -p "$T_TMP/empty"
expect_exit "no CTLFile.tlv: exit 3" 3 "$SHOWCTL" --json --root "$T_TMP/empty"
valid_json "... an error object" "$T_TMP/last.out"
json_eq "... code io" "$T_TMP/last.out" '.error.code' io
json_eq "... the message names the file" "$T_TMP/last.out" \
	".error.message | startswith(\"$T_TMP/empty/CTLFile.tlv: \")" true
expect_grep "... the reason also on stderr" "show-ctl: $T_TMP/empty/CTLFile.tlv" "$T_TMP/last.err"

head -c 300 "$SAMPLE" >"$T_TMP/trunc.tlv"
expect_exit "a truncated file: exit 3" 3 "$SHOWCTL" --json "$T_TMP/trunc.tlv"
valid_json "... an error object" "$T_TMP/last.out"
json_eq "... code parse" "$T_TMP/last.out" '.error.code' parse
json_eq "... the message has the offset" "$T_TMP/last.out" '.error.message | test("offset ")' true

BAD=$(printf '%s/bad\001\377name.tlv' "$T_TMP")
expect_exit "a path with a control byte and invalid UTF-8: exit 3" 3 "$SHOWCTL" --json "$BAD"
valid_json "... still valid UTF-8 JSON" "$T_TMP/last.out"
json_eq "... the control byte escaped, the invalid byte as U+FFFD" "$T_TMP/last.out" \
	'.error.message | contains("bad\u0001\ufffdname.tlv")' true

expect_exit "FILE and --root with --json: usage, exit 2" 2 "$SHOWCTL" --json --root "$T_TMP" "$T_TMP/trunc.tlv"
valid_json "... an error object" "$T_TMP/last.out"
json_eq "... code usage" "$T_TMP/last.out" '.error.code' usage
expect_grep "... the usage on stderr" "usage: show-ctl" "$T_TMP/last.err"
expect_exit "without --json the error stays on stderr" 3 "$SHOWCTL" --root "$T_TMP/empty"
expect_grep "... stdout has CUCM's listing" "Length of CTL file: 0" "$T_TMP/last.out"
finish
