# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the end-to-end tests (sourced, POSIX sh + bash).
# Each tests/e2e/<name>.sh prints TAP-style lines ("ok N - what" /
# "not ok N - what"), ends with "# <name>: P passed, F failed" and exits
# non-zero when anything failed. Servers listen on loopback high ports only
# and are stopped by the trap below; every wait is bounded.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
PKI=${CTL_FIXTURES:-$BUILD/pki}
SAMPLE=${CTL_SAMPLE:-$TOP/tests/data/csptechnologies_ciscoprovsionerweb_ITLFile.tlv}
T_NAME=$(basename "$0" .sh)
T_N=0
T_FAIL=0
T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctl-e2e.$T_NAME.XXXXXX")

t_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT INT TERM

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }

# Every command's output is also appended to $T_TMP/all-output, so a test
# can assert something about all of it (e.g. no secret printed anywhere).
t_keep_output() { cat "$T_TMP/last.out" "$T_TMP/last.err" >>"$T_TMP/all-output" 2>/dev/null; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	desc=$1; shift
	if "$@" >"$T_TMP/last.out" 2>"$T_TMP/last.err"; then ok "$desc"; else
		not_ok "$desc"; sed 's/^/#   /' "$T_TMP/last.out" "$T_TMP/last.err" | head -20; fi
	t_keep_output
}

# expect_exit DESC CODE CMD...: passes when CMD exits with CODE; output in
# $T_TMP/last.out and $T_TMP/last.err for further assertions.
expect_exit() {
	desc=$1; want=$2; shift 2
	"$@" >"$T_TMP/last.out" 2>"$T_TMP/last.err"
	got=$?
	t_keep_output
	if [ "$got" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $got, wanted $want)"
		sed 's/^/#   /' "$T_TMP/last.out" "$T_TMP/last.err" | head -20; fi
}

# expect_grep DESC PATTERN FILE: passes when FILE has a line matching PATTERN (fixed string).
expect_grep() {
	if grep -qF -- "$2" "$3"; then ok "$1"; else
		not_ok "$1 (no '$2' in $(basename "$3"))"; sed 's/^/#   /' "$3" | head -20; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', wanted '$3')"; fi
}

# A port in the high range free for both TCP and UDP on 127.0.0.1 and ::1
# right now (the kernel picks it; the UDP and TCP checks avoid a port another
# test's server holds in the other protocol). It is released before use, so
# another process may take it: use it only for a port nobody should answer
# on. Start servers on port 0 and read the port back (start_ctl_tftpd).
free_port() {
	python3 - <<'PY' 2>/dev/null || echo $((20000 + ($$ * 7 + T_N * 13) % 40000))
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]; t.close()
    try:
        for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(fam, kind); s.bind((addr, port)); s.close()
    except OSError:
        continue
    print(port); break
PY
}

# start_ctl_tftpd LOG [ARGS...]: ctl-tftpd on 127.0.0.1 port 0 (the kernel
# picks a free port, so no other process can take it between choosing and
# binding) with ARGS (not -q: the port is read from the "Listening on"
# info line). Waits at most 10 s for that line, or for the daemon to exit;
# sets TFTPD_PID and TPORT and adds the daemon to the cleanup list.
start_ctl_tftpd() {
	_log=$1; shift
	"$BIN/ctl-tftpd" --listen 127.0.0.1:0 "$@" >"$_log" 2>&1 &
	TFTPD_PID=$!
	T_PIDS="$T_PIDS $TFTPD_PID"
	TPORT=""
	_i=0
	while [ "$_i" -lt 200 ] && kill -0 "$TFTPD_PID" 2>/dev/null; do
		TPORT=$(sed -n 's/.*Listening on 127\.0\.0\.1:\([0-9][0-9]*\),.*/\1/p' "$_log" 2>/dev/null | head -1)
		[ -n "$TPORT" ] && return 0
		sleep 0.05; _i=$((_i + 1))
	done
	echo "Bail out! ctl-tftpd did not start"; sed 's/^/# /' "$_log" | tail -5; exit 1
}

# wait_for SECONDS CMD...: polls CMD every 0.05 s until it succeeds.
wait_for() {
	limit=$1; shift
	i=0
	while [ "$i" -lt $((limit * 20)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# Makes the test PKI once per build tree (.done-sbd: a tree made before the
# Security By Default certificates gets them added).
need_pki() {
	[ -f "$PKI/.done" ] && [ -f "$PKI/.done-sbd" ] || "$TOP/fixtures/make-pki" "$PKI" >/dev/null || {
		echo "Bail out! fixtures/make-pki failed"; exit 1; }
}

finish() {
	echo "# $T_NAME: $((T_N - T_FAIL)) passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# flip_bit FILE OFFSET: xor the lowest bit of one byte, in place.
flip_bit() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((_b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
