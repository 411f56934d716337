#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# phone-verifier --json output is valid UTF-8 JSON, whatever the input:
# a certificate subject with "é" comes out as "é" (not as two Latin-1
# characters), a --tftp argument with a quote and a backslash is escaped,
# and with --json a failure is a JSON error object on stdout with the exit
# status of the failure.
. "$(dirname "$0")/../lib/e2e.sh"
need_pki
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
S=$T_TMP/phone
mkdir -p "$S"

# valid_json DESC FILE: FILE is one JSON object (jq parses it).
valid_json() {
	if [ -s "$2" ] && jq -e . "$2" >/dev/null 2>&1; then ok "$1"; else
		not_ok "$1"; sed 's/^/#   /' "$2" | head -5; fi
}
# json_eq DESC FILE FILTER WANT: jq -r FILTER of FILE is WANT.
json_eq() {
	expect_eq "$1" "$(jq -r "$3" "$2" 2>/dev/null)" "$4"
}

# A CTL whose CAPF record has a subject with a non-ASCII letter (UTF8String).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/e.key" -out "$T_TMP/e.pem" \
	-days 30 -utf8 -subj "/CN=Téléphone capf/O=Exemple" 2>/dev/null
"$CC" build --out "$S/CTLFile.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --capf "$T_TMP/e.pem" \
	--sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem" --timestamp 1700000000 >/dev/null

expect_exit "trust-list --json with a UTF-8 subject" 0 "$PV" trust-list --state "$S" --json
cp "$T_TMP/last.out" "$T_TMP/tl.json"
valid_json "trust-list --json is valid JSON" "$T_TMP/tl.json"
expect_grep "é written as UTF-8, not as two escaped Latin-1 characters" "Téléphone capf" "$T_TMP/tl.json"
json_eq "the subject decodes to the certificate's" "$T_TMP/tl.json" \
	'.ctl.records[] | select(.role_name == "CAPF") | .subject | contains("CN=Téléphone capf")' true

"$CC" show --json "$S/CTLFile.tlv" > "$T_TMP/show.json" 2>/dev/null
expect_eq "serial and certificate_sha1 as ctl-client show --json writes them" \
	"$(jq -c '[.ctl.records[] | {serial, certificate_sha1}]' "$T_TMP/tl.json")" \
	"$(jq -c '[.records[] | {serial, certificate_sha1}]' "$T_TMP/show.json")"

# compare: a record only one side has carries the same keys as a trust-list record.
"$CC" build --out "$T_TMP/other.tlv" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
	--ccm-tftp "$PKI/ccm1.pem" --sign-key "$PKI/sast1.key" --sign-cert "$PKI/sast1.pem" \
	--timestamp 1700000100 >/dev/null
expect_exit "compare --json: files differ" 1 "$PV" compare --state "$S" --server-file "$T_TMP/other.tlv" --json
cp "$T_TMP/last.out" "$T_TMP/cmp.json"
valid_json "compare --json is valid JSON" "$T_TMP/cmp.json"
json_eq "only_on_phone: role number and role_name, subject in UTF-8" "$T_TMP/cmp.json" \
	'.files[0].only_on_phone[0] | "\(.role) \(.role_name) \(.subject | contains("Téléphone"))"' "4 CAPF true"

# Hostile --tftp: a quote and a backslash. Resolving it fails; the error is JSON.
BAD='ph"one\host'
expect_exit "fleet --json, unresolvable --tftp: usage exit" 2 \
	"$PV" fleet --count 1 --tftp "$BAD" --json
cp "$T_TMP/last.out" "$T_TMP/fleet.json"
valid_json "fleet --json error is valid JSON" "$T_TMP/fleet.json"
json_eq "... an error object with code usage" "$T_TMP/fleet.json" '.error.code' usage
json_eq "... whose message holds --tftp as given" "$T_TMP/fleet.json" \
	'.error.message | contains("ph\"one\\host")' true
expect_exit "boot --json, unresolvable --tftp: usage exit" 2 \
	"$PV" boot --mac 0011215A1AE3 --tftp "$BAD" --json
valid_json "boot --json error is valid JSON" "$T_TMP/last.out"
expect_exit "boot --json, bad --mac: usage exit" 2 \
	"$PV" boot --json --mac xyz --tftp 127.0.0.1:9
json_eq "... error object, code usage" "$T_TMP/last.out" '.error.code' usage
expect_exit "fleet --json, bad --count before --json: usage exit" 2 \
	"$PV" fleet --count 0 --tftp 127.0.0.1:9 --json
json_eq "... error object, code usage" "$T_TMP/last.out" '.error.code' usage
expect_exit "trust-list --json, damaged state: io exit" 6 sh -c \
	"mkdir -p '$T_TMP/bad' && printf x > '$T_TMP/bad/CTLFile.tlv' && '$PV' trust-list --json --state '$T_TMP/bad'"
json_eq "... error object, code io" "$T_TMP/last.out" '.error.code' io
expect_exit "without --json the error stays on stderr" 2 \
	"$PV" fleet --count 1 --tftp "$BAD"
expect_eq "... and stdout is empty" "$(wc -c < "$T_TMP/last.out")" 0
expect_grep "... naming the argument" "cannot resolve 'ph\"one\\host'" "$T_TMP/last.err"

finish
