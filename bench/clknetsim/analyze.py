#!/usr/bin/env python3
"""analyze.py RUNDIR... : per-run metrics (CSV with --runs) and the per-(scenario, daemon, tier) table.

Metrics per DUT node (true-time error from clknetsim, not the daemons' own offsets):
  rms, max|off|, mean off, RMS freq  -- clknetsim stats after -r (steady-state window)
  t1ms    -- seconds from the node's start until |offset| stays < 1 ms (raw per-second log.offset)
  t100us  -- same on an EMA (alpha 0.05) of |offset| (clknetsim.bash find_sync smoothing)
  poll    -- clknetsim "Mean outgoing packet interval" (all packets the node sent after -r,
             replies to lower tiers included, as in the anchors)
  reqint  -- mean interval of requests from the node to its upstream servers after -r (log.packets)
  ftstep  -- falseticker scenario: did the node's true offset ever exceed +0.5 s (a step onto the
             +1 s falseticker)?   maxall -- max |offset| over the whole run from the node's start
  steps   -- number of 'clock stepped' log lines (tempusd) / 'System clock wrong by' steps (chrony)
  rate1s  -- largest 1-second rate error after -r: max |offset(t+1) - offset(t)| over whole
             seconds of log.offset, in ppm (a slew at 500 ppm shows as 500; issue 13 item 5)
  gapmax, gaplast -- longest and last interval between two requests to the same upstream
             server after -r (the poll interval reached: issue 13 item 2)
  tjump   -- jump scenarios (meta jump=T): seconds from the jump's first second in log.offset until
             |offset| stays < 1 ms
  tsync   -- first time the node served as synchronized: tempusd's 'serving as synchronized' log
             line, chronyd's first 'Selected source' (its first clock update), by the daemon's clock
--extra prints rate1s, gaplast, gapmax and steps, tempusd beside chrony (after --compare's table
when both are given). --events prints tjump, tsync (with the slowest node of each tier), steps,
the largest |offset| from the start and whether the +1 s source was stepped to.
"""
import sys, os, re, math, statistics, glob, argparse, datetime

EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)  # CLKNETSIM_START_DATE

def log_time(line):
    m = re.match(r'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z', line)
    if not m: return None
    t = datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc)
    return (t - EPOCH).total_seconds()

def first_sync(txt):
    for line in txt.splitlines():
        if 'serving as synchronized' in line or 'Selected source' in line: return log_time(line)
    return None

def jump_recovery(off, jump):
    k0 = next((k for k in range(max(jump - 3, 0), len(off)) if abs(off[k]) >= 0.1), None)
    if k0 is None: return None
    last = max((k for k in range(k0, len(off)) if abs(off[k]) >= 1e-3), default=k0)
    return None if last >= len(off) - 1 else last + 1 - k0

def read_meta(d):
    m = {}
    for line in open(os.path.join(d, 'meta')):
        k, _, v = line.rstrip('\n').partition('=')
        m[k] = v
    return m

def read_stats(d):
    blocks = {}
    cur = None
    for line in open(os.path.join(d, 'stats')):
        mm = re.match(r'-+ Node (\d+) -+', line)
        if mm:
            cur = int(mm.group(1)); blocks[cur] = {}; continue
        if cur and ':' in line:
            k, _, v = line.partition(':')
            try: blocks[cur][k.strip()] = float(v.strip())
            except ValueError: pass
    return blocks

