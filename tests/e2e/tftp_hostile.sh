#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctl-tftpd against hostile input: a corpus of malformed and malicious
# requests sent with tests/tools/tftp/tftp-raw, each with the answer it must
# get (ERROR code, OACK values, or silence); symlinks, hard links, devices,
# FIFOs, directories and unreadable files in the root; random datagrams.
# Nothing outside the root may ever be served and the server must still
# answer at the end.
. "$(dirname "$0")/../lib/e2e.sh"

RAW=$BIN/tftp-raw
R=$T_TMP/root
mkdir -p "$R/subdir" "$T_TMP/outside"
head -c 5000 /dev/urandom > "$R/CTLFile.tlv"
head -c 5120 /dev/urandom > "$R/ITLFile.tlv"
echo "TOPSECRET outside the root" > "$T_TMP/outside/secret.txt"
echo "private" > "$R/private.txt"; chmod 600 "$R/private.txt"
echo hidden > "$R/.hidden"
ln -s "$T_TMP/outside/secret.txt" "$R/evil"
ln -s "$T_TMP/outside" "$R/evildir"
ln -s ../outside/secret.txt "$R/evilrel"
ln -s /dev/zero "$R/zero"
ln -s CTLFile.tlv "$R/inside-link.tlv"
echo "linked" > "$T_TMP/outside/hardsrc"; chmod 644 "$T_TMP/outside/hardsrc"
ln "$T_TMP/outside/hardsrc" "$R/hardlink" 2>/dev/null || cp "$T_TMP/outside/hardsrc" "$R/hardlink"
mkfifo "$R/fifo"
[ "$(id -u)" = 0 ] && mknod "$R/nulldev" c 1 3 2>/dev/null
chmod 755 "$R" "$R/subdir"; chmod 644 "$R/CTLFile.tlv" "$R/ITLFile.tlv"

LOG=$T_TMP/server.log
start_ctl_tftpd "$LOG" --root "$R" --timeout 300 --retries 2
PORT=$TPORT
SRV=$TFTPD_PID
ADDR=127.0.0.1:$PORT

# hostile DESC EXPECT PACKET [tftp-raw options]: the first answer must start with EXPECT.
hostile() {
	desc=$1; want=$2; pkt=$3; shift 3
	got=$("$RAW" --timeout 400 "$@" "$ADDR" "$pkt" | head -1)
	case "$got" in
	"$want"*) ok "$desc: $want" ;;
	*) not_ok "$desc: got '$got', wanted '$want'" ;;
	esac
}

LONG300=$(printf '%0300d' 0)
LONG600=$(printf '%0600d' 0)

# --- path traversal in many spellings (ERROR 2 access violation) -------------
hostile "dotdot" "ERROR 2" '\0\1../../etc/passwd\0octet\0'
hostile "bare dotdot" "ERROR 2" '\0\1..\0octet\0'
hostile "dotdot inside" "ERROR 2" '\0\1subdir/../../etc/passwd\0octet\0'
hostile "leading slash dotdot" "ERROR 2" '\0\1/../etc/passwd\0octet\0'
hostile "trailing dotdot" "ERROR 2" '\0\1CTLFile.tlv/..\0octet\0'
hostile "hex-escaped dots" "ERROR 2" '\0\1\x2e\x2e/\x2e\x2e/etc/shadow\0octet\0'
hostile "backslashes" "ERROR 2" '\0\1..\\..\\etc\\passwd\0octet\0'
hostile "double slash absolute" "ERROR 2" '\0\1//etc/passwd\0octet\0'
hostile "empty component" "ERROR 2" '\0\1....//....//etc/passwd\0octet\0'
hostile "dot component" "ERROR 2" '\0\1./CTLFile.tlv\0octet\0'
hostile "hidden file" "ERROR 2" '\0\1.hidden\0octet\0'
hostile "overlong UTF-8 dot" "ERROR 2" '\0\1\xc0\xae\xc0\xae/etc/passwd\0octet\0'
hostile "control character" "ERROR 2" '\0\1CTL\nFile.tlv\0octet\0'
hostile "name of 300 bytes" "ERROR 2" "\\0\\1$LONG300\\0octet\\0"
# Names that stay inside the root: looked up there, not found.
hostile "absolute path stays in root" "ERROR 1" '\0\1/etc/passwd\0octet\0'
hostile "percent-encoded dots are literal" "ERROR 1" '\0\1%2e%2e/%2e%2e/etc/passwd\0octet\0'
hostile "device path stays in root" "ERROR 1" '\0\1/dev/zero\0octet\0'

