#!/usr/bin/env python3
"""Mode 6 flood test: tempusd on 127.0.0.1 lets loopback query (restrict 127.0.0.0/8 without
noquery); one loopback source sends READVAR requests (ntpq rv) as fast as it can, while an
ntpq-like client on another loopback address sends a burst of 12 requests (READSTAT, then
READVARs, as `ntpq -p` does) every 2 s.

Passes when the flooder's answers stay within the per-client bound (burst + rate x duration of
core::control::ControlLimitConfig), its response bytes within 480 per answer, the ntpq-like client
gets every answer, and the drops show in ntpq's sysstats (ss_limited). Prints the figures. Every
loop is bounded in count and time; tempusd is stopped by its PID in all cases.
"""
import multiprocessing as mp
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

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
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.98", 0))
    s.setblocking(False)
    sent = sent_bytes = answers = got_bytes = 0
    pkt = readvar(1)
    start = time.monotonic()
    while time.monotonic() < stop_at and sent < MAX_PACKETS:
        for _ in range(64):
            try:
                s.sendto(pkt, SERVER)
                sent += 1
                sent_bytes += len(pkt)
            except (BlockingIOError, ConnectionRefusedError):
                pass
        for _ in range(64):
            try:
                data = s.recv(4096)
            except (BlockingIOError, ConnectionRefusedError):
                break
            got_bytes += len(data)
            if len(data) >= 12 and not data[1] & 0x20:  # the last fragment of an answer
                answers += 1
    elapsed = time.monotonic() - start
    # Collect what is still in flight (bounded).
    s.settimeout(0.3)
    for _ in range(10_000):
        try:
            data = s.recv(4096)
        except (socket.timeout, ConnectionRefusedError):
            break
        got_bytes += len(data)
        if len(data) >= 12 and not data[1] & 0x20:
            answers += 1
    out.put(("flooder", sent, sent_bytes, answers, got_bytes, elapsed))


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
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.97", 0))
    s.settimeout(1.0)
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
            answered += exchange(s, req, seq)
        next_round += 2.0
    out.put(("ntpq", sent, answered))


def sysstats(names):
    """READVAR of `names` from 127.0.0.96 after the flood: {name: int}."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.96", 0))
    s.settimeout(1.0)
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
    tempusd = os.environ.get("TEMPUSD")
    if not tempusd or not os.path.exists(tempusd):
        print("mode6_flood_test: TEMPUSD not set", file=sys.stderr)
        return 1
    workdir = tempfile.mkdtemp(prefix="tempus-m6flood-")
    conf = os.path.join(workdir, "ntp.conf")
    with open(conf, "w") as f:
        f.write("clock virtual\n"
                "local stratum 3\n"
                "restrict default limited kod nomodify nopeer noquery\n"
                "restrict 127.0.0.0 mask 255.0.0.0\n")
    log = open(os.path.join(workdir, "tempusd.log"), "w")
    daemon = subprocess.Popen([tempusd, "-c", conf, "--listen", f"127.0.0.1:{PORT}",
                               "--duration", str(DURATION + 20)], stdout=log, stderr=log)
    results = []
    stats = {}
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.199", 0))
        probe.settimeout(0.2)
        for i in range(50):
            probe.sendto(readstat(1000 + i), SERVER)
            try:
                probe.recv(4096)
                break
            except socket.timeout:
                if daemon.poll() is not None:
                    break
        else:
            print("mode6_flood_test: tempusd did not answer", file=sys.stderr)
            return 1
        if daemon.poll() is not None:
            print("mode6_flood_test: tempusd exited", file=sys.stderr)
            return 1
        stop_at = time.monotonic() + DURATION
        out = mp.Queue()
        procs = [mp.Process(target=flooder, args=(stop_at, out)),
                 mp.Process(target=ntpq_like, args=(stop_at, out))]
        for p in procs:
            p.start()
        results = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=10)
        stats = sysstats("ss_numctlreq,ss_limited")
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        log.close()

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
    if nq[1] < 48 or nq[2] < nq[1]:
        print("FAIL: the ntpq-like client lost answers"); ok = False
    if stats.get("ss_limited", 0) < 1 or stats.get("ss_limited", 0) > sent:
        print("FAIL: the drops are not counted in sysstats ss_limited"); ok = False
    print("PASS" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
