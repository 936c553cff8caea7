# nts_ke.sh: what the NTS-KE script tests share (source after lib.sh; nts_ke_test_init sets $work,
# $pids and $conf): a free port, tempusd started with its NTS-KE, NTP and metrics addresses read from
# its log, one NTS-KE exchange by tests/common/nts_ke_client.py, waiting for a log line, and
# reading one /metrics value; an NTS client C to reload (start_client, reload).

# nts_ke_test_init: tempus_test_init, a test CA and server certificate in $work, and $conf: a
# virtual clock serving NTS-KE on a port the kernel picks, cookie keys in $work/nts-keys.
nts_ke_test_init() {
  tempus_test_init
  tempus_make_test_ca "$work" || { echo "FAIL: openssl could not make the test CA"; exit 1; }
  conf=$work/ntp.conf
  printf 'clock virtual\nnts enable cert %s key %s cookie %s port 0\n' \
    "$work/server.pem" "$work/server.key" "$work/nts-keys" >"$conf"
}

# free_port udp|tcp: a port of 127.0.0.1 free a moment ago (tempusd's --listen and --metrics
# take no port 0).
free_port() {
  /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}

# start_tempusd LOG [ARG...]: runs tempusd (with the ARGs; for TEMPUSD_DURATION s, default 30) in
# the background and waits for its NTS-KE address (sets port, ntp_port, its NTP server port, and metrics_port).
start_tempusd() {
  local log=$1
  shift
  "$TEMPUSD" -c "$conf" --listen "127.0.0.1:$(free_port udp)" --metrics "127.0.0.1:$(free_port tcp)" \
    --duration "${TEMPUSD_DURATION:-30}" "$@" >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*NTS-KE on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -1)
    ntp_port=$(sed -n 's/.*serving on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -1)
    metrics_port=$(sed -n 's/.*metrics on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -1)
    [ -n "$port" ] && [ -n "$ntp_port" ] && [ -n "$metrics_port" ] && break
    sleep 0.1
  done
}

# ke PORT ALPN: one NTS-KE exchange; prints "next=.. aead=.. cookies=N sizes=.." or the error.
ke() { /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/nts_ke_client.py" "$work/ca.pem" "$1" "$2"; }

# wait_for FILE PATTERN SECONDS: until grep finds PATTERN in FILE.
wait_for() {
  for _ in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# metric PORT NAME_AND_LABELS: the value the /metrics of tempusd on 127.0.0.1:PORT gives it (empty
# when absent).
metric() {
  /usr/bin/python3 -c 'import sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=2).read().decode()
for line in text.splitlines():
    if line.startswith(sys.argv[2] + " "): print(line.split()[-1])' "$1" "$2" 2>/dev/null
}

# start_client LINE DURATION: tempusd C (virtual clock, for DURATION s) with the one line LINE in
# $work/c.conf, serving on 127.0.0.1 ports of its own; sets c_port, c_metrics, c_pid (log $work/c.log).
start_client() {
  c_port=$(free_port udp)
  c_metrics=$(free_port tcp)
  printf 'clock virtual\n%s\n' "$1" >"$work/c.conf"
  "$TEMPUSD" -c "$work/c.conf" --listen "127.0.0.1:$c_port" --metrics "127.0.0.1:$c_metrics" --duration "$2" \
    >"$work/c.log" 2>&1 &
  c_pid=$!
  pids+=("$c_pid")
}

# reload TEXT: writes C's configuration (start_client), sends SIGHUP, waits (at most 10 s) for the NTS reload line.
reload() {
  local before
  before=$(grep -c "NTS line(s) kept" "$work/c.log")
  printf '%s\n' "$1" >"$work/c.conf"
  kill -HUP "$c_pid"
  for _ in $(seq 1 100); do
    [ "$(grep -c "NTS line(s) kept" "$work/c.log")" -gt "$before" ] && return 0
    sleep 0.1
  done
  return 1
}
