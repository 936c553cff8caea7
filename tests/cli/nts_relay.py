#!/usr/bin/env python3
"""An on-path attacker for cli.nts_client: relays NTS-KE (TCP, the TLS bytes untouched) and NTP
(UDP) between an NTS client and server, and spoils the NTP replies as MODE_FILE says:

  pass     relay as received
  tamper   flip one bit of the transmit timestamp (the authenticator no longer verifies)
  strip    send only the 48-octet header (no NTS fields: unauthenticated)

Usage: nts_relay.py MODE_FILE DURATION_S TCP_LISTEN TCP_TARGET UDP_LISTEN UDP_TARGET
(addresses as HOST:PORT). Prints the count of replies relayed per mode at exit. Loopback only;
bounded by DURATION_S.
"""
import selectors
import socket
import sys
import time


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    mode_file, duration = sys.argv[1], float(sys.argv[2])
    tcp_listen, tcp_target, udp_listen, udp_target = (addr(a) for a in sys.argv[3:7])
    sel = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(tcp_listen)
    listener.listen(8)
    sel.register(listener, selectors.EVENT_READ, "accept")
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(udp_listen)
    sel.register(front, selectors.EVENT_READ, "front")
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.bind((udp_target[0], 0))
    sel.register(back, selectors.EVENT_READ, "back")
    client = None
    counts = {}
    print("ready", flush=True)
    end = time.monotonic() + duration
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            what = key.data
            if what == "accept":
                a, _ = listener.accept()
                b = socket.create_connection(tcp_target, timeout=2)
                sel.register(a, selectors.EVENT_READ, ("pipe", b))
                sel.register(b, selectors.EVENT_READ, ("pipe", a))
            elif what == "front":
                data, client = front.recvfrom(4096)
                back.sendto(data, udp_target)
            elif what == "back":
                data, _ = back.recvfrom(4096)
                try:
                    mode = open(mode_file).read().strip()
                except OSError:
                    mode = "pass"
                if mode == "tamper":
                    data = bytearray(data)
                    data[47] ^= 1
                    data = bytes(data)
                elif mode == "strip":
                    data = data[:48]
                counts[mode] = counts.get(mode, 0) + 1
                if client:
                    front.sendto(data, client)
            else:
                _, peer = what
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    try:
                        peer.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                try:
                    peer.sendall(data)
                except OSError:
                    pass
    print(" ".join(f"{m}={n}" for m, n in sorted(counts.items())), flush=True)


if __name__ == "__main__":
    main()
