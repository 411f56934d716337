#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The licence is stated once (LICENSE, Apache-2.0) and every source file
# names it in an SPDX line near its top, so a file copied out of the tree
# still says under which terms. Data (fuzz corpora, tests/data) and prose
# (Markdown) carry none.
. "$(dirname "$0")/../lib/e2e.sh"

cd "$TOP" || exit 1
check "LICENSE is the Apache License 2.0" grep -q 'Apache License' LICENSE
check "LICENSE has its terms, not a stub" grep -q 'TERMS AND CONDITIONS FOR USE' LICENSE

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files >"$T_TMP/files"
else
	find . -path ./build -prune -o -type f -print | sed 's|^\./||' | grep -v '^build' >"$T_TMP/files"
fi
: >"$T_TMP/missing"
n=0
while IFS= read -r f; do
	case "$f" in
	fuzz/corpus/* | tests/data/* | LICENSE | .gitignore | *.md | *.tlv) continue ;;
	esac
	n=$((n + 1))
	head -c 600 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || echo "$f" >>"$T_TMP/missing"
done <"$T_TMP/files"
if [ -s "$T_TMP/missing" ]; then
	not_ok "every source file has an SPDX line ($(wc -l <"$T_TMP/missing") of $n without)"
	sed 's/^/#   /' "$T_TMP/missing" | head -20
else
	ok "every source file has an SPDX line ($n files)"
fi
finish
