#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Debian packages (debian/, `make deb`): dpkg-buildpackage builds all
# of them (make deb reuses packages already built from the very same tree,
# see scripts/make-deb), lintian reports no error, each package holds its
# files and its dependencies are filled in. Then they are installed with
# dpkg into a throwaway root (--root): the maintainer scripts run outside a
# chroot with DPKG_ROOT set (--force-script-chrootless), which debhelper's
# snippets, deb-systemd-helper, systemd-sysusers and systemd-tmpfiles
# honour, so the root needs no shell or libc of its own and nothing on the
# machine itself changes (no user, no unit state). From that root every
# program prints the version of ctl/ctl.h, pkg-config finds ctlsuite with
# the root as sysroot and a C program builds with its flags and runs
# against the root's libctlsuite.so.0. Purged, the packages leave no file
# under usr/ or lib/.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/libuser.sh"

for t in dpkg-buildpackage dh lintian dpkg-deb pkg-config systemd-sysusers systemd-tmpfiles; do
	command -v "$t" >/dev/null || { echo "Bail out! $t missing (scripts/install-deps)"; exit 1; }
done
VERSION=$(sed -n 's/^#define CTL_VERSION_STRING "\(.*\)"$/\1/p' "$TOP/libctl/include/ctl/ctl.h")
ARCH=$(dpkg --print-architecture)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
OUT=$BUILD/deb

expect_eq "debian/changelog's version is the one of ctl/ctl.h" \
	"$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version 2>&1)" "$VERSION"

# -- build ---------------------------------------------------------------------
if make -C "$TOP" -s BUILD="$BUILD" deb >"$T_TMP/debs" 2>"$T_TMP/make-deb.err"; then
	how=$(grep -q unchanged "$T_TMP/make-deb.err" && echo "reused: same tree" || echo built)
	ok "make deb ($(grep -c '\.deb$' "$T_TMP/debs") packages, $how)"
else
	not_ok "make deb failed"; sed 's/^/#   /' "$T_TMP/make-deb.err" | tail -30
fi

deb_of() { # PACKAGE -> its .deb file
	case $1 in ctl-suite-common) echo "$OUT/$1_${VERSION}_all.deb" ;;
	*) echo "$OUT/$1_${VERSION}_$ARCH.deb" ;; esac
}
PKGS="libctlsuite0 libctlsuite-dev ctl-client ctl-tftpd ctl-provider ctl-suite-common phone-verifier"
DEBS=""
for p in $PKGS; do
	d=$(deb_of "$p")
	if [ -f "$d" ] && grep -qxF "$d" "$T_TMP/debs"; then
		ok "$p built and listed by make deb"; DEBS="$DEBS $d"
	else not_ok "$p: no $(basename "$d") listed by make deb"; fi
done
[ -n "$DEBS" ] || { echo "Bail out! no package built"; finish; exit 1; }
# debian/rules builds `make all` only: no test program is built or run, no
# server started, DEB_BUILD_OPTIONS=nocheck or not.
if grep -q 'dh_auto_build.* all$' "$OUT/build.log" && ! grep -qE '/tests/test_|tests/run-check|tests/e2e/' "$OUT/build.log"; then
	ok "the package build built and ran no test"
else not_ok "the package build log shows tests ($OUT/build.log)"; fi

# -- contents and dependencies -----------------------------------------------------
# has PACKAGE PATH...: each PATH (without the leading ./) is in the package.
has() {
	_p=$1; shift
	dpkg-deb -c "$(deb_of "$_p")" 2>/dev/null | awk '{ print $6 }' | sed 's|^\./||' >"$T_TMP/list"
	_miss=""
	for _f; do grep -qxF "$_f" "$T_TMP/list" || _miss="$_miss $_f"; done
	expect_eq "$_p holds $*" "$_miss" ""
}
C=usr/share/bash-completion/completions
M=usr/share/man
has libctlsuite0 "usr/lib/$MA/libctlsuite.so.0"
has libctlsuite-dev "usr/lib/$MA/libctlsuite.so" "usr/lib/$MA/libctlsuite.a" \
	"usr/lib/$MA/pkgconfig/ctlsuite.pc" usr/include/ctl/ctl.h usr/include/ctl/show.h
