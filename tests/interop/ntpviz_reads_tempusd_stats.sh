#!/usr/bin/env bash
# ntpviz_reads_tempusd_stats.sh: NTPsec's own statistics reader (python3-ntp's ntp.statfiles,
# what ntpviz plots from) loads the peerstats and loopstats files tempusd writes.
#
# tempusd A on 127.0.0.2:123 (local stratum 2); tempusd B on 127.0.0.3:123, virtual clock 20 ms
# ahead, follows A with `statsdir`, `statistics peerstats loopstats` and the default day
# generations. Once B has written at least 1 peerstats and 3 loopstats lines, NTPStats reads the
# directory: it must keep every line (it silently drops what it cannot parse), convert each
# line's MJD and seconds to the time it was written, split peerstats by A's address, and give
# the offsets ntpviz would plot (the first peer offset is the -20 ms B started with).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
[ -f "$INTEROP_PYTHONPATH/ntp/statfiles.py" ] || interop_skip "python3-ntp (ntp.statfiles) not unpacked: run peers-setup.sh"
interop_init "$@"
w=$INTEROP_WORK
mkdir -p "$w/stats"
cat >"$w/b.conf" <<EOF2
statsdir $w/stats/
statistics peerstats loopstats
EOF2
interop_start_tempusd a --clock=virtual --listen=127.0.0.2:123 --stratum=2
interop_start_tempusd b -c "$w/b.conf" --clock=virtual --virtual-offset=0.02 --listen=127.0.0.3:123 \
  --server=127.0.0.2:123 --iburst --minpoll=4 --maxpoll=4
b_pid=$INTEROP_PID
for _ in $(seq 1 80); do
  p=$(cat "$w"/stats/peerstats.* 2>/dev/null | wc -l)
  l=$(cat "$w"/stats/loopstats.* 2>/dev/null | wc -l)
  # A peerstats line is written per new clock-filter output (as ntpd's record_peer_stats), and on
  # loopback the first, quickest sample can stay the filter's pick for many polls.
  [ "$p" -ge 1 ] && [ "$l" -ge 3 ] && break
  sleep 0.5
done
interop_log "peerstats:"$'\n'"$(cat "$w"/stats/peerstats.*)"
interop_log "loopstats:"$'\n'"$(cat "$w"/stats/loopstats.*)"
[ "$p" -ge 1 ] && [ "$l" -ge 3 ] || interop_fail "tempusd wrote $p peerstats and $l loopstats lines in 40 s"
kill -0 "$b_pid" 2>/dev/null || interop_fail "tempusd died during the test"
# Stop B first: a line written between NTPStats' read and the script's own count would look dropped.
interop_stop "$b_pid"

cat >"$w/read.py" <<'PY'
import glob, os, sys, time
import ntp.statfiles
stats_dir = sys.argv[1]
now = int(time.time())
s = ntp.statfiles.NTPStats(stats_dir, sitename="tempus", starttime=now - 3600, endtime=now + 3600)
lines = {k: sum(1 for g in glob.glob(os.path.join(stats_dir, k + ".*")) for _ in open(g)) for k in ("peerstats", "loopstats")}
print("NTPStats read %d peerstats and %d loopstats rows (files hold %d and %d lines)"
      % (len(s.peerstats), len(s.loopstats), lines["peerstats"], lines["loopstats"]))
assert len(s.peerstats) == lines["peerstats"] and len(s.loopstats) == lines["loopstats"], "NTPStats dropped lines"
for row in s.peerstats + s.loopstats:
    t = float(row[1])  # unixize: MJD + seconds -> Unix time
    assert abs(t - now) < 600, ("time", row)
    assert row[0] == int(t * 1000)
peers = s.peersplit()
print("peersplit:", {k: len(v) for k, v in peers.items()})
assert list(peers) == ["127.0.0.2"], peers
offsets = [float(r[4]) for r in peers["127.0.0.2"]]
delays = [float(r[5]) for r in peers["127.0.0.2"]]
assert abs(offsets[0] + 0.020) < 0.003, offsets[0]
assert all(0 < d < 0.05 for d in delays), delays
loop_offsets = sorted(float(r[2]) for r in s.loopstats)
freqs = [float(r[3]) for r in s.loopstats]
tcs = [int(r[6]) for r in s.loopstats]
p = ntp.statfiles.NTPStats.percentiles((50, 95), loop_offsets)
print("peer offsets (ms):", ["%.3f" % (o * 1e3) for o in offsets])
print("loop offset p50 %.6f p95 %.6f s; frequencies (ppm) %s; time constants %s" % (p["p50"], p["p95"], freqs, tcs))
assert all(3 <= t <= 17 for t in tcs)
PY
interop_run statfiles 30 "$INTEROP_PY" "$w/read.py" "$w/stats" || {
  cat "$w/statfiles.out" >&2
  interop_fail "ntp.statfiles could not read tempusd's statistics"
}
interop_log "ntp.statfiles:"$'\n'"$(cat "$w/statfiles.out")"
