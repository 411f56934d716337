#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make bench, token part: CTL signatures per second on a SoftHSM2 token
# (ctl-client's token signer through libp11) vs OpenSSL's raw RSA-2048
# signing in the same run. RSA-2048 token 1 from fixtures/make-tokens, in a
# private SoftHSM2 directory; the baseline key is the PKI's sast1.key (also
# RSA-2048). CTL_BENCH_SECONDS sets the time per figure (default 6).
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
B=$BUILD/bench/bench-token
[ -x "$B" ] || { echo "bench-token: $B missing (make bench-build)" >&2; exit 1; }
CTL_FIXTURES=$BUILD/pki fixtures/make-tokens "$BUILD/tokens" >/dev/null
T=$(mktemp -d "${TMPDIR:-/tmp}/ctl-bench-token.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fixtures/make-tokens --assemble "$BUILD/tokens" "$T" sast1
MOD=$(fixtures/softhsm-module) || exit 1
SOFTHSM2_CONF=$T/softhsm2.conf "$B" -t "${CTL_BENCH_SECONDS:-6}" "$MOD" \
	"$(cat "$BUILD/tokens/sast1.label")" "$BUILD/tokens/sast1.pin" "$BUILD/pki/sast1.key"
