#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The units in systemd/: test copies with ExecStart pointing at the built
# daemons (@SBINDIR@ -> $BUILD/bin; `make install` writes the installed
# sbin there, tests/e2e/install.sh checks that) pass `systemd-analyze
# verify`, with their Documentation= man pages found in doc/ (MANPATH);
# each has the settings the node relies on; `systemd-analyze security
# --offline` rates each at exposure 3.0 or better (--threshold counts tenths). A unit naming a missing
# binary must fail the same verify, so the check can fail. Then the units
# `make install` wrote into a DESTDIR, verified there with --root.
. "$(dirname "$0")/../lib/e2e.sh"

for t in systemd-analyze man; do
	command -v "$t" >/dev/null || { echo "Bail out! $t missing (scripts/install-deps)"; exit 1; }
done
U=$T_TMP/units
mkdir -p "$U" "$T_TMP/man/man8"
cp "$TOP"/doc/*.8 "$T_TMP/man/man8/"
for d in ctl-tftpd ctl-provider ctl-tvsd; do
	[ -x "$BIN/$d" ] || { echo "Bail out! $BIN/$d missing (make all)"; exit 1; }
	sed -e "s|@SBINDIR@|$BIN|g" -e "s|@SYSCONFDIR@|/etc|g" "$TOP/systemd/$d.service.in" >"$U/$d.service"
	expect_eq "$d.service: every @VAR@ written" "$(grep -c '@[A-Z]*@' "$U/$d.service")" 0
done

check "systemd-analyze verify passes on the three units" \
	env MANPATH="$T_TMP/man" systemd-analyze verify "$U/ctl-tftpd.service" \
	"$U/ctl-provider.service" "$U/ctl-tvsd.service"
if [ -s "$T_TMP/last.err" ]; then
	not_ok "systemd-analyze verify printed nothing"; sed 's/^/#   /' "$T_TMP/last.err"
else
	ok "systemd-analyze verify printed nothing"
fi

# The hostile twin: a missing ExecStart binary is what verify must catch.
sed "s|$BIN/ctl-tftpd|$T_TMP/no-such-ctl-tftpd|" "$U/ctl-tftpd.service" >"$T_TMP/broken.service"
expect_exit "systemd-analyze verify fails on a unit whose binary is missing" 1 \
	env MANPATH="$T_TMP/man" systemd-analyze verify "$T_TMP/broken.service"
expect_grep "  ... and names it" "no-such-ctl-tftpd" "$T_TMP/last.err"

for d in ctl-tftpd ctl-provider ctl-tvsd; do
	f=$U/$d.service
	for want in "Type=notify" 'ExecReload=/bin/kill -HUP $MAINPID' "User=ctl-suite" \
		"StateDirectory=ctl-suite" "ConfigurationDirectory=ctl-suite" \
		"CapabilityBoundingSet=CAP_NET_BIND_SERVICE" "NoNewPrivileges=yes" \
		"ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" \
		"SystemCallFilter=@system-service" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"; do
		if grep -qxF -- "$want" "$f"; then ok "$d.service: $want"; else not_ok "$d.service: $want"; fi
	done
	expect_grep "$d.service: ExecStart runs the sbin binary" "ExecStart=$BIN/$d " "$f"
	expect_exit "$d.service: systemd-analyze security exposure at most 3.0" 0 \
		systemd-analyze security --offline=yes --threshold=30 "$f"
done
expect_grep "ctl-provider.service: writes the TFTP root" "ReadWritePaths=/srv/tftp" "$U/ctl-provider.service"
expect_grep "ctl-provider.service: reads @SYSCONFDIR@/ctl-suite/node.conf" \
	"--config /etc/ctl-suite/node.conf" "$U/ctl-provider.service"
expect_grep "ctl-tvsd.service: reads @SYSCONFDIR@/ctl-suite/tvsd.conf" \
	"--config /etc/ctl-suite/tvsd.conf" "$U/ctl-tvsd.service"
# The units as `make install` writes them (PREFIX=/usr: ExecStart
# /usr/sbin/...), verified inside the install root (--root) beside the
# host's targets and /bin/kill, which their dependencies and ExecReload name.
R=$T_TMP/root
mkdir -p "$R/lib/systemd/system" "$R/bin"
cp /lib/systemd/system/*.target "$R/lib/systemd/system/"
cp /bin/kill "$R/bin/"
check "make install DESTDIR=... PREFIX=/usr" make -C "$TOP" -s BUILD="$BUILD" DESTDIR="$R" PREFIX=/usr \
	SYSTEMDUNITDIR=/lib/systemd/system install
expect_grep "the installed ctl-tftpd.service runs /usr/sbin/ctl-tftpd" "ExecStart=/usr/sbin/ctl-tftpd " \
	"$R/lib/systemd/system/ctl-tftpd.service"
check "systemd-analyze verify --root passes on the installed units" \
	env MANPATH="$R/usr/share/man" systemd-analyze verify --root="$R" ctl-tftpd.service \
	ctl-provider.service ctl-tvsd.service
expect_eq "  ... silently" "$(cat "$T_TMP/last.err")" ""
rm "$R/usr/sbin/ctl-provider"
expect_exit "  ... and fails when the installed binary is missing" 1 \
	env MANPATH="$R/usr/share/man" systemd-analyze verify --root="$R" ctl-provider.service
expect_grep "sysusers.d: the ctl-suite user" "u ctl-suite " "$TOP/systemd/ctl-suite.sysusers.conf"
expect_grep "tmpfiles.d: /srv/tftp owned by ctl-suite" "d /srv/tftp 0755 ctl-suite ctl-suite" \
	"$TOP/systemd/ctl-suite.tmpfiles.conf"
finish
