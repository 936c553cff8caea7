#!/usr/bin/env python3
"""tempusd's sd_notify messages, read from a datagram socket this test owns (NOTIFY_SOCKET).

Node A (clock virtual, one synchronized source, WATCHDOG_USEC=1 s): READY=1 with a STATUS= line;
STATUS= says "synchronized to <source>, offset <s> s" once it is; WATCHDOG=1 comes regularly;
SIGHUP with a good file gives RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC, µs) then READY=1
with STATUS "reload ok; ..."; a broken file gives RELOADING=1, READY=1 with "reload failed:
FILE:LINE:COL: ... (running configuration kept)" (and the daemon keeps running and synchronized);
fixed again, "reload ok"; SIGTERM gives STOPPING=1.
Node B (its only source is unsynchronized; WATCHDOG_PID of another process, so no watchdog):
STATUS= says "not synchronized: " and the same words as `tempus status`'s "why:" line; no
WATCHDOG=1. The unit files: tempus-wait.service is ordered after tempusd and before
time-sync.target, tempusd.service has WatchdogSec= and reloads with SIGHUP; systemd-analyze
verify accepts both (with the paths pointed at the build).
Everything on loopback, every wait bounded. Exit 77 (skipped) for a tempusd built without
libsystemd.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TEMPUSD = os.path.abspath(os.environ["TEMPUSD"])
TEMPUS = os.path.abspath(os.environ["TEMPUS"])
HERE = os.path.dirname(os.path.abspath(__file__))
DIST = os.path.join(HERE, "..", "..", "dist")

if b"libsystemd" not in subprocess.run(["ldd", TEMPUSD], capture_output=True).stdout:
    print("skip: tempusd was built without libsystemd (no sd_notify)")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="tempus-notify-")
procs = []
fails = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + (f" ({detail})" if detail and not ok else ""))
    if not ok:
        fails.append(what)


class Listener:
    """A datagram socket standing in for systemd's notification socket."""

    def __init__(self, name):
        self.path = os.path.join(tmp, name + ".sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.seen = []  # every message, as a dict, in order

    def next(self, timeout):
        self.sock.settimeout(max(timeout, 0.01))
        try:
            data = self.sock.recv(4096).decode("utf-8", "replace")
        except socket.timeout:
            return None
        msg = dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
        self.seen.append(msg)
        return msg

    def expect(self, pred, timeout):
        """The first message (from now on) for which pred holds, or None after timeout s."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg = self.next(end - time.monotonic())
            if msg is not None and pred(msg):
                return msg
        return None


def start(args, name, notify=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    if notify is not None:
        env["NOTIFY_SOCKET"] = notify.path
    env.update(env_extra or {})
    log = open(os.path.join(tmp, name + ".log"), "w")
    p = subprocess.Popen([TEMPUSD] + args + ["--duration", "110"], env=env, stderr=log, stdout=log)
    procs.append(p)
    return p


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    up, unsynced = "127.0.0.51:12351", "127.0.0.53:12353"
    a_addr, b_addr = "127.0.0.52:12352", "127.0.0.54:12354"
    start(["--clock=virtual", "--listen", up, "--stratum", "1"], "up")
    start(["--clock=virtual", "--listen", unsynced], "unsynced")
    conf = os.path.join(tmp, "a.conf")
    good = f"clock virtual offset 0.2\nserver 127.0.0.51 port 12351 iburst minpoll 4 maxpoll 4\n"
    write(conf, good)
    a_sock, b_sock = Listener("a"), Listener("b")
    a = start(["-c", conf, "--listen", a_addr], "a", a_sock, {"WATCHDOG_USEC": "1000000"})
    start(["--clock=virtual", "--listen", b_addr, "--server", unsynced, "--iburst", "--minpoll", "4", "--maxpoll", "4"],
          "b", b_sock, {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})

    ready = a_sock.expect(lambda m: m.get("READY") == "1", 15)
    check("A: READY=1 with a STATUS= line", ready is not None and "STATUS" in ready, ready)
    synced = a_sock.expect(lambda m: m.get("STATUS", "").startswith("synchronized to"), 60)
    check("A: STATUS= synchronized to its source, with the offset", synced is not None and re.fullmatch(
        r"synchronized to 127\.0\.0\.51:12351, offset [-+]\d+\.\d{6} s", synced["STATUS"]) is not None, synced)
    pings = lambda: sum(1 for m in a_sock.seen if m.get("WATCHDOG") == "1")
    if pings() < 3:
        a_sock.expect(lambda m: pings() >= 3, 10)
    check(f"A: WATCHDOG=1 again and again (WATCHDOG_USEC 1 s: {pings()} seen)", pings() >= 3)

    # A good reload.
    write(conf, good + "# reloaded\n")
    a.send_signal(signal.SIGHUP)
    reloading = a_sock.expect(lambda m: m.get("RELOADING") == "1", 10)
    now_us = time.monotonic() * 1e6
    usec = int(reloading.get("MONOTONIC_USEC", "0")) if reloading else 0
    check("A: SIGHUP: RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC µs)",
          reloading is not None and abs(usec - now_us) < 10e6, reloading)
    done = a_sock.expect(lambda m: m.get("READY") == "1", 10)
    check("A: then READY=1, STATUS= reload ok and still synchronized",
          done is not None and done.get("STATUS", "").startswith("reload ok; synchronized to 127.0.0.51:12351"), done)

    # A broken file: the error, and the running configuration kept.
    write(conf, good + "server 127.0.0.51 minpoll fast\n")
    a.send_signal(signal.SIGHUP)
    reloading = a_sock.expect(lambda m: m.get("RELOADING") == "1", 10)
    done = a_sock.expect(lambda m: m.get("READY") == "1", 10)
    status = done.get("STATUS", "") if done else ""
    check("A: broken file: RELOADING=1 then READY=1", reloading is not None and done is not None)
    check("A: STATUS= reload failed: FILE:3:COL: the error, running configuration kept, still synchronized",
          re.match(re.escape(f"reload failed: {conf}:3:") + r"\d+: .*\(running configuration kept\); "
                   r"synchronized to 127\.0\.0\.51:12351", status) is not None, status)
    check("A: still running after the broken reload", a.poll() is None)
    write(conf, good)
    a.send_signal(signal.SIGHUP)
    done = a_sock.expect(lambda m: m.get("READY") == "1", 10)
    check("A: fixed: reload ok again", done is not None and done.get("STATUS", "").startswith("reload ok; "), done)

    # B: why it is not synchronized, in tempus status's words; no watchdog for another PID.
    # Its source answers LI 3 (unsynchronized) once its first reply is in.
    why = b_sock.expect(lambda m: m.get("STATUS") == "not synchronized: no source is synchronized", 40)
    out = subprocess.run([TEMPUS, "status", b_addr], capture_output=True, text=True, timeout=10).stdout
    said = re.search(r"^  why: +(.*)$", out, re.M)
    check("B: STATUS= not synchronized: <why>, in the words of tempus status's why: line",
          why is not None and said is not None and why["STATUS"] == "not synchronized: " + said.group(1),
          f"{why} / {out!r}")
    check("B: no WATCHDOG=1 when WATCHDOG_PID is another process",
          not any(m.get("WATCHDOG") == "1" for m in b_sock.seen))

    a.send_signal(signal.SIGTERM)
    check("A: SIGTERM: STOPPING=1", a_sock.expect(lambda m: m.get("STOPPING") == "1", 10) is not None)
    a.wait(timeout=10)

    check_units()


def check_units():
    units = {name: open(os.path.join(DIST, name)).read() for name in ("tempusd.service", "tempus-wait.service")}
    wait, daemon = units["tempus-wait.service"], units["tempusd.service"]
    for line in ("Before=time-sync.target", "Wants=time-sync.target", "After=tempusd.service", "Type=oneshot"):
        check(f"tempus-wait.service: {line}", re.search(rf"^{re.escape(line)}$", wait, re.M) is not None)
    check("tempus-wait.service runs tempus waitsync",
          re.search(r"^ExecStart=/usr/bin/tempus waitsync ", wait, re.M) is not None)
    for pattern in (r"Type=notify", r"WatchdogSec=\S+", r"ExecReload=/bin/kill -HUP \$MAINPID"):
        check(f"tempusd.service: {pattern}", re.search(rf"^{pattern}$", daemon, re.M) is not None)
    # systemd 252 (Debian 12) has no Type=notify-reload: `systemctl reload` reports a broken file
    # because the first ExecReload= checks it and fails before the signal is sent.
    reloads = re.findall(r"^ExecReload=(.*)$", daemon, re.M)
    start = re.search(r"^ExecStart=/usr/sbin/tempusd -c (\S+)$", daemon, re.M)
    check("tempusd.service: the first ExecReload= checks the file ExecStart reads",
          start is not None and len(reloads) == 2 and
          reloads[0] == f"/usr/sbin/tempusd --check-config {start.group(1)}", reloads)
    if start is not None and reloads:
        good, bad = os.path.join(tmp, "reload-good.conf"), os.path.join(tmp, "reload-bad.conf")
        write(good, "server 127.0.0.1 iburst\nclock virtual\n")
        write(bad, "server 127.0.0.1 iburst\nrestrict default nomodfy\n")
        for path, want in ((good, 0), (bad, 1)):
            argv = reloads[0].replace("/usr/sbin/tempusd", TEMPUSD).replace(start.group(1), path).split()
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            check(f"ExecReload check on {os.path.basename(path)} exits {'0' if want == 0 else 'non-zero'}",
                  (r.returncode == 0) == (want == 0), (r.returncode, r.stderr[-300:]))
            if want:
                check("ExecReload check names the file and line", f"{path}:2:" in r.stdout + r.stderr,
                      r.stdout[-300:] + r.stderr[-300:])
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("skip: no systemd-analyze")
        return
    units_dir = os.path.join(tmp, "units")
    os.mkdir(units_dir)
    for name, text in units.items():
        text = text.replace("/usr/sbin/tempusd", TEMPUSD).replace("/usr/bin/tempus ", TEMPUS + " ")
        write(os.path.join(units_dir, name), text)
    r = subprocess.run([analyze, "verify"] + [os.path.join(units_dir, n) for n in units],
                       capture_output=True, text=True, timeout=60)
    # Only complaints about these two files count (not about the host's other units).
    complaints = [l for l in (r.stdout + r.stderr).splitlines() if "tempus" in l]
    check("systemd-analyze verify: no complaint about the units", not complaints, complaints)


try:
    main()
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
    if fails:
        for name in ("a", "b"):
            path = os.path.join(tmp, name + ".log")
            if os.path.exists(path):
                print(f"----- {name}.log (last 15 lines)")
                print("".join(open(path).readlines()[-15:]), end="")
    shutil.rmtree(tmp, ignore_errors=True)
print(f"{len(fails)} failed")
sys.exit(1 if fails else 0)
