#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-provider under attack: wrong password, unknown user, throttling, no
# TLS, old TLS, static-RSA and CBC suites, garbage, untrusted/truncated/
# corrupted/dropped uploads, oversized and slow messages, a full disk,
# OVERRIDE and SET_MODE on a node that does not enable them, a symbolic
# link and a FIFO planted as CTLFile.tlv. Each is refused with its status
# and message and logged; the installed CTL stays byte for byte; the server
# keeps serving.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/provider_env.inc"
need_provider

N=$T_TMP/node
make_node "$N"
make_ctls "$T_TMP"
start_provider "$N"
LOG=$N/log
CTL=$N/root/CTLFile.tlv

# Baseline: first installation of a.tlv (no CTL yet: no trust check).
expect_exit "first installation accepted" 0 $P put-ctl "$T_TMP/a.tlv"
OLD=$(md5 "$T_TMP/a.tlv")
expect_eq "installed bytes are a.tlv" "$(md5 "$CTL")" "$OLD"

# unchanged DESC: the installed CTL is still a.tlv.
unchanged() { expect_eq "$1: installed CTL unchanged" "$(md5 "$CTL")" "$OLD"; }

expect_exit "wrong password: refused" 1 $PT --connect 127.0.0.1:$PORT --password wrong info
expect_grep "wrong password: AUTH_FAILED" "status AUTH_FAILED (4)" "$T_TMP/last.out"
expect_grep "wrong password: message" "message: unknown user or wrong password" "$T_TMP/last.out"
expect_grep "wrong password: logged with address" "login failed for user admin from 127.0.0.1:" "$LOG"

expect_exit "unknown user: refused" 1 $PT --connect 127.0.0.1:$PORT --user mallory --password secret info
expect_grep "unknown user: same AUTH_FAILED answer" "message: unknown user or wrong password" "$T_TMP/last.out"
expect_grep "unknown user: logged" "login failed for user mallory from 127.0.0.1:" "$LOG"

expect_exit "hostile user name: refused" 1 $PT --connect 127.0.0.1:$PORT --user "$(printf 'a\033[2Jb')" --password x login
expect_grep "hostile user name: escaped in the log" 'login failed for user a\x1b[2Jb from' "$LOG"

expect_exit "request before login: refused" 1 $PT --connect 127.0.0.1:$PORT --no-login get-ctl
expect_grep "request before login: AUTH_REQUIRED" "status AUTH_REQUIRED (3)" "$T_TMP/last.out"
expect_exit "upload before login: refused" 1 $PT --connect 127.0.0.1:$PORT --no-login put-ctl "$T_TMP/b.tlv"
expect_grep "upload before login: AUTH_REQUIRED" "message: PUT_CTL before LOGIN" "$T_TMP/last.out"
unchanged "upload before login"

expect_exit "plain TCP LOGIN: dropped" 0 $PT --connect 127.0.0.1:$PORT plain
expect_grep "plain TCP: no protocol data back" "protocol data: no" "$T_TMP/last.out"
expect_grep "plain TCP: logged" "TLS handshake failed from 127.0.0.1:" "$LOG"
expect_exit "garbage bytes on the port: dropped" 0 $PT --connect 127.0.0.1:$PORT plain-garbage
expect_grep "garbage bytes: no protocol data back" "protocol data: no" "$T_TMP/last.out"
# TLS. The client side is opened up (SECLEVEL=0 allows TLS 1.0/1.1 and
# every suite), so a failure is the server's refusal: it answers with an
# alert ("alert protocol version", "alert handshake failure") that the
# client reports having received.
s_client() { echo | timeout 10 openssl s_client -connect 127.0.0.1:$PORT "$@"; }
for v in tls1 tls1_1; do
	if s_client -$v -cipher DEFAULT@SECLEVEL=0 >"$T_TMP/s_$v.out" 2>&1; then
		not_ok "$v handshake refused"; else ok "$v handshake refused"; fi
	expect_grep "$v: refused by the server (protocol version alert received)" \
		"alert protocol version" "$T_TMP/s_$v.out"
