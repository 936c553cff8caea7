#!/usr/bin/env bash
# A logfile that cannot be written loses no line: tempusd sends the lines to stderr with one
# notice, and takes them back to the file with one notice when it works again (apps/tempusd/log.h).
# 1. `logfile /dev/full`: every write fails with ENOSPC.
# 2. (root) a full 64 KiB tmpfs in a private mount namespace made here and gone with it: the
#    daemon starts on a full disk, room is made, and SIGHUP's log lines land in the file again.
set -u
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
checks=0
fails=0
check() {
  checks=$((checks + 1))
  if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}
count() { grep -c -- "$1" "$2" 2>/dev/null || true; }

printf 'clock virtual\nlogfile /dev/full\n' >"$work/full.conf"
rc=0
timeout -k 2 20 "$TEMPUSD" -c "$work/full.conf" --listen 127.0.0.74:12376 --duration 2 2>"$work/full.err" || rc=$?
cat "$work/full.err"
check "/dev/full: exit 0 (got $rc)" "[ $rc -eq 0 ]"
check "/dev/full: one notice on stderr" \
  "[ \"\$(count 'logfile /dev/full: cannot write (No space left on device); logging to stderr until it works again' '$work/full.err')\" = 1 ]"
check "/dev/full: the daemon's lines are on stderr" \
  "grep -q 'serving on 127.0.0.74:12376' '$work/full.err' && grep -q 'served 0 requests' '$work/full.err'"

if [ "$(id -u)" -eq 0 ] && unshare --mount --propagation private true 2>/dev/null; then
  mkdir "$work/mnt"
  printf 'clock virtual\nlogfile %s\n' "$work/mnt/tempusd.log" >"$work/tmpfs.conf"
  unshare --mount --propagation private bash -c '
    set -u
    work=$1 tempusd=$2
    mount -t tmpfs -o size=64k tempus-log-test "$work/mnt" || exit 1
    # Exactly one page of old log: the next line needs a new page, and the disk has none.
    head -c 4096 /dev/zero | tr "\0" "#" >"$work/mnt/tempusd.log"
    dd if=/dev/zero of="$work/mnt/fill" bs=4096 2>/dev/null
    "$tempusd" -c "$work/tmpfs.conf" --listen 127.0.0.74:12377 --duration 30 2>"$work/tmpfs.err" &
    pid=$!
    trap "kill $pid 2>/dev/null; umount $work/mnt" EXIT
    for _ in $(seq 1 100); do grep -q "serving on" "$work/tmpfs.err" && break; sleep 0.1; done
    rm "$work/mnt/fill"
    kill -HUP $pid
    for _ in $(seq 1 100); do grep -q "writable again" "$work/tmpfs.err" && break; sleep 0.1; done
    kill -TERM $pid
    wait $pid
    cp "$work/mnt/tempusd.log" "$work/tmpfs.log"
  ' _ "$work" "$TEMPUSD"
  cat "$work/tmpfs.err"
  tail -c +4097 "$work/tmpfs.log" 2>/dev/null
  check "full tmpfs: one notice when the file fails" \
    "[ \"\$(count 'tempusd.log: cannot write (No space left on device); logging to stderr' '$work/tmpfs.err')\" = 1 ]"
  check "full tmpfs: the start's lines are on stderr" "grep -q 'serving on 127.0.0.74:12377' '$work/tmpfs.err'"
  check "full tmpfs: one notice when it works again, on stderr and in the file" \
    "[ \"\$(count 'tempusd.log: writable again; [0-9]* line(s) went to stderr meanwhile' '$work/tmpfs.err')\" = 1 ] &&
     grep -q 'writable again' '$work/tmpfs.log'"
  check "full tmpfs: the lines after it are in the file, not on stderr" \
    "grep -q 'SIGHUP' '$work/tmpfs.log' && ! grep -q 'SIGHUP' '$work/tmpfs.err'"
else
  echo "skipped the full tmpfs (needs root and a private mount namespace)"
fi
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
