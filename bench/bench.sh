#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make bench`: bench/bench.sh BUILD
# Runs the libctl benchmark (parse + verify of a 10-record RSA-2048 CTL
# against raw OpenSSL RSA-2048 verifies, parse-only MB/s), then the token,
# TFTP, HTTP, fleet, configuration-signing and rollout-tracker benchmarks
# when their scripts exist. Figures are printed with their baselines; nothing here fails
# on timing. CTL_BENCH_SECONDS sets the time per figure of ctl-bench
# (default 6). Each part is bounded
# (BENCH_PART_LIMIT seconds, default 1800): one that hangs is killed and
# reported, and the next part runs.
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
fail=0

"$TOP/fixtures/make-pki" "$BUILD/pki" >/dev/null || { echo "bench: fixtures/make-pki failed" >&2; exit 1; }
if [ ! -x "$BUILD/bench/ctl-bench" ]; then
	echo "bench: $BUILD/bench/ctl-bench missing (make bench-build)" >&2
	exit 1
fi
LIMIT=${BENCH_PART_LIMIT:-1800}
# part NAME CMD...: one bounded benchmark part.
part() {
	name=$1; shift
	timeout "$LIMIT" "$@"
	rc=$?
	[ "$rc" -eq 124 ] && echo "bench: $name did not finish in $LIMIT s: killed"
	[ "$rc" -eq 0 ] || fail=1
}
echo "== libctl =="
part libctl "$BUILD/bench/ctl-bench" -t "${CTL_BENCH_SECONDS:-6}" "$BUILD/pki"

for b in token tftp http fleet sgn rollout; do
	s=bench/bench-$b.sh
	[ -f "$s" ] || continue
	echo
	echo "== $b =="
	part "$b" sh "$s" "$BUILD"
done
exit "$fail"
