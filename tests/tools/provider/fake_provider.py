#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A fake, optionally hostile CTL Provider for ctl-client tests.

Speaks TLS on 127.0.0.1 (--port, else 0: the kernel picks it; written to
--port-file once listening) with a test certificate, and the message format
of doc/provider-protocol.md. Every LOGIN it receives is appended to
--capture as "LOGIN user=NAME password-bytes=N" (the password itself is
never written), so a test can tell whether a password was sent.

--mode selects how it answers the request named by --on (every other
request gets a well-formed answer):
  ok         well-formed answers (GET_INFO with one certificate, no CTL,
             no ITL)
  stall      read the request, never answer
  trickle    a well-formed answer of 80 bytes, one byte every 1.5 s
  wrong-id   the answer carries another request id
  wrong-type the answer carries another type
  malformed  an item running past the end of the body
  bad-cert   GET_INFO whose CERT item is not a DER certificate
  oversized  a header announcing a 16 MiB body
  close-mid  half of the answer, then the connection is closed
  trickle-handshake  no TLS: a TLS record header announcing 16 KiB, then
             one byte every 1.5 s (the handshake never completes)
  bad-md5    SIGN_CTL answered with the --ctl-file and the MD5 of other bytes
SIGN_CTL answers the bytes of --ctl-file with their MD5 (UNSUPPORTED
without it, as a publisher without the signing key). Every request after
LOGIN is also logged in --capture as "REQ NAME".
It exits by itself after --lifetime seconds.
"""
import argparse
import hashlib
import os
import socket
import ssl
import struct
import sys
import threading
import time

MAGIC = b"CTLP"
LOGIN, GET_INFO, GET_CTL, PUT_CTL, SET_MODE, GET_STATUS, BYE = 1, 2, 3, 4, 5, 6, 7
SIGN_CTL, ITL_RESET, GET_ITL = 0x08, 0x09, 0x0A
NAMES = {"LOGIN": LOGIN, "GET_INFO": GET_INFO, "GET_CTL": GET_CTL, "GET_STATUS": GET_STATUS,
         "GET_ITL": GET_ITL, "SIGN_CTL": SIGN_CTL, "ITL_RESET": ITL_RESET}
TYPE_NAMES = {LOGIN: "LOGIN", GET_INFO: "GET_INFO", GET_CTL: "GET_CTL", PUT_CTL: "PUT_CTL",
              SET_MODE: "SET_MODE", GET_STATUS: "GET_STATUS", BYE: "BYE", SIGN_CTL: "SIGN_CTL",
              ITL_RESET: "ITL_RESET", GET_ITL: "GET_ITL"}
T_USER, T_PASSWORD, T_HOSTNAME, T_IPV4, T_CERT, T_MODE, T_MESSAGE, T_VERSION = 1, 2, 3, 4, 5, 7, 9, 13
T_CTL_FILE, T_MD5 = 6, 10
OK, UNSUPPORTED, NOT_FOUND = 0, 2, 6


def item(tag, val):
    return struct.pack(">HI", tag, len(val)) + val


def message(mtype, status, rid, body):
    return MAGIC + struct.pack(">BBHII", 1, mtype, status, rid, len(body)) + body


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def items(body):
    out, off = [], 0
    while off + 6 <= len(body):
        tag, ln = struct.unpack(">HI", body[off:off + 6])
        out.append((tag, body[off + 6:off + 6 + ln]))
        off += 6 + ln
    return out


class Server:
    def __init__(self, args):
        self.a = args
        self.der = ssl.PEM_cert_to_DER_cert(open(args.cert).read())
        self.lock = threading.Lock()

    def capture(self, line):
        if self.a.capture:
            with self.lock, open(self.a.capture, "a") as f:
                f.write(line + "\n")

    def normal(self, mtype, rid, body):
        if mtype == GET_INFO:
            b = (item(T_HOSTNAME, b"fake.example.lab") + item(T_IPV4, bytes([192, 0, 2, 99])) +
                 item(T_MODE, b"\x00") + item(T_VERSION, b"fake") + item(T_CERT, b"\x00\x02" + self.der))
            return message(mtype | 0x80, OK, rid, b)
        if mtype == GET_CTL:
            return message(mtype | 0x80, NOT_FOUND, rid, item(T_MESSAGE, b"no CTL installed"))
        if mtype == GET_ITL:
            return message(mtype | 0x80, NOT_FOUND, rid, item(T_MESSAGE, b"no ITL served"))
        if mtype == SIGN_CTL:
            if not self.a.ctl_file:
                return message(mtype | 0x80, UNSUPPORTED, rid, item(T_MESSAGE, b"no itlrecovery_key configured"))
            ctl = open(self.a.ctl_file, "rb").read()
            md5 = hashlib.md5(ctl).hexdigest().encode()
            return message(mtype | 0x80, OK, rid, item(T_CTL_FILE, ctl) + item(T_MD5, md5))
        return message(mtype | 0x80, OK, rid, b"")

    def hostile(self, conn, mtype, rid):
        m, good = self.a.mode, self.normal(mtype, rid, b"")
        if m == "stall":
            time.sleep(self.a.lifetime)
        elif m == "trickle":
            good = message(mtype | 0x80, OK, rid, item(T_MESSAGE, b"slow" * 16))
            for i in range(len(good)):
                conn.sendall(good[i:i + 1])
                time.sleep(1.5)
        elif m == "wrong-id":
            conn.sendall(message(mtype | 0x80, OK, rid + 7, b""))
        elif m == "wrong-type":
            conn.sendall(message(0x80 | (mtype % 7 + 1), OK, rid, b""))
        elif m == "malformed":
            conn.sendall(message(mtype | 0x80, OK, rid, struct.pack(">HI", T_MESSAGE, 4096) + b"short"))
        elif m == "bad-cert":
            b = item(T_HOSTNAME, b"fake.example.lab") + item(T_CERT, b"\x00\x02" + b"\x30\x82\xff\xff junk")
            conn.sendall(message(mtype | 0x80, OK, rid, b))
        elif m == "oversized":
            conn.sendall(MAGIC + struct.pack(">BBHII", 1, mtype | 0x80, OK, rid, 16 << 20) + b"\0" * 64)
        elif m == "bad-md5":
            ctl = open(self.a.ctl_file, "rb").read()
            md5 = hashlib.md5(ctl + b"x").hexdigest().encode()
            conn.sendall(message(mtype | 0x80, OK, rid, item(T_CTL_FILE, ctl) + item(T_MD5, md5)))
        elif m == "close-mid":
            b = item(T_HOSTNAME, b"fake.example.lab" * 8)
            whole = message(mtype | 0x80, OK, rid, b)
            conn.sendall(whole[:16 + len(b) // 2])
            return False
        else:
            conn.sendall(good)
        return m != "stall"

    def serve(self, conn):
        with conn:
            while True:
                hdr = read_exact(conn, 16)
                if hdr is None or hdr[:4] != MAGIC:
                    return
                _, mtype, _, rid, blen = struct.unpack(">BBHII", hdr[4:])
                body = read_exact(conn, blen)
                if body is None:
                    return
                if mtype != LOGIN:
                    self.capture("REQ %s" % TYPE_NAMES.get(mtype, "0x%02x" % mtype))
                if mtype == LOGIN:
                    its = dict(items(body))
                    self.capture("LOGIN user=%s password-bytes=%d" % (
                        its.get(T_USER, b"").decode("ascii", "replace"), len(its.get(T_PASSWORD, b""))))
                if mtype == NAMES.get(self.a.on) and self.a.mode != "ok":
                    if not self.hostile(conn, mtype, rid):
                        return
                    continue
                conn.sendall(self.normal(mtype, rid, body))
                if mtype == BYE:
                    return

    def handle(self, raw, ctx):
        try:
            raw.settimeout(self.a.lifetime)
            if self.a.mode == "trickle-handshake":
                with raw:
                    for b in b"\x16\x03\x03\x40\x00" + b"\x02" * 64:
                        raw.sendall(bytes([b]))
                        time.sleep(1.5)
                return
            self.serve(ctx.wrap_socket(raw, server_side=True))
        except (OSError, ssl.SSLError):
            pass

    def run(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.a.cert, self.a.key)
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(100):  # --port: the port an earlier fake just released
            try:
                ls.bind(("127.0.0.1", self.a.port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("fake_provider: cannot bind 127.0.0.1:%d" % self.a.port)
        ls.listen(16)
        tmp = self.a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % ls.getsockname()[1])
        os.rename(tmp, self.a.port_file)
        end = time.time() + self.a.lifetime
        ls.settimeout(0.2)
        while time.time() < end:
            try:
                raw, _ = ls.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.handle, args=(raw, ctx), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--capture")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", default="ok", choices=["ok", "stall", "trickle", "wrong-id", "wrong-type",
                                                    "malformed", "bad-cert", "oversized", "close-mid",
                                                    "trickle-handshake", "bad-md5"])
    p.add_argument("--on", default="LOGIN", choices=sorted(NAMES))
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--ctl-file")
    Server(p.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
