#!/usr/bin/env python3
"""server_bench_report.py: the table of bench/server_bench.sh from the files it wrote.

Reads DIR/r<ROUND>-<SERVER>-{closed,open,sysload}.json (ntp_load reports), r*-perf.txt (perf
stat syscall counts), callgrind-<SERVER>.{json,ir}, idle-<SERVER>.txt and machine.txt; prints a Markdown table of
each figure's median over rounds (with the range when there are several rounds) and its ratio
to chronyd and to the minimal responder, and writes DIR/summary.json.

  server_bench_report.py DIR [--check SERVER...]

--check (the smoke test): exit 1 unless every listed server answered in every closed- and
open-loop run of every round and never died, and (the -nts servers) no reply was refused as an
NTS reply. It asserts nothing about speed.

The -nts servers (server_bench.sh --nts) are the same daemons answering NTS-protected requests
(RFC 8915 §5); their columns come beside the plain ones, with ratios to chronyd-nts and each
server's NTS ÷ plain.
"""
import glob
import json
import os
import re
import statistics
import sys

ORDER = ["tempusd", "tempusd-ref", "chronyd", "ntpsec", "minimal", "minimal-batched", "tempusd-nts", "chronyd-nts"]
NAMES = {"tempusd": "tempusd", "tempusd-ref": "tempusd (ref)", "chronyd": "chronyd 4.3", "ntpsec": "NTPsec 1.2.2",
         "minimal": "minimal", "minimal-batched": "minimal batched",
         "tempusd-nts": "tempusd NTS", "chronyd-nts": "chronyd 4.3 NTS"}


