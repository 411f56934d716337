#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The rollout tracker end to end: 2,000 phones (phone-verifier fleet) boot
# on ctl-tftpd with --rollout-state; the CTL is re-signed by the second
# SAST; 700 of them reboot. show-ctl --phones must then count exactly what
# the fleets report (current / older / not asked), name the 1,300 phones
# not rebooted with --stale and --version (the phones whose stored CTL is
# still the old one), in text and JSON. The table survives a restart, a
# damaged or hostile state file is reported with its byte offset and the
# daemon starts empty, devices not seen for --rollout-forget are dropped,
# files fetched over HTTP are tracked too, and the timed write survives its
# writer process being killed.
. "$(dirname "$0")/../lib/e2e.sh"
need_pki
PV=$BIN/phone-verifier
CC=$BIN/ctl-client
SC=${SHOW_CTL:-$BIN/show-ctl}
R=$T_TMP/root
ST=$T_TMP/rollout.state
N=2000
K=700
mkdir -p "$R"
md5() { md5sum < "$1" | cut -d' ' -f1; }
jnum() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
ctl() {
	"$CC" build --out "$1" --sast "$PKI/sast1.pem" --sast "$PKI/sast2.pem" \
		--ccm-tftp "$PKI/ccm1.pem" --capf "$PKI/capf.pem" --sign-key "$PKI/$2.key" \
		--sign-cert "$PKI/$2.pem" --timestamp "$3" >/dev/null
}
ctl "$R/CTLFile.tlv" sast1 1700000000
"$CC" build --itl --tokenless --out "$R/ITLFile.tlv" --sast "$PKI/ccm1.pem" --ccm-tftp "$PKI/ccm1.pem" \
	--tvs "$PKI/tvs1.pem" --sign-key "$PKI/ccm1.key" --sign-cert "$PKI/ccm1.pem" >/dev/null
chmod -R a+rX "$R"
OLD=$(md5 "$R/CTLFile.tlv")
ITL=$(md5 "$R/ITLFile.tlv")
LOG=$T_TMP/server.log
HPORT=$(free_port)
# rollout_line LOG: the state is restored (or not) just after "Listening on": wait for its line.
rollout_line() { wait_for 10 grep -q "rollout state" "$1" || echo "# no rollout line in $1"; }
start_ctl_tftpd "$LOG" --root "$R" --rollout-state "$ST" --http 127.0.0.1:$HPORT \
	--timeout 50 --max-timeout 200 --retries 20
rollout_line "$LOG"
expect_grep "a first start says there is no state yet" "rollout state $ST: none yet, starting with an empty table" "$LOG"

# save_now: SIGUSR1 writes the state file at once; wait (bounded) until it is newer than before.
save_now() {
	touch "$T_TMP/mark"
	sleep 0.01
	kill -USR1 "$TFTPD_PID"
	wait_for 10 test "$ST" -nt "$T_TMP/mark" || echo "# state file not written"
}

expect_exit "$N phones boot on the CTL signed by SAST1" 0 "$PV" fleet --count $N --concurrency 200 \
	--tftp 127.0.0.1:$TPORT --state-root "$T_TMP/phones" --json
cp "$T_TMP/last.out" "$T_TMP/fleet1.json"
expect_eq "fleet 1: every phone holds the server's CTL" "$(jnum "$T_TMP/fleet1.json" 'd["ctl_md5_phones"]')" $N

ctl "$T_TMP/ctl2.tlv" sast2 1700000500
chmod a+r "$T_TMP/ctl2.tlv"
mv "$T_TMP/ctl2.tlv" "$R/CTLFile.tlv"
NEW=$(md5 "$R/CTLFile.tlv")
check "the re-signed CTL differs" test "$NEW" != "$OLD"
expect_exit "$K of them reboot and take the CTL signed by SAST2" 0 "$PV" fleet --count $K \
	--concurrency 200 --tftp 127.0.0.1:$TPORT --state-root "$T_TMP/phones" --json
cp "$T_TMP/last.out" "$T_TMP/fleet2.json"
F2=$(jnum "$T_TMP/fleet2.json" 'd["ctl_md5_phones"]')
expect_eq "fleet 2: $K phones report the new CTL md5" "$F2" $K
save_now

