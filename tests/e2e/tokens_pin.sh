#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PIN handling against a real PKCS#11 stack: wrong PINs are reported with the
# token's state and never retried; the lockout shim (tests/tools/p11shim) makes
# SoftHSM2 lock after 3 wrong PINs, and a locked token is refused with no
# C_Login at all (asserted on the shim's call count); SoftHSM2's own
# COUNT_LOW flag is read fresh; the terminal prompt runs on a real pty with
# echo off.
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/tokens_env.inc"
need_tokens

use_tokens sast1 sast2
use_shim 3
O=$T_TMP/out
mkdir -p "$O"
T1=SAST-ADN61a0c001
T2=SAST-ADN61a0c002
printf '000000' > "$T_TMP/wrong.pin"; chmod 600 "$T_TMP/wrong.pin"
sign() { # sign TOKEN PINFILE [MODULE]
	"$C" build --module "${3:-$SHIM}" --out "$O/ctl.tlv" --sast-token "$T1" --sast-token "$T2" \
		--sign-token "$1" --pin-file "$2"
}
state() { # its output is kept for the secret scan at the end
	"$C" tokens --module "${2:-$SHIM}" --token "$1" 2>>"$T_TMP/state.err" | tee -a "$T_TMP/state.out" |
		sed -n 's/^  PIN: *//p'
}

expect_exit "wrong PIN 1: exit 7" 7 sign "$T1" "$T_TMP/wrong.pin"
expect_grep "wrong PIN 1: few tries left" "wrong PIN; the token reports few tries left (CKR_PIN_INCORRECT)" "$T_TMP/last.err"
expect_grep "wrong PIN 1: not retried, says why" "not retried: every wrong PIN counts toward the token's lockout" "$T_TMP/last.err"
expect_eq "wrong PIN 1: exactly one C_Login (no automatic retry)" "$(logins)" 1
expect_eq "wrong PIN 1: tokens shows count low" "$(state "$T1")" "count low"
if [ -f "$O/ctl.tlv" ]; then not_ok "wrong PIN: no file written"; else ok "wrong PIN: no file written"; fi

expect_exit "wrong PIN 2: exit 7" 7 sign "$T1" "$T_TMP/wrong.pin"
expect_grep "wrong PIN 2: warned before login" "a wrong PIN was entered since the last good login" "$T_TMP/last.err"
expect_grep "wrong PIN 2: last try" "wrong PIN; last try before the token locks" "$T_TMP/last.err"
expect_eq "wrong PIN 2: two C_Login in all" "$(logins)" 2
expect_eq "wrong PIN 2: tokens shows final try" "$(state "$T1")" "final try"

expect_exit "wrong PIN 3: exit 7" 7 sign "$T1" "$T_TMP/wrong.pin"
expect_grep "wrong PIN 3: final-try warning" "final try: one more wrong PIN locks this token" "$T_TMP/last.err"
expect_grep "wrong PIN 3: now locked" "wrong PIN; the token is now locked" "$T_TMP/last.err"
expect_eq "wrong PIN 3: three C_Login in all" "$(logins)" 3
expect_eq "locked: tokens shows locked" "$(state "$T1")" "locked"

expect_exit "locked token, right PIN: exit 7" 7 sign "$T1" "$(pinfile sast1)"
expect_grep "locked token: 'token is locked' and what to do" "token is locked (user PIN locked); no login attempted" "$T_TMP/last.err"
expect_grep "locked token: points to the SO unblock and the backup token" "sign with the other SAST token meanwhile" "$T_TMP/last.err"
expect_eq "locked token: no C_Login attempted" "$(logins)" 3
expect_exit "locked token, no PIN source at all: still exit 7 before any prompt" 7 \
	setsid -w "$C" build --module "$SHIM" --out "$O/ctl.tlv" --sast-token "$T1" --sast-token "$T2" --sign-token "$T1" </dev/null
expect_grep "locked token: refused before asking for a PIN" "token is locked" "$T_TMP/last.err"
expect_eq "locked token: still no C_Login" "$(logins)" 3

expect_exit "backup token signs while token 1 is locked (token 1 enrolled without login)" 0 \
	sign "$T2" "$(pinfile sast2)"
