#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plays systemd's side of sd_notify for tests/e2e/systemd_notify.sh.

notify-listen.py NAME LOG PROTO OUT: binds an AF_UNIX datagram socket at
NAME (a path, or "@name" for an abstract one), touches OUT.up once bound,
and writes one line per datagram to OUT: the message with newlines as ';'
and, for READY=1, whether the daemon's port (read from LOG's "listening
on ADDR:PORT" line) was bound when the datagram arrived ("bound=yes": a
second bind of it failed with EADDRINUSE; PROTO is udp or tcp). Ends after
STOPPING=1 or 20 seconds without a datagram.
"""
import errno
import re
import socket
import sys

name, log, proto, out = sys.argv[1:5]


def port_bound():
    try:
        text = open(log, encoding="utf-8", errors="replace").read()
    except OSError:
        return "nolog"
    m = re.search(r"[Ll]istening on 127\.0\.0\.1:(\d+)", text)
    if not m:
        return "noline"
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", int(m.group(1))))
    except OSError as e:
        return "yes" if e.errno == errno.EADDRINUSE else "err%d" % e.errno
    finally:
        s.close()
    return "no"


sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind("\0" + name[1:] if name.startswith("@") else name)
sock.settimeout(20)
open(out + ".up", "w").close()
with open(out, "a", encoding="utf-8") as f:
    while True:
        try:
            msg = sock.recv(4096).decode("utf-8", "replace")
        except socket.timeout:
            f.write("TIMEOUT\n")
            break
        line = msg.replace("\n", ";")
        if "READY=1" in msg.split("\n"):
            line += " bound=" + port_bound()
        f.write(line + "\n")
        f.flush()
        if "STOPPING=1" in msg.split("\n"):
            break
