# SPDX-License-Identifier: Apache-2.0
# check_library_user WHERE CFLAGS LIBS LIBDIR SAMPLE VERSION: builds
# tests/tools/libuser/ctl-user.c with only pkg-config's CFLAGS and LIBS,
# runs it on SAMPLE (an ITL of 5 records) with LIBDIR first in the library
# path, and checks it printed VERSION and loaded libctlsuite.so.0 from
# LIBDIR. WHERE names the installation in the test lines. Sourced after
# tests/lib/e2e.sh (ok, not_ok, expect_eq, $T_TMP, $TOP).
check_library_user() {
	# shellcheck disable=SC2086 # word splitting of the flags is meant
	if cc -std=c11 -Wall -Wextra -Werror $2 -o "$T_TMP/ctl-user" \
		"$TOP/tests/tools/libuser/ctl-user.c" $3 >"$T_TMP/cc.log" 2>&1; then
		ok "a C program builds and links with pkg-config's flags against $1's library"
	else
		not_ok "a C program does not build against $1's library"
		sed 's/^/#   /' "$T_TMP/cc.log" | head -20
	fi
	expect_eq "it runs with $1's libctlsuite.so.0 and parses the sample ITL" \
		"$(LD_LIBRARY_PATH=$4 "$T_TMP/ctl-user" "$5" 2>&1)" "$6 ITL records=5"
	used=$(LD_LIBRARY_PATH=$4 ldd "$T_TMP/ctl-user" 2>/dev/null |
		sed -n 's/.*libctlsuite.so.0 => \([^ ]*\).*/\1/p')
	expect_eq "the program loads libctlsuite.so.0 from $1" "$used" "$4/libctlsuite.so.0"
}
