#!/usr/bin/env bash
# --watch redraws in place on a terminal and appends elsewhere: `tempus peers --watch` and
# `tempus cluster --watch` on a pseudo-terminal (python3's pty) start every frame with cursor
# home + erase screen (ESC[H ESC[2J), as `watch ntpq -p` redraws; into a pipe the frames are
# appended, one after the other, with no escape sequence. One tempusd with a virtual clock on
# loopback.
set -u
node=127.0.0.56:12356
pids=()
tmp=$(mktemp -d)
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
"$TEMPUSD" --clock=virtual --listen "$node" --stratum 3 --duration 60 2>/dev/null &
pids+=($!)
for _ in $(seq 1 50); do "$TEMPUS" peers "$node" >/dev/null 2>&1 && break; sleep 0.1; done
# Another test's daemon on the same endpoint would answer for a while and then vanish
# (lint.test_addresses keeps endpoints apart); make sure the server here is ours.
kill -0 "${pids[0]}" 2>/dev/null || { echo "FAIL: tempusd on $node exited at start (endpoint taken?)"; exit 1; }

fails=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

# on_tty OUT CMD...: runs CMD on a pseudo-terminal (bounded: 20 s), its output bytes in OUT.
on_tty() {
  local out=$1
  shift
  timeout -k 2 20 python3 - "$out" "$@" <<'PY'
import os, pty, sys
out, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not chunk:
        break
    data += chunk
os.waitpid(pid, 0)
open(out, "wb").write(data)
PY
}
# count FILE TEXT: occurrences of the literal bytes TEXT ("\x1b" escapes allowed) in FILE.
count() { python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(sys.argv[2].encode().decode("unicode_escape").encode("latin-1")))' "$1" "$2"; }

clear='\x1b[H\x1b[2J'
# peers: three frames.
timeout -k 2 20 "$TEMPUS" peers -n --watch 0.2 --count 3 "$node" >"$tmp/peers.pipe" 2>&1
on_tty "$tmp/peers.tty" "$TEMPUS" peers -n --watch 0.2 --count 3 "$node"
check "peers into a pipe: 3 frames appended" "[ \$(count $tmp/peers.pipe '     remote') = 3 ]"
check "peers into a pipe: no escape sequence" "[ \$(count $tmp/peers.pipe '\x1b') = 0 ]"
check "peers on a terminal: 3 frames" "[ \$(count $tmp/peers.tty '     remote') = 3 ]"
check "peers on a terminal: every frame starts with cursor home + erase screen" \
  "[ \$(count $tmp/peers.tty '$clear     remote') = 3 ]"
# --json is for programs: appended even on a terminal.
on_tty "$tmp/peers.json" "$TEMPUS" peers --json --watch 0.2 --count 2 "$node"
check "peers --json on a terminal: no escape sequence" "[ \$(count $tmp/peers.json '\x1b') = 0 ]"

# cluster: frames every 0.2 s for about a second.
timeout -k 2 20 "$TEMPUS" cluster --watch 0.2 --duration 1 "$node" >"$tmp/cluster.pipe" 2>&1
on_tty "$tmp/cluster.tty" "$TEMPUS" cluster --watch 0.2 --duration 1 "$node"
frames=$(count "$tmp/cluster.pipe" 'cluster skew ')
check "cluster into a pipe: several frames appended ($frames)" "[ $frames -ge 2 ]"
check "cluster into a pipe: no escape sequence" "[ \$(count $tmp/cluster.pipe '\x1b') = 0 ]"
tty_frames=$(count "$tmp/cluster.tty" 't = ')
check "cluster on a terminal: every frame ($tty_frames) starts with cursor home + erase screen" \
  "[ $tty_frames -ge 2 ] && [ \$(count $tmp/cluster.tty '${clear}t = ') = $tty_frames ]"
if [ "$fails" -ne 0 ]; then
  for f in peers.pipe peers.tty cluster.pipe; do echo "----- $f"; head -c 2000 "$tmp/$f" | cat -v; done
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
