#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Long fuzzing runs (`make fuzz` calls this): fuzz/run.sh BUILD [SECONDS]
#
# Runs every libFuzzer target in BUILD/fuzz for SECONDS each (default 60),
# one after the other, over a scratch copy of its corpus in
# BUILD/fuzz-scratch/<name> (new inputs land there, never in fuzz/corpus)
# plus the committed seeds in fuzz/corpus/<name> (or BUILD/fuzz-corpus/<name>
# for targets whose seeds are generated). Crash, leak, timeout and OOM
# inputs go to BUILD/fuzz-artifacts/<name>/; logs to BUILD/fuzz-logs/.
# Prints executions and crashes per target; exits 1 if any target crashed
# or did not run.
set -u
BUILD=${1:-build}
SECS=${2:-60}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1

case "$SECS" in ''|*[!0-9]*) echo "fuzz/run.sh: SECONDS must be a number" >&2; exit 2 ;; esac
LOGS=$BUILD/fuzz-logs
mkdir -p "$LOGS"
bad=0
ran=0

for fz in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$fz" ] || continue
	name=${fz##*/fuzz_}
	seeds=fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=$BUILD/fuzz-corpus/$name
	scratch=$BUILD/fuzz-scratch/$name
	art=$BUILD/fuzz-artifacts/$name
	log=$LOGS/fuzz_$name.log
	mkdir -p "$scratch" "$art"
	if [ -d "$seeds" ]; then
		cp -p "$seeds"/* "$scratch"/ 2>/dev/null
		set -- "$scratch" "$seeds"
	else
		echo "fuzz_$name: no seed corpus, starting from an empty one"
		set -- "$scratch"
	fi
	before=$(ls "$art" | wc -l)
	"$fz" -max_total_time="$SECS" -print_final_stats=1 -timeout=30 -rss_limit_mb=2048 \
		-artifact_prefix="$art/" "$@" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
	crashes=$(( $(ls "$art" | wc -l) - before ))
	ran=$((ran + 1))
	printf 'fuzz_%s: %s executions in %s s, %s crashes, corpus %s inputs (exit %s)\n' \
		"$name" "${execs:-?}" "$SECS" "$crashes" "$(ls "$scratch" | wc -l)" "$rc"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$execs" ]; then
		bad=$((bad + 1))
		grep -E 'ERROR|SUMMARY|Test unit written|^    #[0-9] ' "$log" | head -20
		echo "fuzz_$name: reproduce with: $fz $art/<file>; full log in $log"
	fi
done

if [ "$ran" -eq 0 ]; then
	echo "fuzz/run.sh: no fuzz targets in $BUILD/fuzz (run make fuzz-build)" >&2
	exit 1
fi
echo "fuzz: $ran targets, $bad with crashes"
[ "$bad" -eq 0 ]
