#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd hot reload: a file replaced (rename) during a transfer — the
# transfer in progress finishes the version it started, a new request gets
# the new one; a file being written in place is not served half-written;
# deletions, permission changes, new per-device files, subdirectories,
# symlinked names and --no-inotify.
. "$(dirname "$0")/../lib/e2e.sh"

R=$T_TMP/root
mkdir -p "$R/firmware"
head -c 204800 /dev/urandom > "$T_TMP/v1"
head -c 210000 /dev/urandom > "$T_TMP/v2"
cp "$T_TMP/v1" "$R/fw.bin"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
printf 'version one of the configuration, long enough to be split\n' > "$R/SEP001122334455.cnf.xml"
head -c 3000 /dev/urandom > "$R/firmware/load.bin"
head -c 1000 /dev/urandom > "$R/target.bin"
ln -s target.bin "$R/link.bin"
chmod -R a+rX "$R"

md5() { md5sum < "$1" | cut -d' ' -f1; }
same() { [ -f "$2" ] && [ "$(md5 "$1")" = "$(md5 "$2")" ]; }
# replace SRC NAME: how the project's writers do it: temporary file, then rename.
replace() { cp "$1" "$R/.$2.tmp" && chmod 644 "$R/.$2.tmp" && mv "$R/.$2.tmp" "$R/$2"; }

S_N=0
start_server() {
	S_N=$((S_N + 1))
	LOG=$T_TMP/server.$S_N.log
	start_ctl_tftpd "$LOG" --root "$R" "$@"
	PORT=$TPORT
	SRV=$TFTPD_PID
}
get() { rm -f "$2"; tftp 127.0.0.1 $PORT -m binary -c get "$1" "$2"; }

start_server
O=$T_TMP/out
mkdir -p "$O"

# --- replaced during a transfer ---------------------------------------------------------
"$BIN/tftp-raw" --fetch "$O/A" --pause-at 3 --resume-when "$T_TMP/go" --paused-mark "$T_TMP/paused" \
	127.0.0.1:$PORT '\0\1fw.bin\0octet\0' > "$O/A.log" &
A=$!
wait_for 10 test -f "$T_TMP/paused" && ok "transfer A paused after block 3" || not_ok "transfer A did not start"
replace "$T_TMP/v2" fw.bin
get fw.bin "$O/B"
check "request after the rename gets the new version" same "$T_TMP/v2" "$O/B"
touch "$T_TMP/go"
wait $A
check "transfer A finished the version it started" same "$T_TMP/v1" "$O/A"
expect_grep "transfer A completed (server side)" "Transferred[fw.bin] to 127.0.0.1:" "$LOG"
[ "$(grep -c 'Transferred\[fw.bin\]' "$LOG")" -eq 2 ] && ok "two transfers of fw.bin traced" || not_ok "fw.bin transfers: $(grep -c 'Transferred\[fw.bin\]' "$LOG")"

# --- written in place, still open: never served half-written ---------------------
get SEP001122334455.cnf.xml "$O/c1"
cp "$R/SEP001122334455.cnf.xml" "$T_TMP/c-old"
exec 3<>"$R/SEP001122334455.cnf.xml"
printf 'HALF-WRITTEN' >&3
get SEP001122334455.cnf.xml "$O/c2"
check "file being written in place: the complete old version is served" same "$T_TMP/c-old" "$O/c2"
exec 3>&-
wait_for 5 sh -c "tftp 127.0.0.1 $PORT -m binary -c get SEP001122334455.cnf.xml '$O/c3' && grep -q HALF-WRITTEN '$O/c3'"
check "after the writer closes it, the new content is served" grep -q "^HALF-WRITTEN" "$O/c3"

# --- deleted, re-created, permissions -------------------------------------------------
get CTLFile.tlv "$O/d1"
cp "$R/CTLFile.tlv" "$T_TMP/ctl-saved"
rm "$R/CTLFile.tlv"
"$BIN/tftp-raw" 127.0.0.1:$PORT '\0\1CTLFile.tlv\0octet\0' > "$O/d2"
expect_grep "deleted file: ERROR 1 at once" "ERROR 1" "$O/d2"
replace "$T_TMP/ctl-saved" CTLFile.tlv
get CTLFile.tlv "$O/d3"
check "re-created file served again" same "$T_TMP/ctl-saved" "$O/d3"
chmod 600 "$R/CTLFile.tlv"
"$BIN/tftp-raw" 127.0.0.1:$PORT '\0\1CTLFile.tlv\0octet\0' > "$O/d4"
expect_grep "made unreadable: refused at once" "ERROR 2" "$O/d4"
chmod 644 "$R/CTLFile.tlv"

# --- a per-device file appears -----------------------------------------------------------
get CTLSEP00AABBCCDDEE.tlv "$O/p1"
check "before: the phone gets CTLFile.tlv" same "$R/CTLFile.tlv" "$O/p1"
head -c 4444 /dev/urandom > "$T_TMP/perdev"
replace "$T_TMP/perdev" CTLSEP00AABBCCDDEE.tlv
get CTLSEP00aabbccddee.tlv "$O/p2"
check "after: its new per-device file" same "$T_TMP/perdev" "$O/p2"

