#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The administrator password in ctl-client's memory: while a LOGIN waits for
# its answer, every copy of the password is in memory marked MADV_DONTDUMP
# (VmFlags "dd": the kernel leaves it out of a core dump) and locked (mlock,
# VmFlags "lo": never swapped), from a file, the environment or the
# terminal, and the LOGIN request that carries it too. The scan reads the client's memory through
# /proc/PID/mem the way the kernel writes a core dump: every readable
# mapping without "dd". Run it on a build without sanitizers: ASan ignores
# mlock and keeps its own copy of the environment.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
PW=Adm1n-secret
FP1=$(fp "$PKI/ccm1.pem")
cat > "$T_TMP/scan.py" <<'PY'
import re, sys
pid, secret = sys.argv[1], sys.argv[2].encode()
dumped = kept = 0
flags_of_kept = set()
maps, cur = [], None
for line in open("/proc/%s/smaps" % pid):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
    if m:
        cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(3), set()]
        maps.append(cur)
    elif line.startswith("VmFlags:"):
        cur[3] = set(line.split()[1:])
with open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for lo, hi, perms, flags in maps:
        if "r" not in perms or hi - lo > (1 << 30):
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, ValueError, OverflowError):
            continue
        n = data.count(secret)
        if n and "dd" in flags:
            kept += n
            flags_of_kept |= flags
        elif n:
            dumped += n
print("dumped=%d kept=%s locked=%s" % (dumped, kept > 0, "lo" in flags_of_kept))
PY

# scan NAME CMD...: runs the client against a fake that never answers LOGIN,
# scans its memory once the LOGIN arrived, prints what scan.py found.
scan() {
	_n=$1; shift
	start_fake "$_n" "$PKI/ccm1.pem" "$PKI/ccm1.key" --mode stall --on LOGIN
	"$@" --server "127.0.0.1:$FPORT" --user admin --fingerprint "$FP1" --timeout 20 \
		>"$T_TMP/$_n.out" 2>&1 &
	_cp=$!
	T_PIDS="$T_PIDS $_cp"
	if wait_for 10 grep -q "^LOGIN" "$T_TMP/$_n.capture"; then
		python3 "$T_TMP/scan.py" "$_cp" "$PW" 2>&1
	else
		echo "no LOGIN"
	fi
	kill "$_cp" 2>/dev/null; wait "$_cp" 2>/dev/null
	stop_fake
}

# type_pw.py PID_FILE CMD...: runs CMD on a pty, types the password at its
# prompt and writes the child's pid to PID_FILE; ends with the child.
cat > "$T_TMP/type_pw.py" <<'PY'
import os, pty, select, sys, time
answer = os.environ.pop("TTY_ANSWER").encode()  # not in the client's environment
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % pid)
buf, end, typed = b"", time.time() + 30, False
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
    if not typed and b"Password for" in buf:
        os.write(fd, answer + b"\n")
        typed = True
os.waitpid(pid, 0)
PY
out=$(scan file "$C" check --password-file "$T_TMP/pw")
expect_eq "--password-file: every copy is out of core dumps and locked" "$out" "dumped=0 kept=True locked=True"
out=$(scan env env CTL_ADMIN_PASSWORD="$PW" "$C" check)
expect_eq "CTL_ADMIN_PASSWORD: the same (the variable was wiped)" "$out" "dumped=0 kept=True locked=True"

# From the terminal prompt: the client runs on a pty, typed to at its prompt.
start_fake tty "$PKI/ccm1.pem" "$PKI/ccm1.key" --mode stall --on LOGIN
TTY_ANSWER=$PW python3 "$T_TMP/type_pw.py" "$T_TMP/tty.pid" "$C" check --server "127.0.0.1:$FPORT" \
	--user admin --fingerprint "$FP1" --timeout 20 >"$T_TMP/type_pw.log" 2>&1 &
T_PIDS="$T_PIDS $!"
if wait_for 10 grep -q "^LOGIN" "$T_TMP/tty.capture"; then
	out=$(python3 "$T_TMP/scan.py" "$(cat "$T_TMP/tty.pid")" "$PW" 2>&1)
else
	out="no LOGIN"; sed "s/^/# /" "$T_TMP/type_pw.log"
fi
kill "$(cat "$T_TMP/tty.pid")" 2>/dev/null
stop_fake
expect_eq "terminal prompt: the same" "$out" "dumped=0 kept=True locked=True"
finish
