#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile TFTP server for client tests (loopback only).

usage: hostile-tftpd.py PORTFILE LOG MODE FILE [LIFETIME]

Binds 127.0.0.1 on a port the kernel picks and writes that port to
PORTFILE. Requests for CTLSEP*.tlv get FILE's bytes, sent the way MODE
says; every other name gets ERROR 1 (File not found). LOG receives one
line per notable event (flushed at once), e.g. "client ERROR 8 Unacceptable
OACK" when the client gives up with an ERROR, so a test can assert what
the client said. Every wait is bounded, and the server exits after
LIFETIME seconds (default 60) so it never outlives its test.

MODE:
  ok             an honest transfer (OACK granting blksize and tsize as asked)
  wrong-tid      honest, but before each block from 2 on an impostor socket
                 (another port) sends a DATA of that number holding garbage
  spoofed-error  honest, but after block 1 an impostor socket sends ERROR 0
  wrong-block    honest, but before each block the same socket sends DATA
                 holding garbage numbered 0 and then 3 blocks ahead
  never-block-1  after the OACK, always DATA block 2, never block 1
  block-zero     after the OACK, always DATA block 0
  oack-window    an OACK granting windowsize 8, which was not asked
  oack-blksize   an OACK granting a blksize larger than asked
  oack-unknown   an OACK holding an option nobody asked for ("evil")
  oack-tsize-big an OACK announcing a tsize of 1 GiB
  tsize-lie      an OACK announcing FILE's size, then more full blocks than
                 that size (up to 64 MiB, until the client stops)
  huge           no OACK (options ignored): 512-byte blocks, up to 64 MiB,
                 until the client stops
  error-mid      blocks 1 and 2, then ERROR 0 with control characters
  oversize-data  block 1 longer than the negotiated blksize