has ctl-client usr/bin/ctl-client $M/man1/ctl-client.1.gz $C/ctl-client
has phone-verifier usr/bin/phone-verifier $M/man1/phone-verifier.1.gz $C/phone-verifier
has ctl-tftpd usr/sbin/ctl-tftpd usr/bin/show-ctl usr/bin/show-itl lib/systemd/system/ctl-tftpd.service \
	$M/man8/ctl-tftpd.8.gz $M/man8/show-ctl.8.gz $M/man8/show-itl.8.gz \
	$C/ctl-tftpd $C/show-ctl $C/show-itl
has ctl-provider usr/sbin/ctl-provider usr/sbin/ctl-tvsd lib/systemd/system/ctl-provider.service \
	lib/systemd/system/ctl-tvsd.service $M/man8/ctl-provider.8.gz $M/man8/ctl-tvsd.8.gz \
	$C/ctl-provider $C/ctl-tvsd
has ctl-suite-common usr/lib/sysusers.d/ctl-suite.conf usr/lib/tmpfiles.d/ctl-suite.conf \
	usr/share/doc/ctl-suite/examples/node.conf.example

# The units start what the package installed, not a /usr/local path.
dpkg-deb --fsys-tarfile "$(deb_of ctl-tftpd)" | tar -xOf - ./lib/systemd/system/ctl-tftpd.service \
	>"$T_TMP/unit" 2>/dev/null
expect_grep "ctl-tftpd.service starts /usr/sbin/ctl-tftpd" "ExecStart=/usr/sbin/ctl-tftpd " "$T_TMP/unit"
dpkg-deb --fsys-tarfile "$(deb_of ctl-provider)" | tar -xOf - ./lib/systemd/system/ctl-provider.service \
	>"$T_TMP/unit" 2>/dev/null
expect_grep "ctl-provider.service starts /usr/sbin/ctl-provider with /etc/ctl-suite/node.conf" \
	"ExecStart=/usr/sbin/ctl-provider --config /etc/ctl-suite/node.conf" "$T_TMP/unit"

dep=$(dpkg-deb -f "$(deb_of libctlsuite-dev)" Depends 2>&1)
case $dep in *"libctlsuite0 (= $VERSION)"*) ok "libctlsuite-dev depends on libctlsuite0 (= $VERSION)" ;;
*) not_ok "libctlsuite-dev depends on '$dep'" ;; esac
for p in ctl-client ctl-tftpd ctl-provider phone-verifier libctlsuite0; do
	dep=$(dpkg-deb -f "$(deb_of "$p")" Depends 2>&1)
	case $dep in *libc6*libssl3* | *libssl3*libc6*) ok "$p depends on what it links (\${shlibs:Depends})" ;;
	*) not_ok "$p: Depends '$dep' (no libc6 and libssl3 from \${shlibs:Depends})" ;; esac
done
dpkg-deb -e "$(deb_of libctlsuite0)" "$T_TMP/ctrl" 2>/dev/null
expect_eq "libctlsuite0's shlibs: programs depend on the version they were built with" \
	"$(cat "$T_TMP/ctrl/shlibs" 2>&1)" "libctlsuite 0 libctlsuite0 (>= $VERSION)"

# -- lintian -----------------------------------------------------------------------
changes=$OUT/ctl-suite_${VERSION}_$ARCH.changes
lintian --no-cfg "$changes" >"$T_TMP/lintian" 2>&1
nerr=$(grep -c '^E:' "$T_TMP/lintian")
if [ "$nerr" -eq 0 ] && [ -f "$changes" ]; then
	ok "lintian: no errors ($(grep -c '^W:' "$T_TMP/lintian") warnings)"
else
	not_ok "lintian: $nerr errors"; grep -v '^[WIPN]:' "$T_TMP/lintian" | head -30 | sed 's/^/#   /'
fi
grep '^W:' "$T_TMP/lintian" | sed 's/^/# /'

