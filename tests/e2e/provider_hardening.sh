#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-provider against clients that never log in, and as a system service:
# 300 unauthenticated TLS connections from one address (127.0.0.1), each
# sending a request every 5 s, must not lock out the administrator logging
# in from another address (127.0.0.2); a connection closes after a few
# requests without a login, and at the login deadline counted from accept;
# SIGHUP does not stop the daemon; user= drops root after binding; a
# credential file or key that group or others may read is refused.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider

# --- 300 unauthenticated clients from one address; the admin from another.
N=$T_TMP/node
make_node "$N" read_timeout=10 login_delay_ms=0
start_provider "$N"
t0=$(date +%s)
$PT --connect 127.0.0.1:$PORT --bind 127.0.0.1 --timeout 20 --delay-ms 5000 hold 300 25 \
	>"$T_TMP/hold.out" 2>&1 &
HOLD=$!
T_PIDS="$T_PIDS $HOLD"
# Until the attacker is at a limit: the address's cap, or (without one) the total.
wait_for 30 grep -q -e "already holds" -e "connection limit" "$N/log" ||
	echo "# the 300 clients never reached a connection limit"
ok_logins=0
for i in 1 2 3 4 5 6 7 8; do
	$PT --connect 127.0.0.1:$PORT --bind 127.0.0.2 --timeout 20 --password secret info \
		>"$T_TMP/admin$i.out" 2>&1 && ok_logins=$((ok_logins + 1))
done
expect_eq "300 unauthenticated clients on 127.0.0.1: the admin from 127.0.0.2 logs in 8 of 8" "$ok_logins" 8
expect_grep "the flooding address is held to max_per_address" \
	"127.0.0.1 already holds 16 connections (max_per_address); refusing 127.0.0.1:" "$N/log"
n=$(grep -c "login ok for user admin from 127.0.0.2:" "$N/log")
expect_eq "8 admin logins from 127.0.0.2 logged" "$n" 8
if grep -q "connection limit (256) reached" "$N/log"; then
	not_ok "the total connection limit was never reached"; else ok "the total connection limit was never reached"; fi
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
# Refusals are logged at most once a second, with a count of the others.
secs=$(( $(date +%s) - t0 + 1 ))
n=$(grep -c "refusing 127.0.0.1:" "$N/log")
if [ "$n" -le "$secs" ]; then ok "refusals logged at most once a second ($n lines in $secs s)"; else
	not_ok "refusals logged at most once a second ($n lines in $secs s)"; fi
wait_for 5 grep -q "more connection(s) refused in the same second" "$N/log"
expect_grep "the refusals not logged are counted" "more connection(s) refused in the same second" "$N/log"

# --- SIGHUP: logged, the daemon keeps serving.
kill -HUP "$PROV_PID"
wait_for 5 grep -q "SIGHUP: nothing to reload" "$N/log"
expect_grep "SIGHUP: logged" "SIGHUP: nothing to reload" "$N/log"
if kill -0 "$PROV_PID" 2>/dev/null; then ok "SIGHUP: still running"; else not_ok "SIGHUP: still running"; fi
expect_exit "SIGHUP: still serving" 0 $P info
stop_provider

# --- A few requests without a login, then the connection closes.
M=$T_TMP/node2
make_node "$M" max_unauth_requests=3 login_timeout=60
start_provider "$M"
expect_exit "requests without a login: the server closes the connection" 0 $PT --connect 127.0.0.1:$PORT --delay-ms 50 unauth
expect_grep "closed after 3 unauthenticated requests" "unauth: 3 requests answered, then the server closed the connection" "$T_TMP/last.out"
expect_grep "each answered AUTH_REQUIRED" "answer 3: status AUTH_REQUIRED: GET_STATUS before LOGIN" "$T_TMP/last.out"
expect_grep "logged" "3 requests without a login; closing" "$M/log"
stop_provider

