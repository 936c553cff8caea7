#!/usr/bin/env python3
"""NTP client of tests/cli/workers.sh: time requests from chosen loopback source addresses.

  workers_client.py time SERVER PORT FIRST LAST OFFSET   one request from each 127.0.0.N (N =
      FIRST..LAST); prints "ANSWERED CAUSAL OFFSET_MIN OFFSET_MAX" over the mode 4 replies that
      echo their request: CAUSAL of them put the server's receive and transmit times, less
      OFFSET s, between the request's sending and the reply's arrival.
  workers_client.py burst SERVER PORT ADDRESS COUNT   COUNT requests from ADDRESS, each from a new
      source port, sent at once; prints how many were answered with time (mode 4, stratum > 0).
  workers_client.py sysstats SERVER PORT   a mode 6 read of ss_received and ss_processed.
Every wait is bounded (1 s per socket).
"""
import os
import select
import socket
import struct
import sys
import time

NTP_EPOCH = 2208988800


def ntp_now():
    t = time.time()
    return int((t + NTP_EPOCH) * 2**32)


def request(t1):
    return struct.pack("!BBbb11I", 0x23, 0, 0, 0, *([0] * 9), t1 >> 32, t1 & 0xFFFFFFFF)


def ts(b, at):
    hi, lo = struct.unpack_from("!II", b, at)
    return (hi << 32) | lo


def open_from(address):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 0))
    return s


def replies(socks, timeout=1.0):
    """Every datagram received on socks within the timeout, as (sock, bytes, t4)."""
    got, end = [], time.monotonic() + timeout
    pending = list(socks)
    while pending and time.monotonic() < end:
        ready, _, _ = select.select(pending, [], [], max(0.0, end - time.monotonic()))
        for s in ready:
            data = s.recv(2048)
            got.append((s, data, ntp_now()))
            pending.remove(s)
    return got


def time_mode(server, port, first, last, offset):
    socks, sent = [], {}
    for n in range(first, last + 1):
        s = open_from(f"127.0.0.{n}")
        t1 = ntp_now()
        s.sendto(request(t1), (server, port))
        socks.append(s)
        sent[s] = t1
    offsets, causal = [], 0
    for s, data, t4 in replies(socks):
        if len(data) < 48 or data[0] & 7 != 4 or data[1] == 0 or ts(data, 24) != sent[s]:
            continue
        t1, t2, t3 = sent[s], ts(data, 32), ts(data, 40)
        offsets.append(((t2 - t1) + (t3 - t4)) / 2 / 2**32)
        # Less the server's offset, its receive and transmit times lie between our send and
        # receive (1 ms of slack for the two clocks' reading): the reply carries the server's time.
        ahead, slack = int(offset * 2**32), 2**32 // 1000
        if t1 - slack <= t2 - ahead <= t3 - ahead <= t4 + slack:
            causal += 1
    if not offsets:
        print("0 0 0 0")
    else:
        print(len(offsets), causal, f"{min(offsets):.6f}", f"{max(offsets):.6f}")


def burst_mode(server, port, address, count):
    socks = [open_from(address) for _ in range(count)]
    for s in socks:
        s.sendto(request(ntp_now()), (server, port))
    print(sum(1 for _, d, _ in replies(socks) if len(d) >= 48 and d[0] & 7 == 4 and d[1] != 0))


def sysstats_mode(server, port):
    names = b"ss_received,ss_processed"
    # RFC 9327 §2: VN 2 mode 6, READVAR (op 2), sequence 1, association 0.
    pkt = struct.pack("!BBHHHHH", 0x16, 2, 1, 0, 0, 0, len(names)) + names
    pkt += b"\0" * (-len(pkt) % 4)
    s = open_from("127.0.0.1")
    s.sendto(pkt, (server, port))
    got = replies([s])
    if not got:
        print("no reply")
        return
    data = got[0][1]
    count = struct.unpack_from("!H", data, 10)[0]
    print(data[12:12 + count].decode(errors="replace").replace("\r\n", " ").strip())


def main():
    mode = sys.argv[1]
    if mode == "time":
        time_mode(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    elif mode == "burst":
        burst_mode(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif mode == "sysstats":
        sysstats_mode(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
