# lib.sh: shell functions shared by the script-test libraries (tests/cluster/lib.sh and
# tests/interop/lib.sh source this file): the CAP_SYS_TIME check of a process, stopping a
# process by its PID, printing the tails of a failed test's files, and a test's scratch folder and
# checks (tempus_test_init, tempus_check, tempus_checks_done). It starts nothing and
# sets no shell options; the libraries that source it do.

# tempus_lacks_sys_time PID: true when capability bit 25 (CAP_SYS_TIME) is absent from every
# set of /proc/PID/status (inheritable, permitted, effective, bounding, ambient).
tempus_lacks_sys_time() {
  local pid=$1 field value
  for field in CapInh CapPrm CapEff CapBnd CapAmb; do
    value=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/status") || return 1
    [ -n "$value" ] || return 1
    (( (16#$value >> 25) & 1 )) && return 1
  done
  return 0
}

# tempus_stop_pid PID: stops one process by its PID (never by name): SIGTERM, at most 5 s, then
# SIGKILL; reaps it when it is a child of this shell.
tempus_stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# tempus_dump_tails LINES FILE...: the last LINES lines of every non-empty FILE, each under a
# "----- NAME (last LINES lines)" header.
tempus_dump_tails() {
  local lines=$1 f
  shift
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "----- $(basename "$f") (last $lines lines)"
    tail -n "$lines" "$f"
  done
}

# tempus_test_init: a scratch folder $work and an array pids of processes to stop (by PID),
# both cleaned up at exit; and the counters of tempus_check.
tempus_test_init() {
  work=$(mktemp -d)
  pids=()
  tempus_checks=0
  tempus_fails=0
  trap tempus_test_cleanup EXIT
}

tempus_test_cleanup() {
  local p
  for p in "${pids[@]}"; do tempus_stop_pid "$p"; done
  rm -rf "$work"
}

# tempus_check NAME EXPR: evaluates EXPR and prints "ok: NAME" or "FAIL: NAME".
tempus_check() {
  tempus_checks=$((tempus_checks + 1))
  if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; tempus_fails=$((tempus_fails + 1)); fi
}

# tempus_checks_done: prints "P/N checks passed"; succeeds when none failed (the script's status).
tempus_checks_done() {
  echo "$((tempus_checks - tempus_fails))/$tempus_checks checks passed"
  [ "$tempus_fails" -eq 0 ]
}

# tempus_make_test_ca DIR [SAN]: a local CA (DIR/ca.pem) and a server certificate it signed for
# localhost and 127.0.0.1, or the subjectAltName SAN (DIR/server.pem, key DIR/server.key), made
# with the openssl CLI, valid two days; for NTS-KE tests. Fails when openssl does.
tempus_make_test_ca() {
  local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  printf 'subjectAltName=%s\n' "${2:-DNS:localhost,IP:127.0.0.1}" >"$d/san.cnf"
  openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj /CN=tempus-test-ca 2>/dev/null &&
    openssl req "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" -subj /CN=localhost 2>/dev/null &&
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
      -extfile "$d/san.cnf" -out "$d/server.pem" 2>/dev/null
}