# --- The login deadline, counted from accept, ends a connection that keeps sending.
M3=$T_TMP/node3
make_node "$M3" max_unauth_requests=1000 login_timeout=2 read_timeout=10
start_provider "$M3"
expect_exit "no login: closed at the login deadline" 0 $PT --connect 127.0.0.1:$PORT --delay-ms 300 unauth
expect_grep "the deadline is answered with a reason" "login timeout: no login since the connection opened" "$T_TMP/last.out"
expect_grep "the deadline is logged" "no login within 2 s of connecting; closing" "$M3/log"
expect_exit "a logged-in client is not cut off by the login deadline" 0 $P --delay-ms 3000 slow-status
stop_provider

# --- user=: drop to nobody after binding.
U=$T_TMP/node4
make_node "$U" user=nobody allow_set_mode=yes
chmod 711 "$T_TMP" "$U"
chown -R nobody "$U/root" "$U/state" "$U/creds"
start_provider "$U"
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$PROV_PID/status")
nobody=$(id -u nobody)
expect_eq "user=nobody: real, effective, saved and fs uid are nobody's" "$uid" "$nobody $nobody $nobody $nobody"
gid=$(awk '/^Gid:/ { print $2, $3 }' "/proc/$PROV_PID/status")
expect_eq "user=nobody: gid is nobody's" "$gid" "$(id -g nobody) $(id -g nobody)"
expect_grep "user=nobody: logged" "running as user nobody (uid $nobody)" "$U/log"
make_ctls "$T_TMP"
expect_exit "user=nobody: an upload is installed" 0 $P put-ctl "$T_TMP/a.tlv"
expect_eq "user=nobody: installed bytes" "$(md5 "$U/root/CTLFile.tlv")" "$(md5 "$T_TMP/a.tlv")"
expect_exit "user=nobody: SET_MODE" 0 $P set-mode 1
stop_provider
chown root "$U/creds"
expect_exit "user=nobody, credential file nobody cannot read: refused at startup" 3 \
	"$PROV" --config "$U/node.conf" --listen 127.0.0.1:0
expect_grep "the reason names the user and the file" "credentials as user nobody: $U/creds: cannot open: Permission denied" "$T_TMP/last.err"
expect_exit "unknown user: refused at startup" 3 "$PROV" --config "$U/node.conf" --listen 127.0.0.1:0 --set user=no-such-user-x
expect_grep "unknown user: named" "unknown user no-such-user-x" "$T_TMP/last.err"

# --- Secrets others may read are refused.
S=$T_TMP/node5
make_node "$S"
chmod 644 "$S/creds"
expect_exit "credential file mode 0644: refused" 3 "$PROV" --config "$S/node.conf" --check-config
expect_grep "credential file: file and mode named" "credentials $S/creds: mode 0644 lets group or others read or write it; chmod 600 it" "$T_TMP/last.err"
chmod 600 "$S/creds"
ln -s "$S/creds" "$S/creds.link"
expect_exit "credential file behind a symbolic link: refused at startup" 3 \
	"$PROV" --config "$S/node.conf" --set credentials="$S/creds.link" --check-config
expect_grep "symbolic link: named" "credential file: $S/creds.link is a symbolic link; refusing to follow it" "$T_TMP/last.err"
cp "$PKI/ccm1.key" "$T_TMP/ccm1.key"
chmod 640 "$T_TMP/ccm1.key"
expect_exit "TLS key mode 0640: refused" 3 "$PROV" --config "$S/node.conf" --set tls_key="$T_TMP/ccm1.key" --check-config
expect_grep "TLS key: file and mode named" "tls_key $T_TMP/ccm1.key: mode 0640 lets group or others read or write it" "$T_TMP/last.err"
chmod 600 "$T_TMP/ccm1.key"
expect_exit "TLS key mode 0600: accepted" 0 "$PROV" --config "$S/node.conf" --set tls_key="$T_TMP/ccm1.key" --check-config
finish
