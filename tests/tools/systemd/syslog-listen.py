#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for /dev/log for tests/e2e/systemd_journal.sh.

syslog-listen.py SOCKET OUT: binds an AF_UNIX datagram socket at SOCKET,
touches OUT.up, and appends every datagram received (syslog(3)'s
"<PRI>TIMESTAMP IDENT[PID]: text") as one line to OUT; ends after 20
seconds without one.
"""
import socket
import sys

path, out = sys.argv[1:3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(20)
open(out + ".up", "w").close()
with open(out, "a", encoding="utf-8") as f:
    while True:
        try:
            msg = s.recv(8192).decode("utf-8", "replace")
        except socket.timeout:
            break
        f.write(msg.replace("\n", " ").rstrip("\0") + "\n")
        f.flush()
