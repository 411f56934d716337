#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A deliberately slow TFTP server for client tests (loopback only).

usage: slow-tftpd.py PORTFILE RRQLOG DELAY data|error [LIFETIME]

Binds 127.0.0.1 on a port the kernel picks and writes that port to PORTFILE.
Every RRQ is logged to RRQLOG as one line "ADDR PORT NAME" (flushed at
once), so a test can count each client's retransmissions. A client
(address and port) is answered once, DELAY seconds after its first RRQ:
with DATA block 1 holding "slow\\n" (data) or with ERROR 1 (error). Later
RRQs and ACKs are only logged. Exits after LIFETIME seconds (default 120)
so a forgotten server never outlives its test.
"""
import os
import select
import socket
import struct
import sys
import time


def main():
    portfile, logname, delay, mode = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    lifetime = float(sys.argv[5]) if len(sys.argv) > 5 else 120.0
    if mode == "data":
        answer = struct.pack("!HH", 3, 1) + b"slow\n"
    elif mode == "error":
        answer = struct.pack("!HH", 5, 1) + b"File not found\0"
    else:
        sys.exit("slow-tftpd: mode is data or error")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    log = open(logname, "a")
    due = {}        # client -> when to answer
    answered = set()
    end = time.monotonic() + lifetime
    while True:
        now = time.monotonic()
        if now >= end:
            return
        for c in [c for c, t in due.items() if t <= now]:
            s.sendto(answer, c)
            answered.add(c)
            del due[c]
        wait = min([end - now] + [t - now for t in due.values()])
        if not select.select([s], [], [], max(wait, 0))[0]:
            continue
        pkt, c = s.recvfrom(65536)
        if len(pkt) < 4 or struct.unpack("!H", pkt[:2])[0] != 1:
            continue
        name = pkt[2:].split(b"\0", 1)[0].decode("ascii", "replace")
        log.write("%s %d %s\n" % (c[0], c[1], name))
        log.flush()
        if c not in due and c not in answered:
            due[c] = now + delay


if __name__ == "__main__":
    main()
