#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# boot --register: the phone boots from the real ctl-tftpd (CTL, ITL, a
# signed SEP<MAC>.cnf.xml), reads deviceSecurityMode and the CallManager
# group from the configuration it verified, and registers over TLS to an
# `openssl s_server` CallManager at the configuration's securedSipPort.
# Mode 2 with the CTL's CallManager: registered; the group in priority
# order (a refused CallManager, then the trusted one); mode 1: no TLS;
# no trust list held (the cluster serves none): four tries, then No Trust
# List Installed; --ccm overrides the group; a malformed configuration is
# refused with its byte offset; --json.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/phone.sh"
R=$T_TMP/root
E=$T_TMP/empty-root
F=$T_TMP/files
mkdir -p "$R" "$E" "$F"

cluster_ctl "$R/CTLFile.tlv" sast1 1700000000 >/dev/null || { echo "Bail out! ctl-client build"; exit 1; }

start_ccm ccm1 "$PKI/ccm1.pem" "$PKI/ccm1.key"
P1=$CPORT
start_ccm ccm2 "$PKI/ccm2.pem" "$PKI/ccm2.key"
P2=$CPORT
DEAD=$(free_port)

# cnf MAC MODE MEMBERS [SCCP]: SEP<MAC>.cnf.xml as CUCM writes it (MEMBERS: "prio:port ...",
# the port being the securedSipPort; for SCCP the ethernetPhonePort, the securedSipPort then
# naming a port nobody listens on), signed by the CTL's CCM+TFTP certificate into the root.
cnf() {
	_f=$F/SEP$1.cnf.xml
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<device xsi:type="axl:XIPPhone" ctiid="548">\n'
		printf '<fullConfig>true</fullConfig>\n<deviceProtocol>%s</deviceProtocol>\n' "${4:-SIP}"
		printf '<devicePool uuid="{c858bf9a}">\n<name>Default &amp; secure</name>\n<callManagerGroup>\n<members>\n'
		for _m in $3; do
			printf '<member  priority="%s">\n<callManager>\n<name>127.0.0.1</name>\n<ports>\n' "${_m%%:*}"
			if [ "${4:-SIP}" = SCCP ]; then
				printf '<ethernetPhonePort>%s</ethernetPhonePort>\n<sipPort>5060</sipPort>\n' "${_m#*:}"
				printf '<securedSipPort>%s</securedSipPort>\n' "$DEAD"
			else
				printf '<ethernetPhonePort>2000</ethernetPhonePort>\n<sipPort>5060</sipPort>\n'
				printf '<securedSipPort>%s</securedSipPort>\n' "${_m#*:}"
			fi
			printf '<mgcpPorts>\n<listen>2427</listen>\n<keepAlive>2428</keepAlive>\n</mgcpPorts>\n</ports>\n'
			printf '<processNodeName>127.0.0.1</processNodeName>\n</callManager>\n</member>\n'
		done
		printf '</members>\n</callManagerGroup>\n</devicePool>\n'
		printf '<deviceSecurityMode>%s</deviceSecurityMode>\n' "$2"
		printf '<loadInformation>sip88xx.14-2-1</loadInformation>\n</device>\n'
	} > "$_f"
	"$CC" sign-file --cert "$PKI/ccm1.pem" --key "$PKI/ccm1.key" "$_f" >/dev/null ||
		{ echo "Bail out! sign-file"; exit 1; }
	cp "$_f.sgn" "$R/"
}
cnf 000000000A01 2 "0:$P1"
cnf 000000000A02 2 "1:$P1 0:$P2"
cnf 000000000A03 1 "0:$P1"
cnf 000000000A04 3 "0:$DEAD"
cnf 000000000A05 7 "0:$P1"
cnf 000000000A06 2 "0:$P1"
cnf 000000000A07 2 "0:$((P1 - 443))" SCCP
cp "$F/SEP000000000A06.cnf.xml" "$E/"   # a cluster without trust lists serves it unsigned
chmod -R a+rX "$R" "$E"
start_ctl_tftpd "$T_TMP/tftpd.log" --root "$R" --no-inotify
T1=$TPORT
start_ctl_tftpd "$T_TMP/tftpd-empty.log" --root "$E" --no-inotify
T2=$TPORT
boot() { # MAC TFTP_PORT [options]
	_mac=$1; _tp=$2; shift 2
	"$PV" boot --mac "$_mac" --tftp "127.0.0.1:$_tp" --state "$T_TMP/ph$_mac" --register \
		--retry-interval 20 "$@"
}
O=$T_TMP/last.out

