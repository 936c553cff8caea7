#!/usr/bin/env python3
"""Mode 6 flood test: tempusd on 127.0.0.1 lets loopback query (restrict 127.0.0.0/8 without
noquery); one loopback source sends READVAR requests (ntpq rv) as fast as it can, while an
ntpq-like client on another loopback address sends a burst of 12 requests (READSTAT, then
READVARs, as `ntpq -p` does) every 2 s.

Passes when the flooder's answers stay within the per-client bound (burst + rate x duration of
core::control::ControlLimitConfig), its response bytes within 480 per answer, the ntpq-like client
gets all but 1 in 20 of its answers (each request retried once, as ntpq does), and the drops show in ntpq's sysstats (ss_limited). Prints the figures. Every
loop is bounded in count and time; tempusd is stopped by its PID in all cases.
"""
import os
import socket
import struct
import sys
import time

import flood_lib

PORT = 42000 + os.getpid() % 20000
SERVER = ("127.0.0.1", PORT)
DURATION = 10.0  # seconds of flood
MAX_PACKETS = 3_000_000
CLIENT_BURST = 128.0  # ControlLimitConfig defaults
CLIENT_RATE = 32.0
MAX_DATAGRAM = 12 + 468


def readvar(seq, assoc=0, names=b""):
    # LI 0, VN 2, mode 6 | R=0 E=0 M=0 op 2 | seq | status | assoc | offset | count
    pad = b"\0" * (-len(names) % 4)
    return struct.pack("!BBHHHHH", 0x16, 2, seq, 0, assoc, 0, len(names)) + names + pad


def readstat(seq):
    return struct.pack("!BBHHHHH", 0x16, 1, seq, 0, 0, 0, 0)


def flooder(stop_at, out):
    s = flood_lib.udp_from("127.0.0.98", 0)
    counts = {"answers": 0, "got_bytes": 0}

    def on_reply(data):
        counts["got_bytes"] += len(data)
        if len(data) >= 12 and not data[1] & 0x20:  # the last fragment of an answer
            counts["answers"] += 1

    pkt = readvar(1)
    start = time.monotonic()
    sent = flood_lib.flood(s, pkt, SERVER, stop_at, MAX_PACKETS, on_reply, 4096)
    elapsed = time.monotonic() - start
    # Collect what is still in flight (bounded).
    s.settimeout(0.3)
    for _ in range(10_000):
        try:
            data = s.recv(4096)
        except (socket.timeout, ConnectionRefusedError):
            break
        on_reply(data)
    out.put(("flooder", sent, sent * len(pkt), counts["answers"], counts["got_bytes"], elapsed))


def exchange(s, request, seq):
    """Sends one request and waits (bounded) for its complete answer; True when answered."""
    s.sendto(request, SERVER)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            data = s.recv(4096)
        except socket.timeout:
            return False
        if len(data) >= 12 and struct.unpack("!H", data[2:4])[0] == seq and data[1] & 0x80:
            if not data[1] & 0x20:
                return True
    return False


def ntpq_like(stop_at, out):
    s = flood_lib.udp_from("127.0.0.97", 1.0)
    sent = answered = 0
    seq = 100
    next_round = time.monotonic() + 0.5
    for _ in range(20):
        now = time.monotonic()
        if next_round >= stop_at:
            break
        if now < next_round:
            time.sleep(next_round - now)  # pacing the client, not a logic wait
        for i in range(12):
            seq += 1
            req = readstat(seq) if i == 0 else readvar(seq)
            sent += 1
            # One retry after a 1 s timeout, as ntpq does (NTPsec ControlSession.doquery): under a
            # flood from another host the kernel may drop a request before tempusd sees it.
            answered += exchange(s, req, seq) or exchange(s, req, seq)
        next_round += 2.0
    out.put(("ntpq", sent, answered))


def sysstats(names):
    """READVAR of `names` from 127.0.0.96 after the flood: {name: int}."""
    s = flood_lib.udp_from("127.0.0.96", 1.0)
    for attempt in range(5):
        s.sendto(readvar(7 + attempt, 0, names.encode()), SERVER)
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        count = struct.unpack("!H", data[10:12])[0]
        text = data[12:12 + count].decode(errors="replace")
        return {k.strip(): int(v) for k, v in (item.split("=") for item in text.replace("\r\n", "").split(","))}
    return {}


def main():
    daemon = flood_lib.start_tempusd("mode6_flood_test", "tempus-m6flood-", "restrict 127.0.0.0 mask 255.0.0.0\n", PORT, DURATION + 20)
    if not daemon:
        return 1
    results = []
    stats = {}
    try:
        if not daemon.wait_answering("mode6_flood_test", SERVER, "127.0.0.199",
                                     lambda i: readstat(1000 + i)):
            return 1
        stop_at = time.monotonic() + DURATION
        procs, out = flood_lib.start_workers([(flooder, (stop_at,)), (ntpq_like, (stop_at,))])
        results = flood_lib.collect(procs, out, 60)
        stats = sysstats("ss_numctlreq,ss_limited")
    finally:
        daemon.stop()

    fl = [r for r in results if r[0] == "flooder"][0]
    nq = [r for r in results if r[0] == "ntpq"][0]
    _, sent, sent_bytes, answers, got_bytes, elapsed = fl
    bound = CLIENT_BURST + CLIENT_RATE * (elapsed + 1.0) + 5
    print(f"flooder: sent {sent} requests ({sent_bytes} bytes) in {elapsed:.1f}s, got {answers} answers "
          f"({got_bytes} bytes; bound {bound:.0f} answers); bytes out/in {got_bytes / max(sent_bytes, 1):.4f}")
    print(f"ntpq-like client: {nq[2]}/{nq[1]} answered")
    print(f"sysstats: {stats}")
    ok = True
    if sent < 5000:
        print("FAIL: the flooder sent too little to be a flood"); ok = False
    if answers > bound:
        print("FAIL: the flooder was answered above the per-client rate"); ok = False
    if answers < CLIENT_BURST / 2:
        print("FAIL: the flooder got (almost) nothing: the limit is not a rate"); ok = False
    if got_bytes > answers * MAX_DATAGRAM * 4 or got_bytes > (bound + 1) * MAX_DATAGRAM:
        print("FAIL: response bytes above the bound"); ok = False
    # At most 1 in 20 lost after its retry: the flood outpaces the daemon and the kernel drops
    # datagrams at the full socket before tempusd sees them, whatever their source (2 of 60 lost in
    # 2 of 6 full runs; 0 in the others). More than that means the limiter starves it.
    if nq[1] < 48 or nq[2] < nq[1] - nq[1] // 20:
        print("FAIL: the ntpq-like client lost answers"); ok = False
    if stats.get("ss_limited", 0) < 1 or stats.get("ss_limited", 0) > sent:
        print("FAIL: the drops are not counted in sysstats ss_limited"); ok = False
    print("PASS" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
