#!/usr/bin/env python3
"""A stub NTS-KE server (RFC 8915 §4) for the script tests: TLS 1.3, ALPN "ntske/1", the given
certificate; to every request it answers Next Protocol NTPv4, AEAD 15, 8 New Cookie records (random
octets: no NTP server can open them) and an NTPv4 Server Negotiation record naming NTP_SERVER
(§4.1.7), then End of Message. For tests of what a client does with the server named, not of the
session's keys (Python's ssl cannot export keying material).

Usage: nts_ke_stub.py CERT KEY HOST PORT NTP_SERVER DURATION_S
Prints "listening" once bound, and "served N" after each answer. Loopback only; bounded by DURATION_S.
"""
import os
import socket
import ssl
import struct
import sys
import time


def record(rtype, body, critical=True):
    return struct.pack(">HH", (0x8000 if critical else 0) | rtype, len(body)) + body


def response(ntp_server):
    out = record(1, struct.pack(">H", 0)) + record(4, struct.pack(">H", 15))
    for _ in range(8):
        out += record(5, os.urandom(100), critical=False)
    out += record(6, ntp_server.encode("ascii"))
    return out + record(0, b"")


def main():
    cert, key, host, port, ntp_server, duration = sys.argv[1:7]
    end = time.monotonic() + float(duration)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["ntske/1"])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(8)
    listener.settimeout(0.5)
    print("listening", flush=True)
    served = 0
    while time.monotonic() < end:
        try:
            raw, _ = listener.accept()
        except socket.timeout:
            continue
        raw.settimeout(5)
        try:
            with ctx.wrap_socket(raw, server_side=True) as s:
                s.recv(1024)  # the client's request: one TLS record
                s.sendall(response(ntp_server))
                served += 1
                print(f"served {served}", flush=True)
        except (OSError, ssl.SSLError) as e:
            print(f"connection failed: {e}", flush=True)


if __name__ == "__main__":
    main()