# 1. Authenticated, the CTL's CallManager: registered securely.
expect_exit "mode 2, CallManager in the CTL: registered (exit 0)" 0 boot 000000000A01 "$T1"
expect_grep "TLS to the configuration's securedSipPort" "Connecting to CallManager 127.0.0.1:$P1 over TLS (deviceSecurityMode 2, authenticated)" "$O"
expect_grep "found in CTL record 3 (CCM+TFTP)" "found in CTL record 3 (CCM+TFTP)" "$O"
expect_grep "registered" "registered securely with CallManager 127.0.0.1:$P1" "$O"
check "the signed configuration was taken" cmp "$T_TMP/ph000000000A01/SEP000000000A01.cnf.xml" "$F/SEP000000000A01.cnf.xml"

# 2. The group in priority order: priority 0 (not in the CTL) refused, then priority 1.
expect_exit "two CallManagers by priority: the second registers" 0 boot 000000000A02 "$T1"
cp "$O" "$T_TMP/boot2.out"
first=$(grep -n "Connecting to CallManager 127.0.0.1:$P2 " "$O" | cut -d: -f1)
second=$(grep -n "Connecting to CallManager 127.0.0.1:$P1 " "$O" | cut -d: -f1)
check "priority 0 tried before priority 1" test -n "$first" -a -n "$second" -a "${first:-0}" -lt "${second:-0}"
expect_grep "priority 0 refused" "not found in CTL" "$T_TMP/boot2.out"

# 3. Non-secure: no TLS.
expect_exit "mode 1: registered without TLS (exit 0)" 0 boot 000000000A03 "$T1"
expect_grep "says non-secure" "deviceSecurityMode 1 (non-secure): registering over TCP, no TLS" "$O"
if grep -q "ccmConnect" "$O"; then not_ok "mode 1: no TLS connection"; else ok "mode 1: no TLS connection"; fi

# 4. Encrypted, the configuration's CallManager unreachable; --ccm overrides the group.
expect_exit "mode 3, nobody at the configuration's port: exit 11" 11 boot 000000000A04 "$T1"
expect_exit "mode 3, --ccm overrides the group: registered" 0 boot 000000000A04 "$T1" --ccm "127.0.0.1:$P1"
expect_grep "mode 3 named" "(deviceSecurityMode 3, encrypted)" "$O"
if grep -q "127.0.0.1:$DEAD" "$O"; then not_ok "--ccm: the configuration's CallManager not tried"; else
	ok "--ccm: the configuration's CallManager not tried"; fi

# 4b. SCCP: the TLS port is the ethernetPhonePort + 443 (2000 -> 2443), not the securedSipPort.
expect_exit "SCCP, mode 2: registered at ethernetPhonePort + 443" 0 boot 000000000A07 "$T1"
expect_grep "SCCP: TLS to ethernetPhonePort + 443" "Connecting to CallManager 127.0.0.1:$P1 over TLS" "$O"

# 5. A malformed configuration: refused with its offset.
expect_exit "deviceSecurityMode 7: configuration refused (exit 5)" 5 boot 000000000A05 "$T1"
expect_grep "the fault and its offset" "SEP000000000A05.cnf.xml: offset " "$O"
expect_grep "what is wrong" "<deviceSecurityMode> must be 1, 2 or 3, not '7'" "$O"

# 6. No trust list anywhere: the boot holds none, the phone tries four times.
expect_exit "no trust list: No Trust List Installed after four tries (exit 4)" 4 boot 000000000A06 "$T2"
expect_eq "four tries" "$(grep -c 'no CTL or ITL installed: cannot authenticate' "$O")" 4
if grep -q "ccmConnect" "$O"; then not_ok "no TLS without a trust list"; else ok "no TLS without a trust list"; fi

# 7. --json, the 88xx console, usage.
expect_exit "--json" 0 boot 000000000A01 "$T1" --json
expect_grep "json: register object" "\"register\":{\"registered\":true,\"exit\":0,\"mode\":2,\"server\":\"127.0.0.1:$P1\"" "$O"
expect_exit "88xx console" 0 boot 000000000A01 "$T1" --console 88xx
expect_grep "88xx: role line" "SECUREAPP-SSL session setup Cert Verification - Role is = 2" "$O"
expect_exit "--register without --state: usage (exit 2)" 2 "$PV" boot --mac 000000000A01 --tftp "127.0.0.1:$T1" --register
expect_exit "--ccm without --register: usage (exit 2)" 2 "$PV" boot --mac 000000000A01 --tftp "127.0.0.1:$T1" --ccm "127.0.0.1:$P1"
finish