J=$T_TMP/phones.json
expect_exit "show-ctl --phones --json" 0 "$SC" --phones --json --root "$R" --rollout-state "$ST"
cp "$T_TMP/last.out" "$J"
expect_eq "devices tracked = phones booted" "$(jnum "$J" 'd["devices"]')" $N
expect_eq "current CTL md5 = md5sum of the root's file" "$(jnum "$J" 'd["ctl"]["current_md5"]')" "$NEW"
expect_eq "devices on the current CTL = fleet 2's report" "$(jnum "$J" 'd["ctl"]["current"]')" "$F2"
expect_eq "devices on an older CTL = the others" "$(jnum "$J" 'd["ctl"]["older"]')" $((N - F2))
expect_eq "not asked since the change = the phones not rebooted" "$(jnum "$J" 'd["ctl"]["not_asked"]')" $((N - F2))
expect_eq "the older version is fleet 1's md5, held by $((N - K))" \
	"$(jnum "$J" '[(v["md5"],v["phones"]) for v in d["ctl"]["versions"] if not v["current"]]')" \
	"[('$OLD', $((N - K)))]"
expect_eq "current ITL on every phone = fleet 1's report" "$(jnum "$J" 'd["itl"]["current"]')" \
	"$(jnum "$T_TMP/fleet1.json" 'd["itl_md5_phones"]')"
expect_eq "current ITL md5" "$(jnum "$J" 'd["itl"]["current_md5"]')" "$ITL"
SAST1_CN=$(openssl x509 -in "$PKI/sast1.pem" -noout -subject -nameopt sep_multiline | sed -n 's/^ *CN=//p')
SAST2_CN=$(openssl x509 -in "$PKI/sast2.pem" -noout -subject -nameopt sep_multiline | sed -n 's/^ *CN=//p')
expect_eq "signer and timestamp of each version (parsed from the files)" \
	"$(jnum "$J" '[(v["signer"].split(";")[0],v["timestamp"]) for v in d["ctl"]["versions"]]')" \
	"[('CN=$SAST2_CN', 1700000500), ('CN=$SAST1_CN', 1700000000)]"

# The fleet's own state: phones whose stored CTL is still the old one.
for d in "$T_TMP"/phones/SEP*; do
	[ "$(md5 "$d/CTLFile.tlv")" = "$NEW" ] || basename "$d"
done | sort >"$T_TMP/want-stale"
check "the fleet holds $((N - K)) phones with the old CTL" test "$(wc -l <"$T_TMP/want-stale")" -eq $((N - K))
expect_exit "show-ctl --phones --stale" 0 "$SC" --phones --stale --root "$R" --rollout-state "$ST"
sort "$T_TMP/last.out" >"$T_TMP/got-stale"
check "--stale lists exactly the phones not rebooted" cmp "$T_TMP/want-stale" "$T_TMP/got-stale"
expect_exit "show-ctl --phones --version OLD" 0 "$SC" --phones --version "$OLD" --root "$R" --rollout-state "$ST"
sort "$T_TMP/last.out" >"$T_TMP/got-old"
check "--version OLD lists the same phones" cmp "$T_TMP/want-stale" "$T_TMP/got-old"
expect_eq "JSON not_asked_devices = the same phones" \
	"$(jnum "$J" '"\n".join(sorted(d["ctl"]["not_asked_devices"]))')" "$(cat "$T_TMP/want-stale")"
expect_exit "show-ctl --phones (text)" 0 "$SC" --phones --root "$R" --rollout-state "$ST"
cp "$T_TMP/last.out" "$T_TMP/phones.txt"
expect_grep "text: current count" "  devices with the current CTL: $K" "$T_TMP/phones.txt"
expect_grep "text: older count" "  devices with an older CTL:    $((N - K))" "$T_TMP/phones.txt"
expect_grep "text: not asked" "  not asked since the change:   $((N - K))" "$T_TMP/phones.txt"
expect_grep "text: the old version's line" "$OLD    $((N - K)) devices  signed 2023-11-14 22:13:20 UTC by CN=$SAST1_CN" "$T_TMP/phones.txt"
sed 's/^/# /' "$T_TMP/phones.txt"
expect_exit "--version with a bad md5: usage" 2 "$SC" --phones --version 1234567890abcdef1234567890abcdeX --rollout-state "$ST"
expect_exit "--stale without --phones: usage" 2 "$SC" --stale --root "$R"