"""
import os
import select
import socket
import struct
import sys
import time

RRQ, DATA, ACK, ERROR, OACK = 1, 3, 4, 5, 6
MAX_BYTES = 64 << 20
log = None
deadline = 0.0


def note(fmt, *args):
    log.write((fmt % args) + "\n")
    log.flush()


def remaining():
    return max(0.0, deadline - time.monotonic())


def recv(sock, timeout):
    """One datagram within timeout (bounded by the lifetime), or (None, None)."""
    t = min(timeout, remaining())
    if t <= 0 or not select.select([sock], [], [], t)[0]:
        return None, None
    return sock.recvfrom(65536)


def parse_rrq(pkt):
    parts = pkt[2:].split(b"\0")
    name = parts[0].decode("ascii", "replace")
    opts = {}
    for i in range(2, len(parts) - 1, 2):
        opts[parts[i].decode("ascii", "replace").lower()] = parts[i + 1].decode("ascii", "replace")
    return name, opts


def oack(pairs):
    body = b"".join(k.encode() + b"\0" + str(v).encode() + b"\0" for k, v in pairs)
    return struct.pack("!H", OACK) + body


def data(block, payload):
    return struct.pack("!HH", DATA, block & 0xFFFF) + payload


def client_said(pkt):
    """Logs an ERROR from the client; returns True when pkt is one."""
    if pkt is None or len(pkt) < 4 or struct.unpack("!H", pkt[:2])[0] != ERROR:
        return False
    code = struct.unpack("!H", pkt[2:4])[0]
    note("client ERROR %d %s", code, pkt[4:].split(b"\0")[0].decode("ascii", "replace"))
    return True


def exchange(sock, client, pkt, want_ack, tries=8, timeout=0.5):
    """Sends pkt until the client ACKs want_ack. 'ack', 'error' or 'gone'."""
    for _ in range(tries):
        sock.sendto(pkt, client)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got, peer = recv(sock, end - time.monotonic())
            if got is None:
                break
            if peer != client:
                continue
            if client_said(got):
                return "error"
            if len(got) >= 4 and struct.unpack("!HH", got[:4]) == (ACK, want_ack & 0xFFFF):
                return "ack"
    return "gone"


def negotiate(sock, client, opts, size, pairs=None):
    """Sends the OACK (honest unless pairs is given); returns blksize or None."""
    if pairs is None:
        pairs = []
        if "blksize" in opts:
            pairs.append(("blksize", min(int(opts["blksize"]), 1468)))
        if "tsize" in opts:
            pairs.append(("tsize", size))
    if not pairs:
        return 512
    bs = dict(pairs).get("blksize", 512)
    r = exchange(sock, client, oack(pairs), 0)
    return int(bs) if r == "ack" else None


def send_blocks(sock, client, content, bs, before=None, after=None):
    """Lock-step transfer of content; before/after(block) hooks may add packets."""
    block = 1
    while True:
        chunk = content[(block - 1) * bs:block * bs]
        if before:
            before(block)
        r = exchange(sock, client, data(block, chunk), block)
        if r != "ack":
            note("client stopped at block %d (%s)", block, r)
            return
        if after:
            after(block)
        if len(chunk) < bs:
            note("transfer complete: %d bytes", len(content))
            return
        block += 1


def transfer(mode, client, opts, content):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    imp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    imp.bind(("127.0.0.1", 0))
    try:
        run_mode(mode, sock, imp, client, opts, content)
        # What the client told the impostor (it must answer ERROR 5).
        got, _ = recv(imp, 0.3)
        while got is not None:
            if len(got) >= 4 and struct.unpack("!H", got[:2])[0] == ERROR:
                note("impostor got ERROR %d", struct.unpack("!H", got[2:4])[0])
            got, _ = recv(imp, 0.05)
    finally:
        sock.close()
        imp.close()


def run_mode(mode, sock, imp, client, opts, content):
    size = len(content)
    asked_bs = int(opts.get("blksize", 512))
    bad_oack = {
        "oack-window": [("blksize", min(asked_bs, 1468)), ("windowsize", 8)],
        "oack-blksize": [("blksize", asked_bs + 1000)],
        "oack-unknown": [("blksize", min(asked_bs, 1468)), ("evil", 1)],
        "oack-tsize-big": [("blksize", min(asked_bs, 1468)), ("tsize", 1 << 30)],
    }
    if mode in bad_oack:
        r = exchange(sock, client, oack(bad_oack[mode]), 0, tries=3)
        note("OACK answered: %s", r)
        return
    if mode == "huge":
        send_blocks(sock, client, b"\x5a" * (MAX_BYTES + 512), 512)
        return
    bs = negotiate(sock, client, opts, size)
    if bs is None:
        note("no ACK 0")
        return
    if mode == "ok":
        send_blocks(sock, client, content, bs)
    elif mode == "wrong-tid":
        send_blocks(sock, client, content, bs,
                    before=lambda b: b >= 2 and imp.sendto(data(b, b"\xee" * bs), client))
    elif mode == "spoofed-error":
        send_blocks(sock, client, content, bs,
                    after=lambda b: b == 1 and imp.sendto(
                        struct.pack("!HH", ERROR, 0) + b"spoofed\0", client))
    elif mode == "wrong-block":
        def bad(b):
            sock.sendto(data(0, b"\xee" * bs), client)
            sock.sendto(data(b + 3, b"\xee" * bs), client)
        send_blocks(sock, client, content, bs, before=bad)
    elif mode in ("never-block-1", "block-zero"):
        n = 2 if mode == "never-block-1" else 0
        r = exchange(sock, client, data(n, content[:bs]), 1, tries=12, timeout=0.3)
        note("wrong block %d: %s", n, r)
    elif mode == "tsize-lie":
        send_blocks(sock, client, content + b"\xa5" * MAX_BYTES, bs)
    elif mode == "error-mid":
        for b in (1, 2):
            if exchange(sock, client, data(b, content[(b - 1) * bs:b * bs]), b) != "ack":
                note("client stopped at block %d", b)
                return
        sock.sendto(struct.pack("!HH", ERROR, 0) + b"disk gone\x1b[31m\x07\0", client)
        note("sent ERROR 0 after block 2")
    elif mode == "oversize-data":
        r = exchange(sock, client, data(1, content[:bs] + b"\x00" * 16), 1, tries=2)
        note("oversized block: %s", r)
    else:
        note("unknown mode %s", mode)


def main():
    global log, deadline
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    portfile, logname, mode, fname = sys.argv[1:5]
    lifetime = float(sys.argv[5]) if len(sys.argv) > 5 else 60.0
    deadline = time.monotonic() + lifetime
    with open(fname, "rb") as f:
        content = f.read()
    log = open(logname, "a")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while remaining() > 0:
        pkt, client = recv(s, 1.0)
        if pkt is None or len(pkt) < 4 or struct.unpack("!H", pkt[:2])[0] != RRQ:
            continue
        name, opts = parse_rrq(pkt)
        note("RRQ %s %s", name, " ".join("%s=%s" % kv for kv in sorted(opts.items())))
        if name.startswith("CTLSEP"):
            transfer(mode, client, opts, content)
        else:
            t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            t.bind(("127.0.0.1", 0))
            t.sendto(struct.pack("!HH", ERROR, 1) + b"File not found\0", client)
            t.close()


if __name__ == "__main__":
    main()