def analyze_run(d):
    m = read_meta(d)
    n = int(m['nodes']); reset = float(m['reset']); limit = float(m['limit'])
    stats = read_stats(d)
    cols = [[] for _ in range(n)]
    with open(os.path.join(d, 'log.offset')) as f:
        for line in f:
            p = line.split()
            if len(p) != n: continue
            for i in range(n): cols[i].append(float(p[i]))
    ups = {}
    duts = []
    for i in range(1, n + 1):
        role, tier, start, up = re.match(r'(\S+) (\S+) start=(\S+) up=(.*)', m['node%d' % i]).groups()
        if role == 'dut':
            duts.append((i, tier, float(start)))
            ups[i] = set(int(x) for x in up.split())
    # requests to upstream after reset; the times of all requests per (node, upstream)
    reqs = {i: 0 for i, _, _ in duts}
    req_times = {}
    pk = os.path.join(d, 'log.packets')
    if os.path.exists(pk):
        with open(pk) as f:
            for line in f:
                p = line.split()
                if len(p) < 3: continue
                t = float(p[0]); src = int(p[1]); dst = int(p[2])
                if src in reqs and dst in ups[src]:
                    req_times.setdefault((src, dst), []).append(t)
                    if t >= reset: reqs[src] += 1
    out = []
    for i, tier, start in duts:
        off = cols[i - 1]
        s0 = int(start)
        seq = off[s0:]
        # t<1ms raw
        last_bad = None
        for k in range(len(seq) - 1, -1, -1):
            if abs(seq[k]) >= 1e-3: last_bad = k; break
        t1 = 0 if last_bad is None else (last_bad + 1 if last_bad < len(seq) - 1 else None)
        ema = None; last_bad = None
        for k, x in enumerate(seq):
            ema = abs(x) if ema is None else ema + 0.05 * (abs(x) - ema)
            if ema >= 1e-4: last_bad = k
        t100 = 0 if last_bad is None else (last_bad + 1 if last_bad < len(seq) - 1 else None)
        r0 = int(reset)
        rate1s = max((abs(off[k + 1] - off[k]) for k in range(r0, len(off) - 1)), default=float('nan'))
        gaps = []; last_gaps = []
        for (src, _), ts in req_times.items():
            if src != i: continue
            g = [b - a for a, b in zip(ts, ts[1:]) if a >= reset]
            gaps += g
            if g: last_gaps.append(g[-1])
        st = stats.get(i, {})
        logf = os.path.join(d, 'log.%d' % i)
        txt = open(logf, errors='replace').read() if os.path.exists(logf) else ''
        steps = len(re.findall(r'clock stepped by|System clock wrong by .* stepped|System clock was stepped', txt))
        out.append(dict(
            scen=m['scen'], daemon=m['daemon'], seed=int(m['seed']), node=i, tier=tier,
            rms=st.get('RMS offset', float('nan')), maxoff=st.get('Maximum absolute offset', float('nan')),
            mean=st.get('Mean offset', float('nan')), rmsfreq=st.get('RMS frequency', float('nan')),
            poll=st.get('Mean outgoing packet interval', float('nan')),
            reqint=(limit - reset) / reqs[i] if reqs[i] else float('inf'),
            t1ms=t1, t100us=t100, maxall=max(abs(x) for x in seq) if seq else float('nan'),
            ftstep=(any(x > 0.5 for x in seq) if m['scen'].startswith(('falseticker', 'ft', 'latestart')) else None), steps=steps, simrc=m.get('simrc', '?'),
            tjump=jump_recovery(off, int(m['jump'])) if 'jump' in m else None, tsync=first_sync(txt),
            freq_moved=None, dir=d, rate1s=rate1s * 1e6,
            gapmax=max(gaps) if gaps else float('nan'),
            gaplast=max(last_gaps) if last_gaps else float('nan')))
    # is the simulated clock really steered? compare log.freq first/last per node
    fq = os.path.join(d, 'log.freq')
    if os.path.exists(fq):
        first = last = None
        with open(fq) as f:
            for line in f:
                p = line.split()
                if len(p) != n: continue
                if first is None: first = [float(x) for x in p]
                last = [float(x) for x in p]
        for r in out:
            i = r['node']
            r['freq_first'] = first[i - 1]; r['freq_last'] = last[i - 1]
    return out

def fmt_t(v):
    return 'never' if v is None else '%d' % v

def summarize(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r['scen'], r['daemon'], r['tier']), []).append(r)
    return groups

def med(xs): return statistics.median(xs)

def tmed(ts):
    # median of times with 'never' as +inf
    vals = [math.inf if t is None else t for t in ts]
    m = med(vals)
    return 'never' if m == math.inf else '%d' % m

