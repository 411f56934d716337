#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The tokenless commands against a fake or hostile publisher
# (tests/tools/provider/fake_provider.py): a SIGN_CTL refused, answered with
# an MD5 that is not the file's, with a CTL whose signature does not verify,
# with an ITL, with a malformed message or never, is refused before anything
# is installed (no SET_MODE, no PUT_CTL reaches the node); a malformed
# GET_ITL fails check naming it; an ITL_RESET answer without MD5 and LENGTH
# is an error, not a success.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
AUTH="--user admin --password-file $T_TMP/pw --accept-new --timeout 3"
# A good tokenless CTL, the same with one signature bit flipped, and an ITL.
"$C" build --out "$T_TMP/good.tlv" --tokenless --timestamp 1767115542 --sast "$PKI/itlrecovery.pem" \
	--ccm-tftp "$PKI/ccm1.pem,dns=cucm-pub.example.lab,ip=192.0.2.11" \
	--sign-key "$PKI/itlrecovery.key" --sign-cert "$PKI/itlrecovery.pem" >/dev/null 2>&1 ||
	{ echo "Bail out! ctl-client build"; exit 1; }
"$C" build --out "$T_TMP/itl.tlv" --itl --timestamp 1767115542 --sast "$PKI/itlrecovery.pem" \
	--tftp "$PKI/ccm1.pem" --sign-key "$PKI/itlrecovery.key" --sign-cert "$PKI/itlrecovery.pem" \
	>/dev/null 2>&1 || { echo "Bail out! ctl-client build --itl"; exit 1; }
cp "$T_TMP/good.tlv" "$T_TMP/tampered.tlv"
SIGOFF=$("$C" show --json "$T_TMP/good.tlv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["signature_offset"])')
flip_bit "$T_TMP/tampered.tlv" $((SIGOFF + 3 + 10))

# nothing_installed NAME: the fake received no SET_MODE and no PUT_CTL.
nothing_installed() {
	if grep -qE '^REQ (SET_MODE|PUT_CTL)' "$T_TMP/$1.capture"; then
		not_ok "... nothing was installed ($(grep -E '^REQ (SET_MODE|PUT_CTL)' "$T_TMP/$1.capture" | tr '\n' ' '))"
	else ok "... nothing was installed"; fi
}

# run_case NAME EXIT MESSAGE DESC [fake options]: mixed-mode --tokenless against the fake.
run_case() {
	_n=$1; _x=$2; _m=$3; _d=$4; shift 4
	start_fake "$_n" "$PKI/ccm1.pem" "$PKI/ccm1.key" "$@"
	expect_exit "$_d" "$_x" "$C" mixed-mode --tokenless --server "127.0.0.1:$FPORT" $AUTH --yes
	expect_grep "... saying why" "$_m" "$T_TMP/last.err"
	expect_grep "... and that nothing changed" "nothing was changed" "$T_TMP/last.err"
	expect_grep "... after asking the publisher to sign" "REQ SIGN_CTL" "$T_TMP/$_n.capture"
	nothing_installed "$_n"
	stop_fake
}

run_case nokey 1 "SIGN_CTL refused by the publisher: unsupported protocol version or request: no itlrecovery_key configured" \
	"a publisher without the signing key: refused"
run_case badmd5 8 "the answer's MD5 item is not the md5 of its CTL_FILE" \
	"an MD5 that is not the file's: refused" --ctl-file "$T_TMP/good.tlv" --mode bad-md5 --on SIGN_CTL
run_case tampered 8 "SIGN_CTL: the signed file" \
	"a CTL whose signature does not verify: refused" --ctl-file "$T_TMP/tampered.tlv"
run_case itl 8 "SIGN_CTL: the signed file is not a CTL" \
	"an ITL for a CTL: refused" --ctl-file "$T_TMP/itl.tlv"
run_case malformed 8 "protocol error" \
	"a malformed SIGN_CTL answer: refused" --ctl-file "$T_TMP/good.tlv" --mode malformed --on SIGN_CTL
run_case stall 8 "within 3 s" \
	"a publisher that never answers SIGN_CTL: cut off at --timeout" --ctl-file "$T_TMP/good.tlv" \
	--mode stall --on SIGN_CTL

# The good file goes through to the upload (which the fake does not store).
start_fake good "$PKI/ccm1.pem" "$PKI/ccm1.key" --ctl-file "$T_TMP/good.tlv"
expect_exit "a good SIGN_CTL answer is uploaded (the fake stores nothing: md5 check fails)" 8 \
	"$C" mixed-mode --tokenless --server "127.0.0.1:$FPORT" $AUTH --yes
expect_grep "... SET_MODE was sent first" "REQ SET_MODE" "$T_TMP/good.capture"
expect_eq "... then PUT_CTL" "$(grep -E '^REQ (SET_MODE|PUT_CTL)' "$T_TMP/good.capture" | tr '\n' ' ')" \
	"REQ SET_MODE REQ PUT_CTL "
expect_grep "... the node's stored md5 is checked" "the server stored md5" "$T_TMP/last.out"
expect_nogrep "... and CUCM's closing line is not printed" "Cluster set to Mixed Mode" "$T_TMP/last.out"
stop_fake

# GET_ITL and ITL_RESET.
start_fake itlbad "$PKI/ccm1.pem" "$PKI/ccm1.key" --mode malformed --on GET_ITL
expect_exit "check: a malformed GET_ITL answer" 8 "$C" check --server "127.0.0.1:$FPORT" $AUTH
expect_grep "... named" "GET_ITL: protocol error" "$T_TMP/last.out"
stop_fake
start_fake noitl "$PKI/ccm1.pem" "$PKI/ccm1.key"
expect_exit "check: a node serving no ITL (NOT_FOUND) is not an error" 1 "$C" check --server "127.0.0.1:$FPORT" $AUTH
expect_grep "... and shows no ITL md5" "mode 0, CTL md5 - (none installed)" "$T_TMP/last.out"
expect_nogrep "... none at all" "ITL md5" "$T_TMP/last.out"
expect_exit "itl-reset: an answer without MD5 and LENGTH is a failure" 8 \
	"$C" itl-reset localkey --server "127.0.0.1:$FPORT" $AUTH
expect_grep "... saying so" "Failed to transfer reset ITL to node fake.example.lab" "$T_TMP/last.out"
expect_grep "... why" "lacks the ITL's MD5 or LENGTH" "$T_TMP/last.out"
expect_nogrep "... and no success line" "Successfully transferred" "$T_TMP/last.out"
stop_fake
finish
