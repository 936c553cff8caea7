#!/usr/bin/env python3
"""dist/grafana/tempus-dashboard.json and dist/prometheus/tempus-alerts.yml against a live tempusd.

Both files parse (json; yaml with python3-yaml, else a line parser of the rules file); every
metric a query or a rule names exists in the /metrics of live tempusd nodes (clock virtual and
clock observe, each following a stratum 1 tempusd on loopback), every label a selector, `by`,
`on` or `group_left` names is one those metrics carry (or job/instance, which Prometheus adds);
brackets and quotes balance; the dashboard shows offset, jitter, stratum, reach, skew, requests
and drops, and the rules alert on unsynchronized, skew and no reachable source. The checker is
first shown a misspelt metric and label, which it must report.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

TEMPUSD = os.environ["TEMPUSD"]
HERE = os.path.dirname(os.path.abspath(__file__))
DIST = os.path.join(HERE, "..", "..", "dist")
DASHBOARD = os.path.join(DIST, "grafana", "tempus-dashboard.json")
RULES = os.path.join(DIST, "prometheus", "tempus-alerts.yml")
TARGET_LABELS = {"job", "instance"}  # added by Prometheus to every scraped series
fails = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        fails.append(what)


def load_rules(path):
    """The rules as [{"alert":..., "expr":..., ...}] (python3-yaml, or a parser of this file's shape)."""
    text = open(path).read()
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        doc = yaml.safe_load(text)
        return [r for g in doc["groups"] for r in g["rules"]], "yaml"
    rules, key, block = [], None, None
    for line in text.splitlines():
        if re.match(r"^\s*#", line) or not line.strip():
            continue
        m = re.match(r"^(\s*)(- )?(\w+):\s*(.*)$", line)
        if block is not None and (m is None or len(m.group(1)) + (2 if m.group(2) else 0) > block):
            rules[-1][key] += line.strip() + " "
            continue
        block = None
        if m is None:
            raise ValueError(f"cannot parse: {line}")
        indent, dash, k, v = m.groups()
        if k == "alert":
            rules.append({"alert": v})
        elif rules and k in ("expr", "for", "summary", "description", "severity"):
            key = k
            if v in ("|", ">-", ">"):
                rules[-1][k], block = "", len(indent)
            else:
                rules[-1][k] = v.strip('"')
    return rules, "line parser"


def scrape(url, wait_for, timeout=60):
    """name -> set of label names, from the text exposition at url (once `wait_for` is in it)."""
    end = time.monotonic() + timeout
    body = ""
    while time.monotonic() < end:
        try:
            body = urllib.request.urlopen(url, timeout=1).read().decode()
            if re.search(rf"^{wait_for}", body, re.M):
                break
        except OSError:
            pass
        time.sleep(0.2)
    metrics = {}
    for line in body.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? ", line)
        if m:
            labels = set(re.findall(r'(\w+)="', m.group(3) or ""))
            metrics.setdefault(m.group(1), set()).update(labels)
    return metrics


def problems(expr, metrics):
    """What is wrong with one PromQL expression, given the live metrics."""
    out = []
    all_labels = set().union(*metrics.values()) | TARGET_LABELS
    for opening, closing in ("()", "{}", "[]"):
        if expr.count(opening) != expr.count(closing):
            out.append(f"unbalanced {opening}{closing}")
    if expr.count('"') % 2:
        out.append("unbalanced quotes")
    for name, _, matchers in re.findall(r"\b(tempus_[a-z0-9_]+)\b(\{([^}]*)\})?", expr):
        if name not in metrics:
            out.append(f"no metric {name}")
            continue
        for label in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers):
            if label not in metrics[name] | TARGET_LABELS:
                out.append(f"{name} has no label {label}")
    for words in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", expr):
        for label in re.findall(r"\w+", words):
            if label not in all_labels:
                out.append(f"no metric has a label {label}")
    return out


def main():
    dashboard = json.load(open(DASHBOARD))
    check("the dashboard is JSON with panels", isinstance(dashboard.get("panels"), list) and dashboard["panels"])
    queries = {}
    for p in dashboard["panels"]:
        for t in p.get("targets", []):
            queries[f'panel "{p["title"]}" {t["refId"]}'] = t["expr"]
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            queries[f'variable {v["name"]}'] = v["definition"]
    rules, parser = load_rules(RULES)
    check(f"the rules parse ({parser}), each with alert, expr, for, severity, summary",
          rules and all(r.get("expr") and r.get("for") and (r.get("labels", {}).get("severity") or r.get("severity"))
                        and (r.get("annotations", {}).get("summary") or r.get("summary")) for r in rules))
    for r in rules:
        queries[f'rule {r["alert"]}'] = r["expr"]

    procs = []
    try:
        common = ["--duration", "60", "--server", "127.0.0.81:12381", "--iburst", "--minpoll", "4", "--maxpoll", "4"]
        for args in (["--clock=virtual", "--listen", "127.0.0.81:12381", "--stratum", "1", "--duration", "60"],
                     ["--clock=virtual", "--listen", "127.0.0.82:12382", "--metrics", "127.0.0.1:19382"] + common,
                     ["--clock=observe", "--listen", "127.0.0.83:12383", "--metrics", "127.0.0.1:19383"] + common):
            procs.append(subprocess.Popen([TEMPUSD] + args, stderr=subprocess.DEVNULL))
        metrics = {}
        for port in (19382, 19383):
            for name, labels in scrape(f"http://127.0.0.1:{port}/metrics", r"tempus_source_offset_seconds\{").items():
                metrics.setdefault(name, set()).update(labels)
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
    check(f"live tempusd /metrics read ({len(metrics)} metrics)", "tempus_source_reach" in metrics)

    bad = problems('rate(tempus_server_request_total{reasn="x"}[5m]) + tempus_source_reach{reasn="y"}', metrics)
    check("the checker reports a misspelt metric and label",
          "no metric tempus_server_request_total" in bad and "tempus_source_reach has no label reasn" in bad, bad)
    for where, expr in queries.items():
        found = problems(expr, metrics)
        check(f"{where}: {' '.join(expr.split())[:90]}", not found, "; ".join(found))

    text = " ".join(queries[k] for k in queries if k.startswith("panel"))
    for name in ("tempus_system_offset_seconds", "tempus_system_jitter_seconds", "tempus_system_stratum",
                 "tempus_source_reach", "tempus_server_requests_total", "tempus_server_drops_total"):
        check(f"the dashboard shows {name}", name in text)
    check("the dashboard shows the cluster skew (max - min of the offsets)",
          re.search(r"max\(tempus_system_offset_seconds[^)]*\)\s*-\s*min\(tempus_system_offset_seconds", text) is not None)
    by_alert = {r["alert"]: " ".join(r["expr"].split()) for r in rules}
    check("an alert on unsynchronized nodes", any("tempus_system_synchronized" in e and "== 0" in e for e in by_alert.values()))
    check("an alert on the skew above a bound",
          any(re.search(r"tempus_system_offset_seconds.*-.*tempus_system_offset_seconds.*> [0-9.]+", e) for e in by_alert.values()))
    check("an alert on no reachable source", any("tempus_source_reach" in e and "== 0" in e for e in by_alert.values()))


main()
print(f"{len(fails)} failed")
sys.exit(1 if fails else 0)