done
for c in AES128-GCM-SHA256 AES256-SHA256 ECDHE-RSA-AES128-SHA; do
	if s_client -tls1_2 -cipher "$c:@SECLEVEL=0" >"$T_TMP/s_$c.out" 2>&1; then
		not_ok "TLS 1.2 $c (static RSA or CBC) refused"; else ok "TLS 1.2 $c (static RSA or CBC) refused"; fi
	expect_grep "TLS 1.2 $c: refused by the server (handshake failure alert received)" \
		"alert handshake failure" "$T_TMP/s_$c.out"
done
expect_grep "refused suites logged" "TLS handshake failed from 127.0.0.1:" "$LOG"
for c in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-CHACHA20-POLY1305; do
	if s_client -tls1_2 -cipher "$c" >"$T_TMP/s_$c.out" 2>&1; then
		ok "TLS 1.2 $c accepted"; else not_ok "TLS 1.2 $c accepted"; fi
	expect_grep "TLS 1.2 $c negotiated" "Cipher is $c" "$T_TMP/s_$c.out"
done
if s_client -tls1_3 >"$T_TMP/s13.out" 2>&1; then
	ok "TLS 1.3 handshake accepted"; else not_ok "TLS 1.3 handshake accepted"; fi
if s_client -tls1_2 >"$T_TMP/s12.out" 2>&1; then
	ok "TLS 1.2 handshake accepted"; else not_ok "TLS 1.2 handshake accepted"; fi
expect_grep "TLS: the CallManager certificate is presented" "CN = cucm-pub.example.lab" "$T_TMP/s12.out"

expect_exit "untrusted signer: refused" 1 $P put-ctl "$T_TMP/rogue.tlv"
expect_grep "untrusted signer: CTL_NOT_TRUSTED" "status CTL_NOT_TRUSTED (9)" "$T_TMP/last.out"
expect_grep "untrusted signer: message names the signer" "CN=SAST-ADN0bad0bad;OU=IPCBU;O=Cisco Systems (record 1) is not a SAST of the trusted file" "$T_TMP/last.out"
expect_grep "untrusted signer: logged" "refused (CTL_NOT_TRUSTED)" "$LOG"
unchanged "untrusted signer"

head -c 3000 "$T_TMP/a.tlv" >"$T_TMP/trunc.tlv"
expect_exit "truncated CTL: refused" 1 $P put-ctl "$T_TMP/trunc.tlv"
expect_grep "truncated CTL: CTL_MALFORMED with offset" "message: offset 1923 (record 2): tag 1: truncated record" "$T_TMP/last.out"
unchanged "truncated CTL"

cp "$T_TMP/b.tlv" "$T_TMP/flip.tlv"
flip_bit "$T_TMP/flip.tlv" 4000
expect_exit "corrupted CTL: refused" 1 $P put-ctl "$T_TMP/flip.tlv"
expect_grep "corrupted CTL: CTL_SIGNATURE" "status CTL_SIGNATURE (8)" "$T_TMP/last.out"
expect_grep "corrupted CTL: logged" "refused (CTL_SIGNATURE)" "$LOG"
unchanged "corrupted CTL"

expect_exit "ITL as CTL: refused" 1 $P put-ctl "$T_TMP/itl.tlv"
expect_grep "ITL as CTL: CTL_MALFORMED" "message: not a CTL (an ITL)" "$T_TMP/last.out"
unchanged "ITL as CTL"

expect_exit "dropped upload: sent part" 0 $P --stop-after 20000 put-ctl "$T_TMP/big2.tlv"
wait_for 5 grep -q "connection lost while reading the message body" "$LOG"
expect_grep "dropped upload: logged" "connection lost while reading the message body" "$LOG"
unchanged "dropped upload"

