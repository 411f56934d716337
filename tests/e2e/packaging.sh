#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What a packager and a library user see: libctlsuite.so.0 exports only the
# public ctl_* API; the public headers compile from C++; `make install`
# puts libctlsuite.{so,a}, ctlsuite.pc and include/ctl/*.h under PREFIX
# (nothing named libctl.so, libctl.pc or ctl.h, which Debian's unrelated
# libctl-dev owns); a program built with pkg-config links and runs against
# the installed library; every installed tool's --version prints the one
# version number, CTL_VERSION_STRING in ctl/ctl.h (the daemons in usr/sbin, the
# other tools in usr/bin; tests/e2e/install.sh checks every path).
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/libuser.sh"

SO=$BUILD/lib/libctlsuite.so.0
VERSION=$(sed -n 's/^#define CTL_VERSION_STRING "\(.*\)"$/\1/p' "$TOP/libctl/include/ctl/ctl.h")
if [ ! -f "$SO" ]; then echo "Bail out! $SO missing (make all)"; exit 1; fi
case $VERSION in [0-9]*.[0-9]*.[0-9]*) ;; *) echo "Bail out! no version in ctl/ctl.h"; exit 1 ;; esac

# -- the shared library's symbols ------------------------------------------
# Defined dynamic symbols, without the version node (type A).
nm -D --defined-only "$SO" | awk '$2 != "A" { print $3 }' | sed 's/@.*//' | sort -u > "$T_TMP/syms"
n=$(grep -c '^ctl_' "$T_TMP/syms")
if [ "$n" -gt 50 ]; then ok "libctlsuite.so.0 exports the public API ($n ctl_* symbols)"; else
	not_ok "libctlsuite.so.0 exports only $n ctl_* symbols"; fi
grep -v '^ctl_' "$T_TMP/syms" > "$T_TMP/other"
if [ -s "$T_TMP/other" ]; then
	not_ok "libctlsuite.so.0 exports symbols outside ctl_*: $(head -20 "$T_TMP/other" | tr '\n' ' ')"
else
	ok "libctlsuite.so.0 exports nothing but ctl_* (no ctli_*, no helpers)"
fi
soname=$(readelf -d "$SO" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
expect_eq "the soname is libctlsuite.so.0" "$soname" libctlsuite.so.0

# -- the headers from C++ -----------------------------------------------------
# Every public header, included from C++ and linked: without extern "C"
# the calls would look for C++-mangled names and the link would fail.
cc_file=$T_TMP/headers.cc
{
	for h in "$TOP"/libctl/include/ctl/*.h; do echo "#include <ctl/$(basename "$h")>"; done
	cat <<'EOF'
#include <cstdio>
#include <cstring>

int
main()
{
	struct ctl_diag d;
	char hex[8];

	ctl_diag_clear(&d);
	if (ctl_hex_encode(hex, sizeof(hex), "\x01\xab", 2, CTL_HEX_UPPER) == nullptr)
		return 1;
	std::printf("%s %s\n", hex, ctl_strerror(CTL_E_TRUNCATED));
	return std::strcmp(hex, "01AB") != 0;
}
EOF
} > "$cc_file"
if g++ -std=c++11 -Wall -Wextra -Werror -I"$TOP/libctl/include" -o "$T_TMP/headers" "$cc_file" \
	"$BUILD/lib/libctlsuite.a" -lssl -lcrypto > "$T_TMP/gxx.log" 2>&1; then
	ok "every public header compiles and links from C++ (g++ -Wall -Wextra -Werror)"
	"$T_TMP/headers" > "$T_TMP/headers.out" 2>&1
	expect_grep "the C++ program calls into libctl" "01AB" "$T_TMP/headers.out"
else
	not_ok "the public headers do not build from C++"; sed 's/^/#   /' "$T_TMP/gxx.log" | head -20
	not_ok "the C++ program calls into libctl (not built)"
fi

noguard=$(grep -L 'extern "C"' "$TOP"/libctl/include/ctl/*.h | sed "s|$TOP/||" | tr '\n' ' ')
expect_eq "every public header declares its functions extern \"C\" for C++" "$noguard" ""

# -- make install --------------------------------------------------------------
ROOT=$T_TMP/root
if make -C "$TOP" -s BUILD="$BUILD" DESTDIR="$ROOT" PREFIX=/usr install > "$T_TMP/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	not_ok "make install failed"; tail -20 "$T_TMP/install.log" | sed 's/^/#   /'
fi
L=$ROOT/usr/lib
for f in libctlsuite.so.0 libctlsuite.so libctlsuite.a pkgconfig/ctlsuite.pc; do
	if [ -e "$L/$f" ]; then ok "installed usr/lib/$f"; else not_ok "usr/lib/$f not installed"; fi
done
link=$(readlink "$L/libctlsuite.so")
expect_eq "libctlsuite.so links to the soname" "$link" libctlsuite.so.0
clash=$(cd "$ROOT" && find . \( -name 'libctl.so*' -o -name 'libctl.a' -o -name 'libctl.pc' \
	-o -path ./usr/include/ctl.h \) | tr '\n' ' ')
expect_eq "nothing installed under the names Debian's libctl-dev owns" "$clash" ""
nh=$(ls "$ROOT/usr/include/ctl" | wc -l)
want=$(ls "$TOP/libctl/include/ctl" | wc -l)
expect_eq "the public headers are installed in usr/include/ctl/" "$nh" "$want"

# -- pkg-config and a program against the installed library -------------------
PC="pkg-config --with-path $L/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR=$ROOT
libs=$($PC --libs ctlsuite 2>&1 | sed 's/ *$//')
cflags=$($PC --cflags ctlsuite 2>&1 | sed 's/ *$//')
expect_eq "pkg-config --libs ctlsuite" "$libs" "-L$ROOT/usr/lib -lctlsuite"
expect_eq "pkg-config --cflags ctlsuite" "$cflags" "-I$ROOT/usr/include"
expect_eq "pkg-config --modversion ctlsuite is the version of ctl/ctl.h" \
	"$($PC --modversion ctlsuite 2>&1)" "$VERSION"
unset PKG_CONFIG_SYSROOT_DIR
check_library_user "the install tree" "$cflags" "$libs" "$L" "$SAMPLE" "$VERSION"

# -- one version number --------------------------------------------------------
for d in ctl-tftpd ctl-provider ctl-tvsd; do
	if [ -x "$ROOT/usr/sbin/$d" ] && [ ! -e "$ROOT/usr/bin/$d" ]; then ok "$d installed in usr/sbin"; else
		not_ok "$d not in usr/sbin (or also in usr/bin)"; fi
done
for b in "$ROOT"/usr/bin/* "$ROOT"/usr/sbin/*; do
	name=$(basename "$b")
	got=$("$b" --version 2>&1 | head -1)
	expect_eq "$name --version prints the version of ctl/ctl.h" "$got" "$name $VERSION"
done
# Three dot-separated numbers standing alone (an address such as 127.0.0.1
# has four and is not a version).
lit=$(cd "$TOP" && grep -nE '(^|[^0-9.])[0-9]+\.[0-9]+\.[0-9]+([^0-9.]|$)' Makefile */module.mk \
	*/*/module.mk */*/*/module.mk libctl/*.pc.in 2>/dev/null)
expect_eq "no makefile or .pc template writes a version number of its own" "$lit" ""

finish
