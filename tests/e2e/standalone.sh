#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A clone with nothing beside it runs every test: no tracked file may read
# a folder outside the repository (such as a sibling "shared" folder of
# samples or notes), and the sample ITL the tests read is the committed copy.
. "$(dirname "$0")/../lib/e2e.sh"

cd "$TOP" || exit 1
# The patterns are written so that this file does not match itself.
PAT='\.\./share[d]|shared/(sample|doc)[s]'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git grep -n -I -E "$PAT" >"$T_TMP/refs" 2>&1
else
	grep -rn -I -E --exclude-dir='build*' "$PAT" . >"$T_TMP/refs" 2>&1
fi
if [ -s "$T_TMP/refs" ]; then
	not_ok "no file refers to a folder outside the repository"
	sed 's/^/#   /' "$T_TMP/refs" | head -20
else
	ok "no file refers to a folder outside the repository"
fi

S=tests/data/csptechnologies_ciscoprovsionerweb_ITLFile.tlv
expect_eq "the sample ITL is in the repository, unchanged" \
    "$(md5sum <"$S" 2>/dev/null | cut -d' ' -f1)" dbf86422cbab7859f3b850c2375814f7
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	check "the sample ITL is tracked (a clone has it)" git ls-files --error-unmatch "$S"
fi
finish