expect_exit "oversized message: refused" 1 $P hostile oversize
expect_grep "oversized message: TOO_LARGE" "status TOO_LARGE (10)" "$T_TMP/last.out"
expect_grep "oversized message: message" "body of 1048577 bytes exceeds the 1048576-byte limit" "$T_TMP/last.out"
expect_grep "oversized message: logged" "message too large: body of 1048577 bytes" "$LOG"
expect_exit "4 GiB length: refused unread" 1 $P hostile giant
expect_grep "4 GiB length: TOO_LARGE" "status TOO_LARGE (10)" "$T_TMP/last.out"
expect_exit "version 2: refused" 1 $P hostile bad-version
expect_grep "version 2: UNSUPPORTED" "message: protocol version 2, expected 1" "$T_TMP/last.out"
expect_exit "unknown request type: refused" 1 $P hostile unknown-type
expect_grep "unknown request type: UNSUPPORTED" "message: unknown request type 0x42" "$T_TMP/last.out"
expect_grep "unknown request type: connection still usable" "then: status OK (0)" "$T_TMP/last.out"
expect_exit "item past the body: refused" 1 $P hostile item-overrun
expect_grep "item past the body: BAD_REQUEST" "item runs past the end of the message body" "$T_TMP/last.out"
expect_exit "garbage inside TLS: refused" 1 $P hostile garbage
expect_grep "garbage inside TLS: bad magic" "message: not a CTL Provider message (bad magic)" "$T_TMP/last.out"

# Slow sender: a header, then a byte every 300 ms; the whole message must
# arrive within read_timeout (2 s). Meanwhile others are served.
$P --delay-ms 300 slow >"$T_TMP/slow.out" 2>&1 &
SLOW=$!
expect_exit "served while a slow sender holds a connection" 0 $P status
wait "$SLOW"
expect_grep "slow sender: cut off with BAD_REQUEST" "message: read timeout: message body incomplete" "$T_TMP/slow.out"
expect_grep "slow sender: logged" "no complete message body within 2 s; closing" "$LOG"

# Full disk: a file-size limit between a.tlv and big1.tlv (40 blocks: 20 KiB
# in dash's 512-byte units, 40 KiB in bash's) makes writing the new CTL fail.
stop_provider
: >"$LOG"
PROV_FSIZE=40
start_provider "$N"
PROV_FSIZE=
expect_exit "full disk: refused" 1 $P put-ctl "$T_TMP/big1.tlv"
expect_grep "full disk: IO status" "status IO (11)" "$T_TMP/last.out"
expect_grep "full disk: message" "the installed CTL is unchanged" "$T_TMP/last.out"
expect_grep "full disk: logged" "refused (IO)" "$LOG"
unchanged "full disk"
n=$(find "$N/root" -name '.CTLFile*' | wc -l | tr -d ' ')
expect_eq "full disk: no temporary file left" "$n" 0
stop_provider

start_provider "$N"
expect_exit "still serving after all that: info" 0 $P info
expect_grep "still serving: hostname" "hostname: cucm-pub.example.lab" "$T_TMP/last.out"
expect_exit "GET_CTL returns the installed file" 0 $P get-ctl --out "$T_TMP/got.tlv"
expect_eq "GET_CTL bytes" "$(md5 "$T_TMP/got.tlv")" "$OLD"
expect_exit "trusted update (b.tlv signed by sast2, listed in a.tlv) accepted" 0 $P put-ctl "$T_TMP/b.tlv"
expect_eq "update installed" "$(md5 "$CTL")" "$(md5 "$T_TMP/b.tlv")"
expect_eq "previous kept as CTLFile.tlv.bak" "$(md5 "$N/root/CTLFile.tlv.bak")" "$OLD"

# OVERRIDE and SET_MODE: off unless the node's configuration enables them.
expect_exit "override on a node without allow_override: refused" 1 $P --override put-ctl "$T_TMP/rogue.tlv"
expect_grep "override refused: UNSUPPORTED" "status UNSUPPORTED (2)" "$T_TMP/last.out"
expect_grep "override refused: message" "message: OVERRIDE is disabled on this node (allow_override = no)" "$T_TMP/last.out"
expect_grep "override refused: logged" "user admin: UNSUPPORTED: OVERRIDE is disabled on this node" "$N/log"
expect_eq "override refused: installed CTL unchanged" "$(md5 "$CTL")" "$(md5 "$T_TMP/b.tlv")"
expect_exit "SET_MODE on a node without allow_set_mode: refused" 1 $P set-mode 1
expect_grep "SET_MODE refused: message" "message: SET_MODE is disabled on this node (allow_set_mode = no)" "$T_TMP/last.out"
[ ! -e "$N/state/security-mode" ]; expect_eq "SET_MODE refused: no mode file written" $? 0
stop_provider
start_provider "$N" --set allow_override=yes
expect_exit "override: rogue CTL installed" 0 $P --override --reason "token lost, recovery" put-ctl "$T_TMP/rogue.tlv"
expect_grep "override: logged with reason" "OVERRIDE by user admin from 127.0.0.1:" "$N/log"
expect_grep "override: reason in the log" "reason: token lost, recovery" "$N/log"
expect_eq "override: installed" "$(md5 "$CTL")" "$(md5 "$T_TMP/rogue.tlv")"