# --- subdirectory and symlinked name ---------------------------------------------------
get firmware/load.bin "$O/s1"
head -c 3333 /dev/urandom > "$T_TMP/load2"
cp "$T_TMP/load2" "$R/firmware/.load.tmp" && chmod 644 "$R/firmware/.load.tmp" && mv "$R/firmware/.load.tmp" "$R/firmware/load.bin"
get firmware/load.bin "$O/s2"
check "file in a subdirectory reloaded" same "$T_TMP/load2" "$O/s2"
get link.bin "$O/l1"
check "symlinked name served" same "$R/target.bin" "$O/l1"
head -c 1111 /dev/urandom > "$T_TMP/target2"
replace "$T_TMP/target2" target.bin
get link.bin "$O/l2"
check "symlink target replaced: new version through the link" same "$T_TMP/target2" "$O/l2"

# --- without inotify --------------------------------------------------------------------
kill $SRV; wait $SRV 2>/dev/null
start_server --no-inotify
get fw.bin "$O/n1"
check "--no-inotify serves" same "$R/fw.bin" "$O/n1"
replace "$T_TMP/v1" fw.bin
get fw.bin "$O/n2"
check "--no-inotify notices the replacement (stat check)" same "$T_TMP/v1" "$O/n2"
expect_grep "--no-inotify announced" "inotify unavailable" "$LOG"
kill $SRV; wait $SRV 2>/dev/null

# --- SIGHUP: reload, never exit ---------------------------------------------------------
# A deployment swaps the root: --root names a symlink moved from release 1 to
# release 2. Nothing inside the old root changes, so neither inotify nor the
# stat check can notice; SIGHUP reopens the root by its path.
mkdir -p "$T_TMP/rel1" "$T_TMP/rel2"
head -c 5000 /dev/urandom > "$T_TMP/rel1/CTLFile.tlv"
head -c 5000 /dev/urandom > "$T_TMP/rel2/CTLFile.tlv"
cp "$T_TMP/v1" "$T_TMP/rel1/fw.bin"
cp "$T_TMP/v2" "$T_TMP/rel2/fw.bin"
chmod -R a+rX "$T_TMP/rel1" "$T_TMP/rel2"
ln -s rel1 "$T_TMP/current"
R=$T_TMP/current
start_server --no-inotify
sigign=$(awk '/^SigIgn:/ {print $2}' /proc/$SRV/status)
[ $(( 0x$sigign & 0x1000 )) -ne 0 ] && ok "SIGPIPE ignored (SigIgn $sigign)" || not_ok "SIGPIPE not ignored (SigIgn $sigign)"
get CTLFile.tlv "$O/h1"
check "release 1 served" same "$T_TMP/rel1/CTLFile.tlv" "$O/h1"
rm -f "$T_TMP/go2" "$T_TMP/paused2"
"$BIN/tftp-raw" --fetch "$O/hA" --pause-at 3 --resume-when "$T_TMP/go2" --paused-mark "$T_TMP/paused2" \
	127.0.0.1:$PORT '\0\1fw.bin\0octet\0' > "$O/hA.log" &
A=$!
wait_for 10 test -f "$T_TMP/paused2" && ok "transfer paused across the reload" || not_ok "paused transfer did not start"
ln -sfn rel2 "$T_TMP/current.new" && mv -T "$T_TMP/current.new" "$T_TMP/current"
get CTLFile.tlv "$O/h2"
check "root swapped, no SIGHUP yet: still release 1 (nothing can notice)" same "$T_TMP/rel1/CTLFile.tlv" "$O/h2"
kill -HUP $SRV
wait_for 5 grep -q "SIGHUP" "$LOG"
check "SIGHUP: the daemon is still running" kill -0 $SRV
expect_grep "SIGHUP: reload logged" "SIGHUP: reloaded" "$LOG"
get CTLFile.tlv "$O/h3"
check "after SIGHUP: release 2 served" same "$T_TMP/rel2/CTLFile.tlv" "$O/h3"
get fw.bin "$O/h4"
check "after SIGHUP: release 2 fw.bin" same "$T_TMP/v2" "$O/h4"
touch "$T_TMP/go2"
wait $A
check "the transfer paused across SIGHUP finished the version it started" same "$T_TMP/v1" "$O/hA"
# A file changed in place in the new root is served fresh after the next SIGHUP.
head -c 5000 /dev/urandom > "$T_TMP/rel2/CTLFile.tlv.new"
chmod 644 "$T_TMP/rel2/CTLFile.tlv.new"
mv "$T_TMP/rel2/CTLFile.tlv.new" "$T_TMP/rel2/CTLFile.tlv"
for i in 1 2 3 4 5; do kill -HUP $SRV; done
wait_for 5 sh -c "[ \$(grep -c 'SIGHUP: reloaded' '$LOG') -ge 6 ]"
check "six SIGHUPs: still running" kill -0 $SRV
get CTLFile.tlv "$O/h5"
check "changed file served fresh after SIGHUP" same "$T_TMP/rel2/CTLFile.tlv" "$O/h5"
# The root vanished: the reload fails, the daemon says so and keeps the old root.
mv -T "$T_TMP/current" "$T_TMP/current.away"
kill -HUP $SRV
wait_for 5 grep -q "SIGHUP: cannot reopen" "$LOG"
expect_grep "SIGHUP with the root gone: error logged" "SIGHUP: cannot reopen root" "$LOG"
check "SIGHUP with the root gone: still running" kill -0 $SRV
get CTLFile.tlv "$O/h6"
check "and still serving the root it had" same "$T_TMP/rel2/CTLFile.tlv" "$O/h6"
kill $SRV
wait $SRV
rc=$?
expect_eq "SIGTERM still stops it with status 0" "$rc" 0
finish
