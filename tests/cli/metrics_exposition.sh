#!/usr/bin/env bash
# A synced tempusd serves /metrics; the real Prometheus text parser (python3-prometheus-client)
# reads it, and the values say what the node is: synchronized, stratum 2, one source that is the
# system peer, replies counted, statistics lines written.
set -u
pids=()
tmp=$(mktemp -d)
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
printf 'statsdir %s\nstatistics peerstats loopstats\n' "$tmp" > "$tmp/stats.conf"
"$TEMPUSD" --clock=virtual --listen 127.0.0.21:12321 --stratum 1 --duration 40 2>/dev/null &
pids+=($!)
"$TEMPUSD" -c "$tmp/stats.conf" --clock=virtual --virtual-offset=0.02 --listen 127.0.0.22:12322 --server 127.0.0.21:12321 \
  --iburst --minpoll 4 --maxpoll 4 --metrics 127.0.0.1:19322 --duration 40 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do
  body=$(/usr/bin/python3 -c 'import urllib.request;print(urllib.request.urlopen("http://127.0.0.1:19322/metrics",timeout=1).read().decode())' 2>/dev/null) &&
    grep -q '^tempus_system_synchronized 1' <<<"$body" && grep -q '^tempus_source_offset_seconds' <<<"$body" && break
  sleep 0.2
done
/usr/bin/python3 - "$body" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(sys.argv[1])}
def value(name, **labels):
    for s in fams[name].samples:
        if all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise KeyError(name)
checks = [
    ("synchronized", value("tempus_system_synchronized") == 1),
    ("stratum 2", value("tempus_system_stratum") == 2),
    ("source is the system peer", value("tempus_source_selection", source="127.0.0.21:12321", state="system_peer") == 1),
    ("server counters are counters", fams["tempus_server_replies"].type == "counter"),
    ("drop reasons labelled", value("tempus_server_drops", reason="too_short") == 0),
    ("source offset near 0 after correction", abs(value("tempus_source_offset_seconds", source="127.0.0.21:12321")) < 0.05),
    ("statistics lines written", value("tempus_stats_lines") >= 1 and fams["tempus_stats_lines"].type == "counter"),
    ("no statistics dropped", value("tempus_stats_dropped") == 0),
]
fails = [n for n, ok in checks if not ok]
for n, ok in checks: print(("ok: " if ok else "FAIL: ") + n)
print(f"{len(checks)-len(fails)} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
PY
