#!/usr/bin/env python3
"""One NTS-KE exchange (RFC 8915 §4) as a client, for the script tests: TLS 1.3, the given ALPN,
the test CA; sends Next Protocol NTPv4, AEAD 15, End of Message and prints
"next=.. aead=.. cookies=N sizes=[..] end=True|False port=P" or "error NAME".

Usage: nts_ke_client.py CA_PEM PORT ALPN [HOST]
"""
import socket
import ssl
import struct
import sys


def main() -> int:
    ca, port, alpn = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(ca)
    ctx.set_alpn_protocols([alpn])
    request = bytes.fromhex("80010002" "0000" "00040002" "000f" "80000000")
    try:
        with socket.create_connection((host, port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(request)
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
    except (ssl.SSLError, OSError) as e:
        print("error", type(e).__name__)
        return 0
    next_proto = aead = ntp_port = None
    sizes = []
    i = 0
    while i + 4 <= len(data):
        rtype, length = struct.unpack(">HH", data[i:i + 4])
        body = data[i + 4:i + 4 + length]
        rtype &= 0x7FFF
        if rtype == 1:
            next_proto = body.hex()
        if rtype == 4:
            aead = body.hex()
        if rtype == 5:
            sizes.append(len(body))
        if rtype == 7:
            ntp_port = struct.unpack(">H", body)[0]
        i += 4 + length
        if rtype == 0:
            break
    print(f"next={next_proto} aead={aead} cookies={len(sizes)} sizes={sorted(set(sizes))} "
          f"end={i == len(data)} port={ntp_port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
