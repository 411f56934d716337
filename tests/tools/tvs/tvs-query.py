#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TVS test client for ctl-tvsd (doc/tvs-protocol.md), written apart from
libctl's codec so that the tests check the daemon against a second reading
of the format.

  tvs-query.py --connect ADDR:PORT [options] COMMAND ...
  verify CERT                  VERIFY with CERT (PEM or DER)
  query SUBJECT ISSUER SERIAL  QUERY (SERIAL in hex)
  raw HEX|@FILE                these bytes (or FILE's) inside TLS, then the reply
  trickle HEX                  these bytes one per --delay seconds inside TLS
  plain HEX                    these bytes over plain TCP (no TLS)
  hold N SECS                  N idle TCP connections for SECS seconds

Options: --bind ADDR (source address), --timeout S, --tls 1.0|1.1|1.2|1.3
(the only version offered), --ciphers LIST (TLS 1.2 suites offered), --cert PEM --key PEM (client certificate),
--device NAME, --session N, --delay S.

A reply prints "status N", then "cert-sha256 HEX", "roles A,B", "ttl N"
when present, and "session N". Exit: 0 status 0, 1 another status, 2
usage, 3 no reply (handshake refused, connection closed or timed out).
"""
import argparse
import warnings
import hashlib
import socket
import ssl
import struct
import sys
import time

# TLS 1.0 and 1.1 are offered on purpose, to see them refused.
warnings.simplefilter("ignore", DeprecationWarning)

PROTO, VERSION = 0x57, 1
VERIFY_REQ, VERIFY_RES, QUERY_REQ, QUERY_RES = 1, 2, 3, 4
T_DEVICE, T_CERT, T_SUBJECT, T_ISSUER, T_SERIAL = 1, 2, 3, 4, 5
T_STATUS, T_ROLES, T_TTL = 7, 8, 9


def elem(tag, value):
    return struct.pack(">BH", tag, len(value)) + value


def message(cmd, session, payload):
    return struct.pack(">BBBBIH", PROTO, VERSION, cmd, 0, session, len(payload)) + payload


def device_elem(name):
    return elem(T_DEVICE, b"\x01" + name.encode())


def read_cert(path):
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        return ssl.PEM_cert_to_DER_cert(data.decode())
    return data


def connect(args, use_tls=True):
    host, port = args.connect.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.settimeout(args.timeout)
    if args.bind:
        sock.bind((args.bind, 0))
    sock.connect((host.strip("[]"), int(port)))
    if not use_tls:
        return sock
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.tls:
        v = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
             "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[args.tls]
        if args.tls in ("1.0", "1.1"):
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = v
        ctx.maximum_version = v
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    return ctx.wrap_socket(sock)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def print_reply(sock, args):
    """Reads one reply; returns the exit code."""
    try:
        hdr = recv_exact(sock, 10)
    except (OSError, ssl.SSLError) as e:
        print("no reply: %s" % e)
        return 3
    if len(hdr) < 10:
        print("no reply: connection closed after %d bytes" % len(hdr))
        return 3
    proto, version, cmd, _res, session, length = struct.unpack(">BBBBIH", hdr)
    if proto != PROTO or version != VERSION:
        print("bad reply header: %s" % hdr.hex())
        return 3
    payload = recv_exact(sock, length)
    if len(payload) != length:
        print("short reply: %d of %d payload bytes" % (len(payload), length))
        return 3
    print("command %d" % cmd)
    print("session %d" % session)
    status, off, tags = None, 0, []
    while off < length:
        if off + 3 > length:
            print("bad element at offset %d" % off)
            return 3
        tag, n = struct.unpack(">BH", payload[off:off + 3])
        value = payload[off + 3:off + 3 + n]
        if len(value) != n:
            print("element %d runs past the payload" % tag)
            return 3
        off += 3 + n
        tags.append(tag)
        if tag == T_STATUS and n == 1:
            status = value[0]
            print("status %d" % status)
        elif tag == T_CERT:
            print("cert-sha256 %s" % hashlib.sha256(value).hexdigest())
            if args.out:
                open(args.out, "wb").write(value)
        elif tag == T_ROLES:
            print("roles %s" % ",".join(str(b) for b in value))
        elif tag == T_TTL and n == 4:
            print("ttl %d" % struct.unpack(">I", value)[0])
        else:
            print("element %d (%d bytes) %s" % (tag, n, value.hex()))
    print("elements %s" % ",".join(str(t) for t in tags))
    if status is None:
        return 3
    return 0 if status == 0 else 1


def send_and_print(args, data):
    try:
        sock = connect(args)
    except (OSError, ssl.SSLError) as e:
        print("no reply: handshake failed: %s" % e)
        return 3
    try:
        sock.sendall(data)
    except (OSError, ssl.SSLError) as e:
        print("no reply: send failed: %s" % e)
        return 3
    print("tls %s %s" % (sock.version(), sock.cipher()[0]))
    return print_reply(sock, args)


def cmd_trickle(args, data):
    """Sends data a byte at a time; reports when the server closed."""
    try:
        sock = connect(args)
    except (OSError, ssl.SSLError) as e:
        print("no reply: handshake failed: %s" % e)
        return 3
    start = time.monotonic()
    sent = 0
    for b in data:
        try:
            sock.sendall(bytes([b]))
            sent += 1
        except (OSError, ssl.SSLError):
            break
        # A closed connection shows as EOF on a read that does not block.
        sock.settimeout(args.delay)
        try:
            if sock.recv(1) == b"":
                break
        except (socket.timeout, TimeoutError):
            pass
        except (OSError, ssl.SSLError):
            break
    print("sent %d of %d bytes in %.0f s" % (sent, len(data), time.monotonic() - start))
    sock.settimeout(args.timeout)
    try:
        rest = sock.recv(10)
    except (OSError, ssl.SSLError):
        rest = b""
    if sent < len(data) or rest == b"":
        print("no reply: closed by the server")
        return 3
    print("reply bytes %s" % rest.hex())
    return 0


def cmd_plain(args, data):
    sock = connect(args, use_tls=False)
    try:
        sock.sendall(data)
        got = sock.recv(4096)
    except (OSError, socket.timeout) as e:
        print("no reply: %s" % e)
        return 3
    # A TLS alert (0x15) is what a TLS server answers to plain bytes.
    print("reply %s" % (got[:16].hex() if got else "none (closed)"))
    if got and got[0] == PROTO:
        return 0
    return 3


def cmd_hold(args, n, secs):
    socks, failed = [], 0
    for _ in range(n):
        try:
            socks.append(connect(args, use_tls=False))
        except OSError:
            failed += 1
    print("opened %d, failed %d" % (len(socks), failed))
    sys.stdout.flush()
    time.sleep(secs)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    print("held %d, closed by the server %d" % (len(socks), closed))
    return 0


def main():
    p = argparse.ArgumentParser(description="TVS test client")
    p.add_argument("--connect", required=True)
    p.add_argument("--bind")
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--tls", choices=["1.0", "1.1", "1.2", "1.3"])
    p.add_argument("--ciphers")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--device", default="CP-8861-SEP001122334455")
    p.add_argument("--session", type=int, default=1001)
    p.add_argument("--delay", type=float, default=1.0)
    p.add_argument("--out")
    p.add_argument("command")
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    try:
        if a.command == "verify" and len(a.args) == 1:
            payload = device_elem(a.device) + elem(T_CERT, read_cert(a.args[0]))
            return send_and_print(a, message(VERIFY_REQ, a.session, payload))
        if a.command == "query" and len(a.args) == 3:
            subject, issuer, serial = a.args
            payload = (device_elem(a.device) + elem(T_SUBJECT, subject.encode() + b"\0") +
                       elem(T_ISSUER, issuer.encode() + b"\0") +
                       elem(T_SERIAL, bytes.fromhex(serial)))
            return send_and_print(a, message(QUERY_REQ, a.session, payload))
        if a.command == "raw" and len(a.args) == 1:
            if a.args[0].startswith("@"):
                return send_and_print(a, open(a.args[0][1:], "rb").read())
            return send_and_print(a, bytes.fromhex(a.args[0]))
        if a.command == "trickle" and len(a.args) == 1:
            return cmd_trickle(a, bytes.fromhex(a.args[0]))
        if a.command == "plain" and len(a.args) == 1:
            return cmd_plain(a, bytes.fromhex(a.args[0]))
        if a.command == "hold" and len(a.args) == 2:
            return cmd_hold(a, int(a.args[0]), float(a.args[1]))
    except ValueError as e:
        print("tvs-query: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("no reply: %s" % e)
        return 3
    p.print_usage(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