def tmax(ts):
    return 'never' if any(t is None for t in ts) else '%d' % max(ts)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dirs', nargs='+')
    ap.add_argument('--runs', action='store_true', help='print one CSV line per node and run')
    ap.add_argument('--compare', action='store_true', help='tempusd vs chrony side by side, with ratios')
    ap.add_argument('--events', action='store_true',
                    help='tempusd vs chrony: time back below 1 ms after a jump, first served as synchronized, steps')
    ap.add_argument('--extra', action='store_true',
                    help='tempusd vs chrony: largest 1-s rate error, request intervals reached, steps')
    a = ap.parse_args()
    rows = []
    for d in a.dirs:
        if not os.path.exists(os.path.join(d, 'stats')): continue
        try: rows += analyze_run(d)
        except Exception as e: print('# %s: %s' % (d, e), file=sys.stderr)
    if a.runs:
        print('scen,daemon,seed,node,tier,rms_us,max_us,mean_us,rmsfreq_ppb,t1ms_s,t100us_s,poll_s,reqint_s,maxall_s,ftstep,steps,freq_first_ppm,freq_last_ppm,simrc,rate1s_ppm,gapmax_s,gaplast_s,tjump_s,tsync_s')
        for r in rows:
            print('%s,%s,%d,%d,%s,%.2f,%.1f,%.2f,%.1f,%s,%s,%.1f,%.1f,%.6f,%s,%d,%.3f,%.3f,%s,%.3f,%.0f,%.0f,%s,%s' % (
                r['scen'], r['daemon'], r['seed'], r['node'], r['tier'], r['rms'] * 1e6, r['maxoff'] * 1e6,
                r['mean'] * 1e6, r['rmsfreq'] * 1e9, fmt_t(r['t1ms']), fmt_t(r['t100us']), r['poll'], r['reqint'],
                r['maxall'], r['ftstep'], r['steps'], r.get('freq_first', float('nan')) * 1e6,
                r.get('freq_last', float('nan')) * 1e6, r['simrc'], r['rate1s'], r['gapmax'], r['gaplast'],
                fmt_t(r['tjump']), fmt_t(r['tsync'])))
        return
    g = summarize(rows)
    if a.events:
        events(g)
        return
    if a.compare or a.extra:
        if a.compare: compare(g)
        if a.compare and a.extra: print()
        if a.extra: extra(g)
        return
    print('| scenario | daemon | nodes | n | RMS off µs median [min–max] | max\\|off\\| µs median [min–max] | mean off µs | RMS freq ppb | t<1ms s median [max] | t<100µs s median [max] | poll s (all pkts) | req int s | falseticker step |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for key in sorted(g):
        rs = g[key]
        rms = [r['rms'] * 1e6 for r in rs]; mx = [r['maxoff'] * 1e6 for r in rs]
        print('| %s | %s | %s | %d | %.1f [%.1f–%.1f] | %.0f [%.0f–%.0f] | %+.1f | %.0f | %s [%s] | %s [%s] | %.0f | %.0f | %s |' % (
            key[0], key[1], key[2], len(rs), med(rms), min(rms), max(rms), med(mx), min(mx), max(mx),
            med([r['mean'] * 1e6 for r in rs]), med([r['rmsfreq'] * 1e9 for r in rs]),
            tmed([r['t1ms'] for r in rs]), tmax([r['t1ms'] for r in rs]),
            tmed([r['t100us'] for r in rs]), tmax([r['t100us'] for r in rs]),
            med([r['poll'] for r in rs]), med([r['reqint'] for r in rs]),
            ('%d/%d' % (sum(bool(r['ftstep']) for r in rs), len(rs))) if rs[0]['ftstep'] is not None else '–'))

def pairs(g):
    """(scenario, tier, tempusd rows, chrony rows) for each scenario run with both daemons."""
    keys = []
    for (sc, d, tier) in g:
        if (sc, tier) not in keys: keys.append((sc, tier))
    for sc, tier in keys:
        t = g.get((sc, 'tempusd', tier)); c = g.get((sc, 'chrony', tier))
        if t and c: yield sc, tier, t, c

def compare(g):
    print('| scenario | nodes | n | RMS µs tempusd median [range] | RMS µs chrony median [range] | RMS ratio t/c | max\\|err\\| µs tempusd | max\\|err\\| µs chrony | t<1ms s tempusd med [max] | t<1ms s chrony med [max] | req. interval s tempusd / chrony | falseticker step t / c |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for sc, tier, t, c in pairs(g):
        def rr(rs, k, f=1e6): return [r[k] * f for r in rs]
        tr, cr = rr(t, 'rms'), rr(c, 'rms')
        ft = lambda rs: ('%d/%d' % (sum(bool(r['ftstep']) for r in rs), len(rs))) if rs[0]['ftstep'] is not None else '–'
        print('| %s | %s | %d | %.1f [%.1f–%.1f] | %.1f [%.1f–%.1f] | %.2f | %.0f [%.0f–%.0f] | %.0f [%.0f–%.0f] | %s [%s] | %s [%s] | %.0f / %.0f | %s / %s |' % (
            sc, tier, len(t), med(tr), min(tr), max(tr), med(cr), min(cr), max(cr), med(tr) / med(cr),
            med(rr(t, 'maxoff')), min(rr(t, 'maxoff')), max(rr(t, 'maxoff')),
            med(rr(c, 'maxoff')), min(rr(c, 'maxoff')), max(rr(c, 'maxoff')),
            tmed([r['t1ms'] for r in t]), tmax([r['t1ms'] for r in t]),
            tmed([r['t1ms'] for r in c]), tmax([r['t1ms'] for r in c]),
            med([r['reqint'] for r in t]), med([r['reqint'] for r in c]), ft(t), ft(c)))

def extra(g):
    print('| scenario | nodes | n | largest 1-s rate error ppm tempusd median [max] | chrony median [max] | last request interval s tempusd / chrony (median) | longest s tempusd / chrony (max) | steps tempusd / chrony (median [max]) |')
    print('|---|---|---|---|---|---|---|---|')
    for sc, tier, t, c in pairs(g):
        col = lambda rs, k: [r[k] for r in rs]
        print('| %s | %s | %d | %.2f [%.2f] | %.2f [%.2f] | %.0f / %.0f | %.0f / %.0f | %g [%d] / %g [%d] |' % (
            sc, tier, len(t), med(col(t, 'rate1s')), max(col(t, 'rate1s')), med(col(c, 'rate1s')), max(col(c, 'rate1s')),
            med(col(t, 'gaplast')), med(col(c, 'gaplast')), max(col(t, 'gapmax')), max(col(c, 'gapmax')),
            med(col(t, 'steps')), max(col(t, 'steps')), med(col(c, 'steps')), max(col(c, 'steps'))))

def events(g):
    print('| scenario | nodes | n | after a jump < 1 ms s tempusd / chrony (median [range]) | served synchronized s tempusd / chrony (median [slowest]) | steps tempusd / chrony (median [max]) | max\\|off\\| from start s tempusd / chrony (max) | on the +1 s source t / c |')
    print('|---|---|---|---|---|---|---|---|')
    def rng(rs, k):
        v = [r[k] for r in rs]
        if any(x is None for x in v): return 'never' if all(x is None for x in v) else '%s [some never]' % tmed(v)
        return '%.0f [%.0f–%.0f]' % (med(v), min(v), max(v))
    def sync(rs):
        v = [r['tsync'] for r in rs]
        return 'never' if any(x is None for x in v) else '%.0f [%.0f]' % (med(v), max(v))
    for sc, tier, t, c in pairs(g):
        col = lambda rs, k: [r[k] for r in rs]
        ft = lambda rs: ('%d/%d' % (sum(bool(r['ftstep']) for r in rs), len(rs))) if rs[0]['ftstep'] is not None else '–'
        print('| %s | %s | %d | %s / %s | %s / %s | %g [%d] / %g [%d] | %.3f / %.3f | %s / %s |' % (
            sc, tier, len(t), rng(t, 'tjump') if t[0]['tjump'] is not None or 'jump' in sc else '–',
            rng(c, 'tjump') if 'jump' in sc else '–', sync(t), sync(c),
            med(col(t, 'steps')), max(col(t, 'steps')), med(col(c, 'steps')), max(col(c, 'steps')),
            max(col(t, 'maxall')), max(col(c, 'maxall')), ft(t), ft(c)))

if __name__ == '__main__':
    main()