# A symbolic link planted as CTLFile.tlv (to a secret): refused, never followed.
printf 'TOP-SECRET-KEY-MATERIAL\n' >"$T_TMP/secret"
chmod 600 "$T_TMP/secret"
rm -f "$CTL" "$N/root/CTLFile.tlv.bak"
ln -s "$T_TMP/secret" "$CTL"
expect_exit "symlinked CTLFile.tlv: GET_CTL refused" 1 $P get-ctl --out "$T_TMP/leak.tlv"
expect_grep "symlink: IO status" "status IO (11)" "$T_TMP/last.out"
expect_grep "symlink: message says why" "CTLFile.tlv is a symbolic link; refusing to follow it" "$T_TMP/last.out"
[ ! -e "$T_TMP/leak.tlv" ]; expect_eq "symlink: no file written by the client" $? 0
if grep -q TOP-SECRET "$T_TMP/last.out"; then not_ok "symlink: no byte of the target returned"; else
	ok "symlink: no byte of the target returned"; fi
expect_exit "symlinked CTLFile.tlv: PUT_CTL refused" 1 $P --override put-ctl "$T_TMP/a.tlv"
expect_grep "symlink: PUT_CTL message" "the installed CTL cannot be used:" "$T_TMP/last.out"
[ ! -e "$N/root/CTLFile.tlv.bak" ]; expect_eq "symlink: no CTLFile.tlv.bak copy of the target" $? 0
expect_exit "symlinked CTLFile.tlv: GET_STATUS refused" 1 $P status
expect_grep "symlink: GET_STATUS message" "is a symbolic link" "$T_TMP/last.out"
rm -f "$CTL"

# A FIFO planted as CTLFile.tlv: every request still answers (bounded by --timeout).
mkfifo "$CTL"
expect_exit "FIFO CTLFile.tlv: GET_STATUS answers" 1 $P --timeout 10 status
expect_grep "FIFO: message says why" "CTLFile.tlv is a FIFO, not a regular file; refusing it" "$T_TMP/last.out"
expect_exit "FIFO CTLFile.tlv: PUT_CTL answers" 1 $P --timeout 10 put-ctl "$T_TMP/a.tlv"
expect_grep "FIFO: PUT_CTL IO status" "status IO (11)" "$T_TMP/last.out"
expect_exit "FIFO CTLFile.tlv: GET_CTL answers" 1 $P --timeout 10 get-ctl
stop_provider
start_provider "$N" --set allow_set_mode=yes
expect_exit "FIFO CTLFile.tlv: SET_MODE still works" 0 $P --timeout 10 set-mode 1
rm -f "$CTL"
stop_provider

# Throttling: its own node, 3 failures allowed.
M=$T_TMP/node2
make_node "$M" throttle_failures=3
start_provider "$M"
for i in 1 2 3; do $PT --connect 127.0.0.1:$PORT --password bad login >/dev/null 2>&1; done
expect_exit "throttled after 3 failures" 1 $PT --connect 127.0.0.1:$PORT --password secret login
expect_grep "throttled: THROTTLED even with the right password" "status THROTTLED (5)" "$T_TMP/last.out"
expect_grep "throttled: message" "too many failed logins from 127.0.0.1" "$T_TMP/last.out"
expect_grep "throttled: logged" "login throttled for user admin from 127.0.0.1:" "$M/log"
n=$(grep -c "login failed for user admin" "$M/log")
expect_eq "throttled: three failures logged" "$n" 3
stop_provider

finish