# HTTP: 88xx phones fetch over HTTP first; their devices are tracked too.
expect_exit "20 88xx phones boot over HTTP" 0 "$PV" fleet --count 20 --mac-prefix 0D0D --model 8845 \
	--http-port $HPORT --tftp 127.0.0.1:$TPORT --json
grep -q '"ok":20' "$LOG" 2>/dev/null || true
check "the server answered them over HTTP" grep -q "HTTP GET\[/CTLSEP0D0D" "$LOG"
save_now
expect_exit "show-ctl --phones --json after the HTTP fleet" 0 "$SC" --phones --json --root "$R" --rollout-state "$ST"
expect_eq "the 20 HTTP phones hold the current CTL" \
	"$(jnum "$T_TMP/last.out" 'sum(1 for v in d["ctl"]["versions"] if v["current"] for n in v["devices"] if n.startswith("SEP0D0D"))')" 20

# Restart: SIGTERM writes the table, the next start restores it.
kill "$TFTPD_PID"
wait "$TFTPD_PID" 2>/dev/null
cp "$ST" "$T_TMP/saved.state"
start_ctl_tftpd "$LOG.2" --root "$R" --rollout-state "$ST" --timeout 50 --max-timeout 200 --retries 20
rollout_line "$LOG.2"
expect_grep "restart: the table is restored" "rollout state $ST: restored $((N + 20)) devices, 3 versions" "$LOG.2"
expect_exit "one more phone after the restart" 0 "$PV" fleet --count 1 --mac-prefix 0E0E --tftp 127.0.0.1:$TPORT
save_now
expect_exit "show-ctl after the restart" 0 "$SC" --phones --json --root "$R" --rollout-state "$ST"
expect_eq "restored devices plus the new one" "$(jnum "$T_TMP/last.out" 'd["devices"]')" $((N + 21))
expect_eq "counts kept across the restart" "$(jnum "$T_TMP/last.out" '(d["ctl"]["current"],d["ctl"]["older"])')" \
	"($((K + 21)), $((N - K)))"

# Hostile state files: the daemon says what and where, starts empty, serves.
kill "$TFTPD_PID"
wait "$TFTPD_PID" 2>/dev/null
head -c 1000 "$T_TMP/saved.state" >"$ST"
expect_exit "show-ctl on a truncated state file: exit 3" 3 "$SC" --phones --rollout-state "$ST" --root "$R"
expect_grep "... with the byte offset" "checksum does not match (truncated or damaged) at byte offset 984" "$T_TMP/last.err"
expect_exit "show-ctl --json on it: error object" 3 "$SC" --phones --json --rollout-state "$ST" --root "$R"
expect_grep "... code parse" '{"error":{"code":"parse"' "$T_TMP/last.out"
start_ctl_tftpd "$LOG.3" --root "$R" --rollout-state "$ST"
rollout_line "$LOG.3"
expect_grep "daemon: truncated state reported, empty table" \
	"rollout state $ST: rollout state: checksum does not match (truncated or damaged) at byte offset 984; starting with an empty table" "$LOG.3"
check "daemon still running" kill -0 "$TFTPD_PID"
kill "$TFTPD_PID"; wait "$TFTPD_PID" 2>/dev/null
# A sealed file with a device count of 2^32-1 (checksum recomputed, as an attacker would).
python3 - "$T_TMP/saved.state" "$ST" <<'PY'
import hashlib, sys
b = bytearray(open(sys.argv[1], 'rb').read()[:-16])
b[12:16] = b'\xff\xff\xff\xff'
open(sys.argv[2], 'wb').write(bytes(b) + hashlib.md5(b).digest())
PY
start_ctl_tftpd "$LOG.4" --root "$R" --rollout-state "$ST"
rollout_line "$LOG.4"
expect_grep "daemon: hostile device count reported with its offset" \
	"rollout state: device count larger than the file at byte offset 12; starting with an empty table" "$LOG.4"
