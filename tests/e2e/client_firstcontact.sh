#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# First contact with a CTL Provider: without a terminal, a server whose
# certificate is not known is refused before the password is sent (exit
# 10) unless --accept-new or --fingerprint says to trust it; on a terminal
# the fingerprint and subject are shown and the question answered. The
# known_hosts record also covers the address the name resolved to, and a
# certificate already known under another name is not new: `--server
# localhost:P` for a pinned 127.0.0.1:P with another certificate is refused
# as changed. The fake provider (tests/tools/provider/fake_provider.py) logs
# every LOGIN it receives.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
. "$(dirname "$0")/cluster_env.inc"

need_cluster
AUTH="--user admin --password-file $T_TMP/pw"
FP1=$(fp "$PKI/ccm1.pem")
FP2=$(fp "$PKI/ccm2.pem")

start_fake a "$PKI/ccm1.pem" "$PKI/ccm1.key"
P=$FPORT
expect_exit "unknown server, no terminal: refused (exit 10)" 10 \
	setsid -w "$C" check --server "127.0.0.1:$P" $AUTH </dev/null
expect_grep "... names the server and its fingerprint" "127.0.0.1:$P: FAILED: unknown server: certificate SHA256 $FP1" "$T_TMP/last.out"
expect_grep "... says how to trust it" "--accept-new" "$T_TMP/last.out"
expect_eq "... no password was sent" "$(logins_at a)" 0
check "... nothing recorded" test ! -s "$KNOWN"
expect_exit "a wrong --fingerprint for an unknown server: refused" 1 \
	setsid -w "$C" check --server "127.0.0.1:$P" $AUTH --fingerprint "SHA256:$FP2" </dev/null
expect_eq "... no password was sent" "$(logins_at a)" 0

expect_exit "--accept-new: logs in (no CTL on the fake: check exits 1)" 1 \
	setsid -w "$C" check --server "127.0.0.1:$P" $AUTH --accept-new </dev/null
expect_grep "... the check ran" "no-ctl: no CTL installed" "$T_TMP/last.out"
expect_eq "... one password sent" "$(logins_at a)" 1
expect_grep "... the fingerprint is shown" "new server 127.0.0.1:$P: certificate SHA256 fingerprint $FP1" "$T_TMP/last.err"
expect_grep "... and recorded" "127.0.0.1:$P $FP1" "$KNOWN"

expect_exit "known now: no question, no --accept-new needed" 1 \
	setsid -w "$C" check --server "127.0.0.1:$P" $AUTH </dev/null
expect_eq "... logged in" "$(logins_at a)" 2
expect_exit "--server localhost:P, same certificate: known through its address" 1 \
	setsid -w "$C" check --server "localhost:$P" $AUTH </dev/null
expect_eq "... logged in" "$(logins_at a)" 3
expect_grep "... the name is recorded too" "localhost:$P $FP1" "$KNOWN"

# Another machine answers on that address with another certificate.
stop_fake
start_fake a "$PKI/ccm2.pem" "$PKI/ccm2.key" --port "$P"
expect_exit "changed certificate at 127.0.0.1:P: refused" 1 \
	setsid -w "$C" check --server "127.0.0.1:$P" $AUTH </dev/null
expect_grep "... as changed" "SERVER CERTIFICATE CHANGED: 127.0.0.1:$P presents SHA256 $FP2" "$T_TMP/last.out"
sed -i "/^localhost:/d" "$KNOWN"
expect_exit "--server localhost:P (pinned only as 127.0.0.1:P): refused as changed" 1 \
	setsid -w "$C" check --server "localhost:$P" $AUTH --accept-new </dev/null
expect_grep "... naming the address record" "known_hosts records $FP1 for 127.0.0.1:$P" "$T_TMP/last.out"
expect_eq "... no password was sent to the new certificate" "$(logins_at a)" 3
expect_grep "... known_hosts keeps the old certificate" "127.0.0.1:$P $FP1" "$KNOWN"
check "... and does not record the new one" test "$(grep -c "$FP2" "$KNOWN")" -eq 0
stop_fake

# The same certificate under a new name and port: known, not first contact.
start_fake b "$PKI/ccm1.pem" "$PKI/ccm1.key"
Q=$FPORT
expect_exit "a known certificate under another name: logs in without asking" 1 \
	setsid -w "$C" check --server "127.0.0.1:$Q" $AUTH </dev/null
expect_eq "... logged in" "$(logins_at b)" 1
expect_grep "... says where it is known from" "certificate known as 127.0.0.1:$P" "$T_TMP/last.err"
stop_fake

# --fingerprint pins an unknown server up front.
start_fake c "$PKI/ccm2.pem" "$PKI/ccm2.key"
R=$FPORT
expect_exit "--fingerprint for an unknown server: logs in" 1 \
	setsid -w "$C" check --server "127.0.0.1:$R" $AUTH --fingerprint "SHA256:$FP2" </dev/null
expect_eq "... logged in" "$(logins_at c)" 1
stop_fake

# On a terminal: the question, answered on a pty (a certificate not seen yet).
FP3=$(fp "$PKI/tvs1.pem")
start_fake d "$PKI/tvs1.pem" "$PKI/tvs1.key"
S=$FPORT
cat > "$T_TMP/answer_pty.py" <<'PY'
import os, pty, select, sys, time
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
buf, end, asked = b"", time.time() + 30, False
while True:
    r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
    if not r:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    if not asked and b"[yes/no]" in buf:
        os.write(fd, answer)
        asked = True
_, st = os.waitpid(pid, 0)
open(os.environ["PTY_LOG"], "wb").write(buf)
print("asked=%s exit=%d" % (asked, os.waitstatus_to_exitcode(st)))
PY
PTY_LOG=$T_TMP/pty-no.log
export PTY_LOG
out=$(python3 "$T_TMP/answer_pty.py" "no
" "$C" check --server "127.0.0.1:$S" $AUTH)
expect_eq "terminal, answer no: asked, exit 10" "$out" "asked=True exit=10"
expect_grep "... the question shows the fingerprint" "SHA256 fingerprint: $FP3" "$PTY_LOG"
expect_grep "... and the subject" "subject: $(openssl x509 -noout -subject -nameopt RFC2253 -in "$PKI/tvs1.pem" | sed 's/^subject=//')" "$PTY_LOG"
expect_eq "... no password was sent" "$(logins_at d)" 0
PTY_LOG=$T_TMP/pty-yes.log
out=$(python3 "$T_TMP/answer_pty.py" "yes
" "$C" check --server "127.0.0.1:$S" $AUTH)
expect_eq "terminal, answer yes: asked, logged in (check exits 1: no CTL)" "$out" "asked=True exit=1"
expect_eq "... one password sent" "$(logins_at d)" 1
expect_grep "... recorded" "127.0.0.1:$S $FP3" "$KNOWN"
stop_fake
expect_no_secret "the password appears in no output" "Adm1n-secret"
finish