# --- what the root contains ------------------------------------------------------
hostile "symlink to a file outside" "ERROR 2" '\0\1evil\0octet\0'
hostile "relative symlink outside" "ERROR 2" '\0\1evilrel\0octet\0'
hostile "symlinked directory outside" "ERROR 2" '\0\1evildir/secret.txt\0octet\0'
hostile "symlink to /dev/zero" "ERROR 2" '\0\1zero\0octet\0'
hostile "hard link to a file outside" "ERROR 2" '\0\1hardlink\0octet\0'
hostile "FIFO" "ERROR 2" '\0\1fifo\0octet\0'
hostile "directory" "ERROR 2" '\0\1subdir\0octet\0'
hostile "not world-readable" "ERROR 2" '\0\1private.txt\0octet\0'
if [ -e "$R/nulldev" ]; then hostile "device node" "ERROR 2" '\0\1nulldev\0octet\0'; fi
hostile "symlink inside the root is served" "DATA 1 512" '\0\1inside-link.tlv\0octet\0'

# --- malformed packets (ERROR 4), silence where nothing may answer ---------
hostile "write request refused" "ERROR 2" '\0\2CTLFile.tlv\0octet\0'
hostile "unknown opcode 9" "ERROR 4" '\0\x09abc\0'
hostile "opcode 0xffff" "ERROR 4" '\xff\xff'
hostile "opcode only" "ERROR 4" '\0\1'
hostile "one byte" "ERROR 4" '\x01'
hostile "empty datagram" "NONE" ''
hostile "filename without NUL" "ERROR 4" '\0\1CTLFile.tlv'
hostile "mode missing" "ERROR 4" '\0\1CTLFile.tlv\0'
hostile "mode without NUL" "ERROR 4" '\0\1CTLFile.tlv\0octet'
hostile "unknown mode" "ERROR 4" '\0\1CTLFile.tlv\0binary\0'
hostile "mail mode" "ERROR 4" '\0\1CTLFile.tlv\0mail\0'
hostile "empty filename" "ERROR 4" '\0\1\0octet\0'
hostile "option without value" "ERROR 4" '\0\1CTLFile.tlv\0octet\0blksize\0'
hostile "option name without NUL" "ERROR 4" '\0\1CTLFile.tlv\0octet\0blksize'
hostile "request over 512 bytes" "ERROR 4" "\\0\\1$LONG600\\0octet\\0"
hostile "DATA to the request port" "ERROR 5" '\0\3\0\1abc'
hostile "ACK to the request port" "ERROR 5" '\0\4\0\1'
hostile "OACK to the request port" "ERROR 5" '\0\6blksize\0512\0'
hostile "ERROR is never answered" "NONE" '\0\5\0\1oops\0'

