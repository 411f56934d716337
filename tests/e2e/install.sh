#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make install` honours the layout variables (README "Installing",
# debian/rules): into a DESTDIR with every directory moved off its default
# (BINDIR, SBINDIR, a multiarch LIBDIR, INCLUDEDIR, MANDIR, SYSCONFDIR,
# SYSTEMDUNITDIR, BASHCOMPDIR, the sysusers.d and tmpfiles.d folders) each
# file lands where its variable says, ctlsuite.pc names that LIBDIR and
# INCLUDEDIR, the units name SBINDIR and SYSCONFDIR, nothing is written to
# SYSCONFDIR; `make uninstall` with the same variables leaves no file.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
MA=x86_64-linux-gnu
LAYOUT="PREFIX=/opt/ctl BINDIR=/opt/ctl/tools SBINDIR=/opt/ctl/daemons LIBDIR=/usr/lib/$MA
INCLUDEDIR=/opt/ctl/inc MANDIR=/opt/ctl/manpages SYSCONFDIR=/etc/ctlx
SYSTEMDUNITDIR=/usr/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d
TMPFILESDIR=/usr/lib/tmpfiles.d BASHCOMPDIR=/opt/ctl/bashcomp DOCDIR=/opt/ctl/doc"
# shellcheck disable=SC2086 # one word per variable
check "make install DESTDIR=... with every directory moved" \
	make -C "$TOP" -s BUILD="$BUILD" DESTDIR="$R" $LAYOUT install

# installed PATH: the file is there.
installed() {
	if [ -e "$R$1" ] || [ -L "$R$1" ]; then ok "installed $1"; else not_ok "not installed: $1"; fi
}
for d in ctl-tftpd ctl-provider ctl-tvsd; do
	installed "/opt/ctl/daemons/$d"
	installed "/usr/lib/systemd/system/$d.service"
	installed "/opt/ctl/manpages/man8/$d.8"
	installed "/opt/ctl/bashcomp/$d"
done
for b in ctl-client phone-verifier show-ctl show-itl; do
	installed "/opt/ctl/tools/$b"
	installed "/opt/ctl/bashcomp/$b"
done
installed /opt/ctl/manpages/man1/ctl-client.1
for f in libctlsuite.so.0 libctlsuite.so libctlsuite.a pkgconfig/ctlsuite.pc; do
	installed "/usr/lib/$MA/$f"
done
installed /opt/ctl/inc/ctl/ctl.h
installed /usr/lib/sysusers.d/ctl-suite.conf
installed /usr/lib/tmpfiles.d/ctl-suite.conf
installed /opt/ctl/doc/examples/node.conf.example
installed /opt/ctl/doc/examples/tvsd.conf.example
expect_eq "no daemon in BINDIR" "$(ls "$R/opt/ctl/tools" | grep -c '^ctl-\(tftpd\|provider\|tvsd\)$')" 0
expect_eq "nothing written to SYSCONFDIR (the examples are for the administrator to copy)" \
	"$(ls -A "$R/etc/ctlx" 2>/dev/null | wc -l)" 0
expect_eq "nothing outside the named directories" \
	"$(cd "$R" && find . -type f -o -type l | grep -v '^\./\(opt/ctl/\|usr/lib/\)' | wc -l)" 0
expect_eq "the daemons are executable" "$(stat -c %a "$R/opt/ctl/daemons/ctl-tftpd")" 755
expect_eq "the units are 0644" "$(stat -c %a "$R/usr/lib/systemd/system/ctl-tftpd.service")" 644

pc=$R/usr/lib/$MA/pkgconfig/ctlsuite.pc
expect_grep "ctlsuite.pc: libdir is the multiarch LIBDIR" "libdir=/usr/lib/$MA" "$pc"
expect_grep "ctlsuite.pc: includedir is INCLUDEDIR" "includedir=/opt/ctl/inc" "$pc"
expect_eq "pkg-config --variable=libdir ctlsuite is LIBDIR" \
	"$(pkg-config --with-path "$R/usr/lib/$MA/pkgconfig" --variable=libdir ctlsuite)" "/usr/lib/$MA"
# A system library directory: pkg-config leaves out the -L.
expect_eq "pkg-config --libs ctlsuite resolves (LIBDIR is a system directory)" \
	"$(pkg-config --with-path "$R/usr/lib/$MA/pkgconfig" --libs ctlsuite | sed 's/ *$//')" "-lctlsuite"
expect_eq "libctlsuite.so links to the soname" "$(readlink "$R/usr/lib/$MA/libctlsuite.so")" libctlsuite.so.0

u=$R/usr/lib/systemd/system/ctl-provider.service
expect_grep "ctl-provider.service: ExecStart in SBINDIR, config in SYSCONFDIR" \
	"ExecStart=/opt/ctl/daemons/ctl-provider --config /etc/ctlx/ctl-suite/node.conf" "$u"
expect_eq "no @VAR@ left in the installed units" \
	"$(cat "$R"/usr/lib/systemd/system/*.service | grep -c '@[A-Z]*@')" 0
expect_grep "ctl-tftpd.service: ExecStart in SBINDIR" "ExecStart=/opt/ctl/daemons/ctl-tftpd " \
	"$R/usr/lib/systemd/system/ctl-tftpd.service"
out=$("$R/opt/ctl/daemons/ctl-tvsd" --version 2>&1 | head -1)
case $out in "ctl-tvsd "[0-9]*) ok "the installed ctl-tvsd runs ($out)" ;;
	*) not_ok "the installed ctl-tvsd --version: $out" ;; esac

# The flags a packager passes (dry runs of one compile, -B: whatever is built).
O=$BUILD/obj/libctl/buf.o
n=$(make -C "$TOP" -n -B BUILD="$BUILD" CPPFLAGS=-DCTL_E2E_CPPFLAGS=1 "$O" 2>/dev/null | grep -c -- '-DCTL_E2E_CPPFLAGS=1')
expect_eq "CPPFLAGS reach the compile" "$n" 1
n=$(env -u CI -u WERROR make -C "$TOP" -n -B BUILD="$BUILD" "$O" 2>/dev/null | grep -c -- '-Werror')
expect_eq "no -Werror outside CI" "$n" 0
n=$(env -u WERROR CI=true make -C "$TOP" -n -B BUILD="$BUILD" "$O" 2>/dev/null | grep -c -- '-Werror')
expect_eq "-Werror with CI=true" "$n" 1
n=$(env -u CI make -C "$TOP" -n -B BUILD="$BUILD" WERROR=1 "$O" 2>/dev/null | grep -c -- '-Werror')
expect_eq "-Werror with WERROR=1" "$n" 1

# shellcheck disable=SC2086
check "make uninstall with the same variables" \
	make -C "$TOP" -s BUILD="$BUILD" DESTDIR="$R" $LAYOUT uninstall
left=$(cd "$R" && find . ! -type d | sed 's/^/#   /')
if [ -z "$left" ]; then ok "make uninstall leaves no file"; else
	not_ok "make uninstall leaves files"; echo "$left" | head -20; fi
expect_eq "  ... nor ctl-suite's own folders (include/ctl, doc/ctl-suite)" \
	"$(cd "$R" && find ./opt/ctl/inc/ctl ./opt/ctl/doc 2>/dev/null | wc -l)" 0
finish
