#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A scripted TVS server for phone-verifier's tests (written apart from
libctl's codec): TLS on 127.0.0.1, one QUERY per connection, answered as
MODE says.

  fake-tvsd.py PORTFILE LOG MODE TLS_CERT TLS_KEY CA [ANSWER_CERT ROLES TTL] LIFETIME

MODE: answer (status 0 + ANSWER_CERT (PEM) + ROLES (comma list) + TTL),
unknown (status 1 alone), stall (TLS up, the request read, no reply ever),
close (TLS up, then the connection reset at once, nothing read), garbage
(a reply with protocol id 0), session (a valid answer for another session
id), short (a header announcing more payload than is sent, then silence).
The port goes to PORTFILE; LOG gets one line per event: "client CN", "device
NAME", "subject ...", "issuer ...", "serial HEX", "replied MODE". CA verifies
an optional client certificate. The server exits after LIFETIME seconds.
"""
import socket
import ssl
import struct
import sys
import threading
import time


def pem_to_der(path):
    return ssl.PEM_cert_to_DER_cert(open(path).read())


def elements(payload):
    out, i = {}, 0
    while i + 3 <= len(payload):
        tag, n = payload[i], struct.unpack(">H", payload[i + 1:i + 3])[0]
        out[tag] = payload[i + 3:i + 3 + n]
        i += 3 + n
    return out


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def element(tag, value):
    return bytes([tag]) + struct.pack(">H", len(value)) + value


def serve(conn, args, log):
    mode = args["mode"]
    if mode == "close":
        # A reset, not a polite close: the phone's next write meets a dead socket.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        log("resetting")
        conn.close()
        return
    try:
        peer = conn.getpeercert()
        if peer:
            cn = [v for rdn in peer.get("subject", ()) for (k, v) in rdn if k == "commonName"]
            log("client CN=%s" % (cn[0] if cn else "?"))
        hdr = read_exact(conn, 10)
        proto, ver, cmd, _res, session, plen = struct.unpack(">BBBBIH", hdr)
        el = elements(read_exact(conn, plen))
        log("request proto %d version %d command %d session %d" % (proto, ver, cmd, session))
        if 1 in el:
            log("device %s" % el[1][1:].decode("ascii", "replace"))
        for tag, name in ((3, "subject"), (4, "issuer")):
            if tag in el:
                log("%s %s" % (name, el[tag].rstrip(b"\0").decode("utf-8", "replace")))
        if 5 in el:
            log("serial %s" % el[5].hex())
        if mode == "stall":
            log("stalling")
            time.sleep(args["lifetime"])
            return
        if mode == "garbage":
            conn.sendall(b"\x00" * 10 + b"junk")
            log("replied garbage")
            return
        if mode == "short":
            conn.sendall(struct.pack(">BBBBIH", 0x57, 1, 4, 0, session, 500) + element(7, b"\x00"))
            log("replied short")
            time.sleep(args["lifetime"])
            return
        if mode == "session":
            session += 1
        if mode == "unknown":
            body = element(7, b"\x01")
        else:
            roles = bytes(int(r) for r in args["roles"].split(",") if r != "")
            body = (element(7, b"\x00") + element(2, args["answer"]) + element(8, roles) +
                    element(9, struct.pack(">I", args["ttl"])))
        conn.sendall(struct.pack(">BBBBIH", 0x57, 1, 4, 0, session, len(body)) + body)
        log("replied %s" % mode)
    except (EOFError, OSError, ssl.SSLError) as e:
        log("connection ended: %s" % e.__class__.__name__)
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    a = sys.argv[1:]
    portfile, logpath, mode, cert, key, ca = a[:6]
    args = {"mode": mode, "lifetime": int(a[-1])}
    if mode in ("answer", "session"):
        args["answer"] = pem_to_der(a[6])
        args["roles"] = a[7]
        args["ttl"] = int(a[8])
    lock = threading.Lock()

    def log(line):
        with lock, open(logpath, "a") as f:
            f.write(line + "\n")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    end = time.time() + args["lifetime"]
    while time.time() < end:
        try:
            raw, _ = srv.accept()
        except socket.timeout:
            continue
        raw.settimeout(args["lifetime"])
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("handshake failed: %s" % e.__class__.__name__)
            raw.close()
            continue
        log("connection")
        threading.Thread(target=serve, args=(conn, args, log), daemon=True).start()


if __name__ == "__main__":
    main()