# --- option values (RFC 2347-2349, 7440) ---------------------------------------
hostile "blksize not a number" "ERROR 8" '\0\1CTLFile.tlv\0octet\0blksize\0abc\0'
hostile "blksize negative" "ERROR 8" '\0\1CTLFile.tlv\0octet\0blksize\0-1\0'
hostile "blksize empty" "ERROR 8" '\0\1CTLFile.tlv\0octet\0blksize\0\0'
hostile "huge blksize capped by the MTU" "OACK blksize=1468 " '\0\1CTLFile.tlv\0octet\0blksize\0100000\0'
hostile "gigantic blksize capped" "OACK blksize=1468 " '\0\1CTLFile.tlv\0octet\0blksize\099999999999999999999999999999\0'
hostile "zero blksize ignored" "DATA 1 512" '\0\1CTLFile.tlv\0octet\0blksize\00\0'
hostile "blksize 7 ignored" "DATA 1 512" '\0\1CTLFile.tlv\0octet\0blksize\07\0'
hostile "blksize 8 accepted" "OACK blksize=8 " '\0\1CTLFile.tlv\0octet\0blksize\08\0'
hostile "duplicated option: first wins" "OACK blksize=1024 " '\0\1CTLFile.tlv\0octet\0blksize\01024\0blksize\0512\0'
hostile "option names case-insensitive" "OACK blksize=1024 " '\0\1CTLFile.tlv\0OCTET\0BlkSize\01024\0'
hostile "unknown option ignored" "DATA 1 512" '\0\1CTLFile.tlv\0octet\0foo\0bar\0'
hostile "tsize answered with the size" "OACK tsize=5000 " '\0\1CTLFile.tlv\0octet\0foo\0bar\0tsize\00\0'
hostile "timeout 0 ignored" "DATA 1 512" '\0\1CTLFile.tlv\0octet\0timeout\00\0'
hostile "timeout 256 ignored" "DATA 1 512" '\0\1CTLFile.tlv\0octet\0timeout\0256\0'
hostile "timeout 5 echoed" "OACK timeout=5 " '\0\1CTLFile.tlv\0octet\0timeout\05\0'
hostile "windowsize 0 ignored" "DATA 1 512" '\0\1CTLFile.tlv\0octet\0windowsize\00\0'
hostile "windowsize capped at 64" "OACK windowsize=64 " '\0\1CTLFile.tlv\0octet\0windowsize\01000\0'
hostile "tsize left out in netascii" "DATA 1 512" '\0\1CTLFile.tlv\0netascii\0tsize\00\0'
hostile "file not found" "ERROR 1" '\0\1nosuchfile\0octet\0'

# --- transfer identifiers ----------------------------------------------------------
"$RAW" --timeout 400 --wrong-tid "$ADDR" '\0\1CTLFile.tlv\0octet\0' > "$T_TMP/tid.out"
expect_grep "ACK from a wrong port gets ERROR 5" "WRONG-TID ERROR 5" "$T_TMP/tid.out"
"$RAW" --timeout 400 --repeat 3 "$ADDR" '\0\1ITLFile.tlv\0octet\0' > "$T_TMP/dup.out"
ports=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$T_TMP/dup.out" | sort -u | wc -l)
if [ "$ports" -eq 1 ] && grep -q '^DATA 1 512' "$T_TMP/dup.out"; then
	ok "three identical RRQs from one port: one transfer (one server port)"
else
	not_ok "duplicate RRQs started $ports transfers"; sed 's/^/#   /' "$T_TMP/dup.out"
fi

# --- random datagrams: never data, never a crash ------------------------------
bad=0
i=0
while [ $i -lt 60 ]; do
	len=$(( (i * 37) % 700 + 1 ))
	out=$("$RAW" --timeout 100 --random $len "$ADDR" x | head -1)
	case "$out" in DATA*|OACK*) bad=$((bad + 1)); echo "# random $len bytes got: $out" ;; esac
	i=$((i + 1))
done
[ $bad -eq 0 ] && ok "60 random datagrams: no data served" || not_ok "$bad random datagrams got data"

# --- a stock client trying traversal -----------------------------------------------
rm -f "$T_TMP/passwd"
atftp -g -r ../../etc/passwd -l "$T_TMP/passwd" 127.0.0.1 $PORT >/dev/null 2>&1
if [ ! -s "$T_TMP/passwd" ]; then ok "atftp ../../etc/passwd gets nothing"; else not_ok "atftp got passwd"; fi

# --- still serving, refusals logged with the client address --------------------
check "server still answers (tftp-hpa get)" tftp 127.0.0.1 $PORT -m binary -c get CTLFile.tlv "$T_TMP/after"
check "and the bytes are right" cmp "$T_TMP/after" "$R/CTLFile.tlv"
check "server process alive" kill -0 $SRV
expect_grep "traversal refusal logged with client" "Access denied[../../etc/passwd] for 127.0.0.1:" "$LOG"
expect_grep "symlink escape logged" "Access denied[evil] for 127.0.0.1:" "$LOG"
expect_grep "malformed request logged" "Malformed request from 127.0.0.1:" "$LOG"
expect_grep "control character escaped in the log" 'Access denied[CTL\x0aFile.tlv]' "$LOG"
if grep -q TOPSECRET "$T_TMP/tid.out" "$T_TMP/dup.out" "$T_TMP/after" "$T_TMP/passwd" 2>/dev/null; then
	not_ok "secret content leaked"; else ok "secret content never received"; fi
finish