expect_exit "it still serves a phone" 0 "$PV" fleet --count 1 --mac-prefix 0F0F --tftp 127.0.0.1:$TPORT
kill "$TFTPD_PID"; wait "$TFTPD_PID" 2>/dev/null
check "... and replaced the hostile file with its table on SIGTERM" sh -c \
	"'$SC' --phones --json --rollout-state '$ST' --root '$R' | grep -q '\"devices\":1,'"

# Forget: devices last seen 2 days ago go with --rollout-forget 1, the rest stay.
python3 - "$T_TMP/saved.state" "$ST" <<'PY'
import hashlib, struct, sys, time
b = bytearray(open(sys.argv[1], 'rb').read()[:-16])
nv, nd = struct.unpack('>II', b[8:16])
o = 16
for _ in range(nv):
    o += 1 + 16 + 16
    o += 1 + b[o]
old = int(time.time()) - 2 * 86400
for i in range(nd):
    nl = b[o]; o += 1 + nl
    if i % 2 == 0:
        b[o:o + 8] = struct.pack('>q', old)
    o += 8
    pres = b[o]; o += 1
    for k in range(3):
        if pres & (1 << k):
            fam = b[o + 13]
            o += 4 + 8 + 1 + 1 + (4 if fam == 4 else 16 if fam == 6 else 0) + 2
assert o == len(b)
open(sys.argv[2], 'wb').write(bytes(b) + hashlib.md5(b).digest())
PY
start_ctl_tftpd "$LOG.5" --root "$R" --rollout-state "$ST" --rollout-forget 1
rollout_line "$LOG.5"
kill -USR1 "$TFTPD_PID"
kill "$TFTPD_PID"; wait "$TFTPD_PID" 2>/dev/null
expect_exit "show-ctl after forgetting" 0 "$SC" --phones --json --rollout-state "$ST" --root "$R"
expect_eq "half the devices (last seen 2 days ago) forgotten" "$(jnum "$T_TMP/last.out" 'd["devices"]')" $(((N + 20) / 2))

# The timed write (every 3 s, no signal) is the writer process's, ctl-tftpd's only
# child; killed, the next timed write says so, is done on the loop, and a new
# writer is started for the writes after it.
rm -f "$ST"
start_ctl_tftpd "$LOG.6" --root "$R" --rollout-state "$ST"
rollout_line "$LOG.6"
writer() { ps -o pid=,comm= --ppid "$TFTPD_PID" | awk '$2 == "rollout-writer" { print $1 }'; }
W1=$(writer)
check "a writer process runs beside ctl-tftpd" test -n "$W1"
check "ctl-tftpd itself runs one thread" test "$(ls /proc/$TFTPD_PID/task | wc -l)" -eq 1
expect_exit "3 phones boot" 0 "$PV" fleet --count 3 --mac-prefix 0E0E --tftp 127.0.0.1:$TPORT
check "the state file is written within 3 s, with no signal" wait_for 10 test -s "$ST"
expect_exit "show-ctl reads the timed write" 0 "$SC" --phones --json --rollout-state "$ST" --root "$R"
expect_eq "... which holds the 3 phones" "$(jnum "$T_TMP/last.out" 'd["devices"]')" 3
kill -KILL "$W1"
expect_exit "2 more phones boot" 0 "$PV" fleet --count 5 --mac-prefix 0E0E --tftp 127.0.0.1:$TPORT
check "the writer's end is reported, the write done on the loop" wait_for 10 grep -q \
	"rollout state $ST: not written by the writer: the writer process (pid $W1) was killed by signal 9; writing on the loop" "$LOG.6"
check "... and holds the 5 phones" wait_for 10 sh -c \
	"'$SC' --phones --json --rollout-state '$ST' --root '$R' | grep -q '\"devices\":5,'"
W2=$(writer)
check "a new writer process runs for the next write" test -n "$W2" -a "$W2" != "$W1"
kill "$TFTPD_PID"; wait "$TFTPD_PID" 2>/dev/null
check "stopping ends the writer too" sh -c "! kill -0 $W2 2>/dev/null"

finish
