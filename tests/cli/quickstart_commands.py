#!/usr/bin/env python3
"""Every tempus/tempusd command docs/zh-CN/quickstart.md shows exists and parses.

Commands are taken from the fenced code blocks (a line starting with `tempus `, `tempusd `,
optionally after `sudo ` or a `$ ` prompt; cut at a pipe, `&&`, `;` or a redirection) and from
inline code spans that start the same way (the ntpdate table; a bare `tempus peers` in a sentence names a subcommand). Each runs with
TEMPUS_PARSE_ONLY=1: the programs check the whole command line as for a run (subcommand, every
option and its value) and then run nothing: no name lookup, no packet, no clock. Two wrong lines
are shown first and must be refused (the check can fail). The ```conf blocks pass
`tempusd --check-config` (their keys file pointed at a test key), and the --check-config output
the quickstart shows for the stock CentOS 7 ntp.conf is what tempusd prints for it.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
DOC = os.path.join(ROOT, "docs", "zh-CN", "quickstart.md")
CENTOS = os.path.join(ROOT, "tests", "config", "testdata", "centos7-ntp.conf")
BINARIES = {"tempus": os.path.abspath(os.environ["TEMPUS"]), "tempusd": os.path.abspath(os.environ["TEMPUSD"])}
fails = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        fails.append(what)


def command_of(text):
    """The argv of a tempus/tempusd command in `text`, or None when it is not one."""
    text = re.sub(r"^\s*(\$|#)\s+", "", text.strip())
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        return None
    if words[:1] == ["sudo"]:
        words = words[1:]
    if not words or words[0] not in BINARIES:
        return None
    # `tempus peers`, `tempusd` in a sentence name a program, not a command line.
    if len(words) <= 2 and not any(w.startswith("-") for w in words):
        return None
    for i, w in enumerate(words):
        if w in ("|", "&&", "||", ";", ">", ">>", "2>&1"):
            return words[:i]
    return words


def run(argv, timeout=10):
    env = dict(os.environ, TEMPUS_PARSE_ONLY="1")
    r = subprocess.run([BINARIES[argv[0]]] + argv[1:], env=env, capture_output=True, text=True, timeout=timeout)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    doc = open(DOC, encoding="utf-8").read()
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", doc, re.M | re.S)
    prose = re.sub(r"^```.*?^```", "", doc, flags=re.M | re.S)
    commands = []
    for lang, body in blocks:
        if lang in ("", "sh", "bash", "console"):
            commands += [c for c in map(command_of, body.splitlines()) if c]
    commands += [c for c in map(command_of, re.findall(r"`([^`\n]+)`", prose)) if c]

    # The commands must never run for real (a --clock=system among them): a build without the
    # parse-only mode would answer this loopback probe (exit 2, connection refused) instead of 0.
    rc, out = run(["tempus", "status", "127.0.0.1:9"])
    if rc != 0 or out:
        print(f"FAIL: TEMPUS_PARSE_ONLY is not honoured (exit {rc}: {out}); not running the quickstart's commands")
        sys.exit(1)
    rc, out = run(["tempusd", "--listen", "127.0.0.1:9", "--duration", "1"])
    if rc != 0 or out:
        print(f"FAIL: tempusd ignores TEMPUS_PARSE_ONLY (exit {rc}); not running the quickstart's commands")
        sys.exit(1)
    for bad in (["tempus", "sync", "--no-such-flag", "10.0.0.11"], ["tempus", "peer", "127.0.0.1"],
                ["tempusd", "--check-confg", "/etc/tempus/ntp.conf"]):
        rc, _ = run(bad)
        check(f"refused: {' '.join(bad)}", rc != 0)

    seen = set()
    for argv in commands:
        key = " ".join(argv)
        if key in seen:
            continue
        seen.add(key)
        rc, out = run(argv)
        check(f"parses: {key}", rc == 0, out)
    subcommands = {a[1] for a in commands if a[0] == "tempus" and len(a) > 1}
    for sub in ("peers", "status", "cluster", "query", "sync", "waitsync"):
        check(f"the quickstart shows tempus {sub}", sub in subcommands)
    check(f"the quickstart shows tempusd ({len(seen)} distinct commands in all)", any(a[0] == "tempusd" for a in commands))

    with tempfile.TemporaryDirectory() as tmp:
        keys = os.path.join(tmp, "ntp.keys")
        with open(keys, "w") as f:
            f.write("1 SHA1 0123456789abcdef0123456789abcdef01234567\n")
        os.chmod(keys, 0o600)
        confs = [body for lang, body in blocks if lang == "conf"]
        check("the quickstart has an ntp.conf example", bool(confs))
        for i, body in enumerate(confs):
            path = os.path.join(tmp, f"example{i}.conf")
            with open(path, "w") as f:
                f.write(body.replace("/etc/tempus/ntp.keys", keys))
            r = subprocess.run([BINARIES["tempusd"], "--check-config", path], capture_output=True, text=True, timeout=10)
            check(f"ntp.conf example {i + 1}: tempusd --check-config OK", r.returncode == 0, r.stdout + r.stderr)

        shown = next((body for lang, body in blocks if "includefile '/etc/ntp/crypto/pw'" in body), None)
        check("the quickstart shows --check-config on CentOS 7's ntp.conf", shown is not None)
        if shown is not None and not os.path.exists("/etc/ntp/crypto/pw") and not os.path.exists("/etc/ntp/keys"):
            path = os.path.join(tmp, "ntp.conf")
            with open(path, "w") as f:
                f.write(open(CENTOS).read() + "clock system\n")
            r = subprocess.run([BINARIES["tempusd"], "--check-config", path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=10)
            printed = r.stdout.replace(path, "/etc/tempus/ntp.conf").strip()
            check("CentOS 7 + clock system: the output shown is what tempusd prints",
                  r.returncode == 0 and printed == shown.strip(), f"\n{printed}\n---\n{shown.strip()}")


main()
print(f"{len(fails)} failed")
sys.exit(1 if fails else 0)