def load_runs(d):
    """{server: {round: {phase: report}}} from the ntp_load JSON files."""
    runs = {}
    for path in glob.glob(os.path.join(d, "r*-*-*.json")):
        m = re.match(r"r(\d+)-(.+)-(closed|open|sysload)\.json$", os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            runs.setdefault(m.group(2), {}).setdefault(int(m.group(1)), {})[m.group(3)] = json.load(f)
    return runs


def syscalls_per_request(d, server, rnd, runs):
    """Syscalls per answered request from perf stat's count over 2 s and the load's rate."""
    path = os.path.join(d, f"r{rnd}-{server}-perf.txt")
    load = runs.get(server, {}).get(rnd, {}).get("sysload")
    if not os.path.exists(path) or not load or load["answered_per_s"] <= 0:
        return None
    with open(path) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[2].startswith("raw_syscalls:sys_enter") and fields[0].isdigit():
                return int(fields[0]) / 2.0 / load["answered_per_s"]
    return None


def instructions_per_request(d, server):
    ir_path = os.path.join(d, f"callgrind-{server}.ir")
    js_path = os.path.join(d, f"callgrind-{server}.json")
    if not (os.path.exists(ir_path) and os.path.exists(js_path)):
        return None
    with open(ir_path) as f:
        text = f.read().strip()
    with open(js_path) as f:
        load = json.load(f)
    responses = load["answered"] + load["kod"]
    return int(text) / responses if text.isdigit() and responses > 0 else None


def nts_sessions(d, server, runs):
    """The NTS-KE sessions (clients with keys of their own) ntp_load ran with, from every report."""
    reports = [rep[phase] for rep in runs.get(server, {}).values() for phase in rep]
    js_path = os.path.join(d, f"callgrind-{server}.json")
    if os.path.exists(js_path):
        with open(js_path) as f:
            reports.append(json.load(f))
    return [r["nts"].get("sessions", 1) for r in reports if "nts" in r]


def idle_wakeups_per_s(d, server):
    path = os.path.join(d, f"idle-{server}.txt")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        fields = f.read().split()
    return int(fields[0]) / float(fields[1]) if len(fields) == 2 and float(fields[1]) > 0 else None


def server_field(report, key):
    s = report.get("server") or {}
    return s.get(key) if s.get("alive") else None


# (label, phase, extractor, format, ratio?) for each row of the table.
ROWS = [
    ("CPU µs per response at saturation", "closed", lambda r: server_field(r, "cpu_us_per_response"), "{:.2f}", True),
    ("answered per second at saturation", "closed", lambda r: r["answered_per_s"], "{:,.0f}", True),
    ("server CPU use at saturation", "closed", lambda r: server_field(r, "cpu_use"), "{:.0%}", False),
    ("p50 latency at 1.5× overload (ms)", "open", lambda r: r["latency_us"]["p50"] / 1000, "{:.3g}", True),
    ("p99 latency at 1.5× overload (ms)", "open", lambda r: r["latency_us"]["p99"] / 1000, "{:.3g}", False),
    ("server's share: p50 of T3 − T2 at 1.5× overload (ms)", "open",
     lambda r: r["server_sojourn_us"]["p50"] / 1000 if r["server_sojourn_us"]["count"] else None, "{:.3g}", False),
    ("generator's share: p50 reply wait in its queue (ms)", "open",
     lambda r: r["reply_wait_us"]["p50"] / 1000 if r["reply_wait_us"]["count"] else None, "{:.3g}", False),
    ("server receive queue at 1.5× overload, mean (KiB)", "open",
     lambda r: r["server_queue_bytes"]["mean"] / 1024 if r["server_queue_bytes"]["samples"] else None, "{:.0f}", False),
    ("answered per second at 1.5× overload", "open", lambda r: r["answered_per_s"], "{:,.0f}", False),
    ("offered per second at 1.5× overload", "open", lambda r: r["sent_per_s"], "{:,.0f}", False),
    ("lost at 1.5× overload", "open", lambda r: r["loss"], "{:.0%}", False),
    ("server CPU waiting for its core (noise)", "closed",
     lambda r: (server_field(r, "runqueue_wait_s") or 0) / r["window_s"] if r["window_s"] else None, "{:.1%}", False),
    ("server peak resident memory (MB)", "open", lambda r: server_field(r, "peak_rss_mb"), "{:.1f}", False),
    ("load generator CPU use, closed loop", "closed", lambda r: r["generator_cpu_use"], "{:.0%}", False),
]


def cell(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return None, "–"
    med = statistics.median(values)
    text = fmt.format(med)
    if len(values) > 1 and min(values) != max(values):
        text += f" ({fmt.format(min(values))}–{fmt.format(max(values))})"
    return med, text


def build_table(d, runs):
    servers = [s for s in ORDER if s in runs or any(
        os.path.exists(os.path.join(d, f)) for f in (f"callgrind-{s}.ir", f"idle-{s}.txt"))]
    table = []  # (label, {server: (median, text)}, ratio?)
    for label, phase, extract, fmt, ratio in ROWS:
        row = {}
        for s in servers:
            vals = []
            for rep in runs.get(s, {}).values():
                if phase in rep:
                    try:
                        vals.append(extract(rep[phase]))
                    except (KeyError, TypeError, ZeroDivisionError):
                        vals.append(None)
            row[s] = cell(vals, fmt)
        if any(v[0] is not None for v in row.values()):
            table.append((label, row, ratio))
    sys_row = {s: cell([syscalls_per_request(d, s, r, runs) for r in runs.get(s, {})], "{:.2f}") for s in servers}
    if any(v[0] is not None for v in sys_row.values()):
        table.append(("syscalls per request at saturation", sys_row, True))
    ins_row = {s: cell([instructions_per_request(d, s)], "{:,.0f}") for s in servers}
    if any(v[0] is not None for v in ins_row.values()):
        table.append(("user-space instructions per request (callgrind)", ins_row, True))
    sessions_row = {s: cell(nts_sessions(d, s, runs), "{:.0f}") for s in servers}
    if any(v[0] is not None for v in sessions_row.values()):
        table.append(("NTS-KE sessions (clients with keys of their own)", sessions_row, False))
    idle_row = {s: cell([idle_wakeups_per_s(d, s)], "{:.2f}") for s in servers}
    if any(v[0] is not None for v in idle_row.values()):
        table.append(("idle wake-ups per second, 4 upstreams", idle_row, True))
    return servers, table


def ratio_text(value, base):
    if value is None or base is None or base == 0:
        return "–"
    return f"{value / base:.2f}"


def render(servers, table):
    head = "| figure | " + " | ".join(NAMES[s] for s in servers) + " |"
    rule = "|---" * (len(servers) + 1) + "|"
    lines = [head, rule]
    for label, row, _ in table:
        lines.append(f"| {label} | " + " | ".join(row[s][1] for s in servers) + " |")
    for base in ("chronyd", "minimal", "minimal-batched", "tempusd-ref", "chronyd-nts"):
        if base not in servers:
            continue
        lines += ["", f"Ratios to {NAMES[base]} (medians; below 1 is less CPU, fewer calls, lower latency, "
                      "or fewer answers):", "", head, rule]
        for label, row, ratio in table:
            if ratio:
                b = row[base][0]
                lines.append(f"| {label} | " + " | ".join(ratio_text(row[s][0], b) for s in servers) + " |")
    pairs = [s for s in servers if s + "-nts" in servers]
    if pairs:
        nts_head = "| figure | " + " | ".join(f"{NAMES[s]}: NTS ÷ plain" for s in pairs) + " |"
        lines += ["", "The cost of NTS (medians, each server's NTS figure over its plain one):", "", nts_head,
                  "|---" * (len(pairs) + 1) + "|"]
        for label, row, ratio in table:
            if ratio:
                lines.append(f"| {label} | " + " | ".join(ratio_text(row[s + "-nts"][0], row[s][0]) for s in pairs) + " |")
    return "\n".join(lines)


def check(d, runs, wanted):
    problems = []
    for s in wanted:
        if s not in runs:
            problems.append(f"{s}: no results")
            continue
        for rnd, rep in sorted(runs[s].items()):
            for phase in ("closed", "open"):
                r = rep.get(phase)
                if r is None:
                    problems.append(f"{s} round {rnd}: no {phase}-loop result")
                elif r["answered"] <= 0:
                    problems.append(f"{s} round {rnd}: answered nothing in the {phase} loop")
                elif not (r.get("server") or {}).get("alive"):
                    problems.append(f"{s} round {rnd}: server gone during the {phase} loop")
                elif s.endswith("-nts") and "nts" not in r:
                    problems.append(f"{s} round {rnd}: the {phase} loop was not NTS")
                elif (r.get("nts") or {}).get("refused", 0) > 0 or (r.get("nts") or {}).get("seal_failures", 0) > 0:
                    problems.append(f"{s} round {rnd}: {phase} loop: NTS replies refused or requests not sealed: "
                                    f"{r['nts']}")
    problems += [open(p).read().strip() for p in glob.glob(os.path.join(d, "r*-died"))]
    return problems


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    d = argv[1]
    runs = load_runs(d)
    servers, table = build_table(d, runs)
    machine = ""
    if os.path.exists(os.path.join(d, "machine.txt")):
        with open(os.path.join(d, "machine.txt")) as f:
            machine = "; ".join(line.strip() for line in f)
    rounds = max((len(v) for v in runs.values()), default=0)
    print(f"\n{rounds} round(s); medians (range). Machine: {machine}\n")
    print(render(servers, table))
    summary = {"machine": machine, "rounds": rounds,
               "figures": {label: {s: row[s][0] for s in servers} for label, row, _ in table}}
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    if len(argv) > 2 and argv[2] == "--check":
        problems = check(d, runs, argv[3:])
        for p in problems:
            print(f"FAIL: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"\nsmoke check: every server answered and none died ({', '.join(argv[3:])})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
