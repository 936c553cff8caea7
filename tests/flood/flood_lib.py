"""flood_lib: what the flood tests share. tempusd on 127.0.0.1 with a test's ntp.conf in a fresh
temporary folder, a bounded wait until it answers, stopping it by its PID, a bounded
send-then-drain flood loop, and worker processes that report through one queue.

Every loop here is bounded in count and time; tempusd is stopped by its PID, never by name.
"""
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


# What both flood tests serve from: a virtual clock (the machine's is never touched) at stratum 3
# that rate-limits (and answers with RATE kiss-o'-death) every source unless a test's own lines
# say otherwise.
BASE_CONF = ("clock virtual\n"
             "local stratum 3\n"
             "restrict default limited kod nomodify nopeer noquery\n")


def start_tempusd(name, prefix, extra_conf, port, duration):
    """tempusd ($TEMPUSD) on 127.0.0.1:port with BASE_CONF + extra_conf, running at most
    `duration` s; None (after saying so) when $TEMPUSD is not there."""
    binary = os.environ.get("TEMPUSD")
    if not binary or not os.path.exists(binary):
        print(f"{name}: TEMPUSD not set", file=sys.stderr)
        return None
    return Tempusd(binary, prefix, BASE_CONF + extra_conf, port, duration)


def udp_from(ip, timeout):
    """A UDP socket bound to ip (any port) with the given timeout; 0 makes it non-blocking."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    s.settimeout(timeout)
    return s


class Tempusd:
    """tempusd listening on 127.0.0.1:port, configured by conf_text, logging to its own folder."""

    def __init__(self, binary, prefix, conf_text, port, duration):
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        conf = os.path.join(self.workdir, "ntp.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        self.log_path = os.path.join(self.workdir, "tempusd.log")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen([binary, "-c", conf, "--listen", f"127.0.0.1:{port}",
                                         "--duration", str(duration)],
                                        stdout=self._log, stderr=self._log)

    @property
    def pid(self):
        """The daemon's process id."""
        return self.process.pid

    def exited(self):
        """True once the daemon has exited."""
        return self.process.poll() is not None

    def wait_answering(self, name, server, bind_ip, probe, tries=50):
        """Sends probe(i) from bind_ip up to `tries` times, 0.2 s apart, until the daemon answers;
        True when it answered and still runs, else False after saying why."""
        s = udp_from(bind_ip, 0.2)
        try:
            for i in range(tries):
                s.sendto(probe(i), server)
                try:
                    s.recv(4096)
                    break
                except socket.timeout:
                    if self.exited():
                        break
            else:
                print(f"{name}: tempusd did not answer", file=sys.stderr)
                return False
        finally:
            s.close()
        if self.exited():
            print(f"{name}: tempusd exited", file=sys.stderr)
            return False
        return True

    def stop(self):
        """SIGTERM by PID, then SIGKILL after 10 s; closes the log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_tail(self, chars):
        """The last `chars` characters of the daemon's log."""
        with open(self.log_path) as f:
            return f.read()[-chars:]


def socket_drops(pid, port):
    """Datagrams the kernel dropped at the process's UDP sockets on `port` (full receive queues),
    summed over /proc/PID/net/udp and udp6 (the last column); None when unreadable."""
    total = 0
    found = False
    for table in ("udp", "udp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 13 or ":" not in fields[1]:
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                total += int(fields[-1])
                found = True
    return total if found else None


def flood(s, pkt, server, stop_at, max_packets, on_reply, bufsize, rate=None):
    """Until stop_at or max_packets sent: sends pkt 64 times from the non-blocking socket s, then
    hands up to 64 waiting replies to on_reply(data). With `rate` (packets per second) it keeps at
    or below that rate on average. Returns the number of packets sent."""
    sent = 0
    start = time.monotonic()
    while time.monotonic() < stop_at and sent < max_packets:
        if rate is not None:
            ahead = sent / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(min(ahead, 0.1))  # pacing the flood, not a logic wait
                continue
        for _ in range(64):
            try:
                s.sendto(pkt, server)
                sent += 1
            except (BlockingIOError, ConnectionRefusedError):
                pass
        for _ in range(64):
            try:
                data = s.recv(bufsize)
            except (BlockingIOError, ConnectionRefusedError):
                break
            on_reply(data)
    return sent


def start_workers(jobs):
    """Starts one process per (target, args) in jobs, each called as target(*args, queue);
    returns (processes, queue)."""
    out = mp.Queue()
    procs = [mp.Process(target=target, args=(*args, out)) for target, args in jobs]
    for p in procs:
        p.start()
    return procs, out


def collect(procs, out, timeout):
    """One result per process from the queue (each waited for at most `timeout` s), then joins."""
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    return results