expect_exit "...and its CTL verifies" 0 "$C" verify "$O/ctl.tlv"

rm -f "$P11SHIM_STATE"/fail-*
expect_exit "after the SO unblock (counter reset): right PIN signs" 0 sign "$T1" "$(pinfile sast1)"
expect_eq "after unblock: tokens shows ok" "$(state "$T1")" "ok"

# CKR_PIN_LOCKED from the module itself (shim counter at max, flags hidden by a stale read).
use_shim 1
printf '1\n' > "$P11SHIM_STATE/fail-$(serial sast2)"
expect_exit "module returns CKR_PIN_LOCKED: exit 7" 7 sign "$T2" "$(pinfile sast2)"
expect_grep "module returns CKR_PIN_LOCKED: token is locked" "token is locked" "$T_TMP/last.err"

# SoftHSM2 alone: its own COUNT_LOW flag, read fresh after the failed login.
use_tokens sast1 sast2
expect_exit "SoftHSM2 wrong PIN: exit 7" 7 sign "$T2" "$T_TMP/wrong.pin" "$MOD"
expect_grep "SoftHSM2 wrong PIN: COUNT_LOW reported" "wrong PIN; the token reports few tries left" "$T_TMP/last.err"
expect_eq "SoftHSM2: tokens shows count low" "$(state "$T2" "$MOD")" "count low"
expect_exit "SoftHSM2: right PIN signs" 0 sign "$T2" "$(pinfile sast2)" "$MOD"
expect_eq "SoftHSM2: good login clears count low" "$(state "$T2" "$MOD")" "ok"

# The terminal prompt, on a real pty: echo is off before the prompt appears.
if ! command -v python3 >/dev/null; then
	echo "Bail out! python3 missing (needed to drive a pty)"; exit 1
fi
cat > "$T_TMP/drive_pty.py" <<'PY'
import os, pty, select, sys, termios, time
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
buf, echo, end = b"", None, time.time() + 30
def pump(until):
    global buf
    while until is None or until not in buf:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            return until is None
        if not data:
            return until is None
        buf += data
    return True
if pump(b"PIN for "):
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    os.write(fd, answer)
pump(None)
_, st = os.waitpid(pid, 0)
open(os.environ["PTY_LOG"], "wb").write(buf)
print("echo=%s exit=%d" % (echo, os.waitstatus_to_exitcode(st)))
PY
PTY_LOG=$T_TMP/pty.log
export PTY_LOG
# python3 drive_pty.py ANSWER CMD...: runs CMD on a pty, types ANSWER after
# "PIN for ", prints "echo=<terminal echo at that moment> exit=<status>".
pin1=$(cat "$(pinfile sast1)")
out=$(python3 "$T_TMP/drive_pty.py" "$pin1
" "$C" build --module "$MOD" --out "$O/tty.tlv" --sast-token "$T1" --sast-token "$T2" --sign-token "$T1")
expect_eq "terminal prompt: echo off while typing, signed" "$out" "echo=False exit=0"
expect_grep "terminal prompt: names the token" "PIN for token '$T1' (serial $(serial sast1)): " "$PTY_LOG"
if [ -s "$PTY_LOG" ]; then expect_nogrep "terminal prompt: PIN not echoed" "$pin1" "$PTY_LOG"
else not_ok "terminal prompt: no transcript"; fi
cp "$PTY_LOG" "$T_TMP/pty-signed.log"
expect_exit "terminal prompt: CTL verifies" 0 "$C" verify "$O/tty.tlv"
out=$(python3 "$T_TMP/drive_pty.py" "$(printf '\003')" "$C" build --module "$MOD" --out "$O/tty2.tlv" \
	--sast-token "$T1" --sast-token "$T2" --sign-token "$T1")
expect_eq "terminal prompt: Ctrl-C ends PIN entry, exit 7" "$out" "echo=False exit=7"
expect_grep "terminal prompt: interrupted" "PIN entry interrupted" "$PTY_LOG"

check "the scan below sees every command's output" test -s "$T_TMP/all-output"
expect_no_secret "no output of any command holds the PIN of token 1" "$pin1"
expect_no_secret "... nor that of token 2" "$(cat "$(pinfile sast2)")"
finish