# -- install into a throwaway root --------------------------------------------------
ROOT=$T_TMP/root
# An empty dpkg database, and etc/ (systemd-sysusers locks etc/passwd there).
mkdir -p "$ROOT/etc" "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates"
: >"$ROOT/var/lib/dpkg/status"
host_user=$(getent passwd ctl-suite)
host_dsh() { find /var/lib/systemd/deb-systemd-helper-enabled -name '*ctl-*' 2>/dev/null | sort; }
host_dsh_before=$(host_dsh)
# --force-depends: the root has no libc6 or libssl3 (the programs run with
# the machine's). --force-not-root: dpkg does not insist on running as root
# (make check runs as root anyway: dpkg sets the files' owners).
DPKG="dpkg --root=$ROOT --force-not-root --force-script-chrootless --log=/dev/null"
# shellcheck disable=SC2086 # the package list and the dpkg options split on purpose
if $DPKG --force-depends -i $DEBS >"$T_TMP/dpkg.log" 2>&1; then
	ok "dpkg --root installs the packages (maintainer scripts run)"
else
	not_ok "dpkg --root -i failed"; grep -v '^\(Selecting\|Preparing\|Unpacking\)' "$T_TMP/dpkg.log" |
		head -20 | sed 's/^/#   /'
fi
# shellcheck disable=SC2086
installed=$($DPKG -l $PKGS 2>/dev/null | awk '/^ii/ { print $2 }' | sed 's/:.*//' | sort | tr '\n' ' ')
expect_eq "every package is installed and configured in the root" "$installed" \
	"$(echo "$PKGS" | tr ' ' '\n' | sort | tr '\n' ' ')"
if grep -q '^ctl-suite:' "$ROOT/etc/passwd" 2>/dev/null; then
	ok "postinst made the ctl-suite user in the root (systemd-sysusers --root)"
else not_ok "no ctl-suite user in the root's etc/passwd"; fi
if [ -d "$ROOT/srv/tftp" ]; then ok "postinst made the TFTP root srv/tftp in the root (systemd-tmpfiles --root)"
else not_ok "no srv/tftp in the root"; fi
expect_eq "the machine itself got no ctl-suite user" "$(getent passwd ctl-suite)" "$host_user"
expect_eq "the machine's deb-systemd-helper state is untouched" \
	"$(host_dsh)" "$host_dsh_before"

# -- the programs and the library from the root ---------------------------------------
L=$ROOT/usr/lib/$MA
n=0
for b in "$ROOT"/usr/bin/* "$ROOT"/usr/sbin/*; do
	[ -f "$b" ] || continue
	n=$((n + 1))
	name=$(basename "$b")
	got=$(LD_LIBRARY_PATH=$L "$b" --version 2>&1 | head -1)
	expect_eq "$name --version from the root" "$got" "$name $VERSION"
done
expect_eq "seven programs installed in the root" "$n" 7

export PKG_CONFIG_SYSROOT_DIR="$ROOT" PKG_CONFIG_PATH="$L/pkgconfig"
# The root's usr/lib and usr/include are system folders once the sysroot
# is taken off: keep pkg-config from dropping them.
export PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
libs=$(pkg-config --libs ctlsuite 2>&1 | sed 's/ *$//')
cflags=$(pkg-config --cflags ctlsuite 2>&1 | sed 's/ *$//')
expect_eq "pkg-config --libs ctlsuite resolves in the root" "$libs" "-L$L -lctlsuite"
expect_eq "pkg-config --cflags ctlsuite" "$cflags" "-I$ROOT/usr/include"
expect_eq "pkg-config --modversion ctlsuite" "$(pkg-config --modversion ctlsuite 2>&1)" "$VERSION"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH PKG_CONFIG_ALLOW_SYSTEM_LIBS PKG_CONFIG_ALLOW_SYSTEM_CFLAGS
check_library_user "the root" "$cflags" "$libs" "$L" "$SAMPLE" "$VERSION"

# -- purge -----------------------------------------------------------------------
# shellcheck disable=SC2086
if $DPKG --force-depends --purge $PKGS >"$T_TMP/purge.log" 2>&1; then
	ok "dpkg --root --purge removes the packages"
else not_ok "dpkg --purge failed"; head -20 "$T_TMP/purge.log" | sed 's/^/#   /'; fi
left=$(cd "$ROOT" && find usr lib \( -type f -o -type l \) 2>/dev/null | head -5 | tr '\n' ' ')
expect_eq "nothing the packages installed is left under usr/ or lib/" "$left" ""
finish
