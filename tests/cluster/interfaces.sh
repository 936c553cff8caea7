#!/usr/bin/env bash
# (item 6) `interface`/`nic` rules decide which addresses tempusd opens, as ntpd's do: in a network
# namespace of its own with two more interfaces (a veth pair, tv0 = 10.77.0.1/24 and
# tv1 = 192.168.77.1/24, inside that namespace only), tempusd --listen 0.0.0.0:PORT is started with
#   A. the issue's rules (ignore wildcard, listen tv0, listen 127.0.0.1): ntpd's semantics open
#      every address but the wildcard (tv1 too: no rule matches it, and ntpd's default is listen);
#   B. ignore all, listen tv0: 127.0.0.1 (loopback default) and 10.77.0.1 serve, 192.168.77.1 is
#      not opened, the wildcard is opened to drop (a request to 192.168.77.1 gets no answer and is
#      counted);
#   C. the last matching rule wins: listen tv1 then ignore 192.168.77.1 leaves it closed, the
#      other order opens it.
# The bound addresses are read from /proc/net/udp. Needs root (for the namespace); skipped
# otherwise.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"
[ "$(id -u)" -eq 0 ] || cluster_skip "needs root for a network namespace with two interfaces"
[ "$(readlink /proc/1/ns/net)" != "$(readlink /proc/self/ns/net)" ] || cluster_skip "not in a namespace of our own"
ip link add tv0 type veth peer name tv1 2>/dev/null || cluster_skip "cannot create a veth pair here"
ip addr add 10.77.0.1/24 dev tv0
ip addr add 192.168.77.1/24 dev tv1
ip link set tv0 up
ip link set tv1 up

# bound: the IPv4 addresses with a UDP socket on our port, sorted.
bound() {
  python3 - "$CLUSTER_PORT" <<'PY'
import sys
port = int(sys.argv[1])
out = []
for line in open("/proc/net/udp").read().splitlines()[1:]:
    address, p = line.split()[1].split(":")
    if int(p, 16) == port:
        out.append(".".join(str(b) for b in bytes.fromhex(address)[::-1]))
print(" ".join(sorted(out)))
PY
}
answers() { timeout -k 2 10 "$TEMPUS" query -n 2 -t 0.5 "$1:$CLUSTER_PORT" >/dev/null 2>&1; }
silent() { ! answers "$1"; }

# run NAME RULES: starts tempusd on 0.0.0.0:PORT with RULES (in this shell: a daemon started in a
# $(...) subshell would die with it) and sets `got` to what it bound.
run() {
  cluster_start "$1" 0.0.0.0 -c "$(cluster_conf "$1" "clock virtual
local stratum 1
$2")"
  got=$(bound)
}

run a "interface ignore wildcard
interface listen tv0
interface listen 127.0.0.1"
cluster_log "A: bound $got"
cluster_expect "A: the wildcard is not opened, every address is (ntpd's default for tv1)" \
  test "$got" = "10.77.0.1 127.0.0.1 192.168.77.1"
cluster_expect "A: each decision is logged with its rule" \
  grep -q "interface 10.77.0.1:$CLUSTER_PORT (tv0): listen (.*a.conf:4:1)" "$CLUSTER_WORK/a.log"
cluster_expect "A: 192.168.77.1 answers" answers 192.168.77.1
cluster_stop a

run b "interface ignore all
interface listen tv0
interface listen eth9"
cluster_log "B: bound $got"
cluster_expect "B: tv0 and loopback serve, the wildcard drops, tv1 is not opened" \
  test "$got" = "0.0.0.0 10.77.0.1 127.0.0.1"
cluster_expect "B: 10.77.0.1 answers" answers 10.77.0.1
cluster_expect "B: 127.0.0.1 answers" answers 127.0.0.1
cluster_expect "B: 192.168.77.1 (only the dropping wildcard) does not" silent 192.168.77.1
cluster_expect "B: a rule that matches nothing is warned with its place" \
  grep -q "b.conf:5:1: warning: this interface rule matches no address" "$CLUSTER_WORK/b.log"
cluster_stop b
cluster_expect "B: the dropped requests are counted" grep -qE "[1-9][0-9]* datagram\(s\) dropped on 'interface drop' sockets" "$CLUSTER_WORK/b.log"

run c "interface listen tv1
interface ignore 192.168.77.1"
cluster_log "C: bound $got"
cluster_expect "C: the last rule (ignore 192.168.77.1) wins over listen tv1" bash -c "! grep -q 192.168.77.1 <<<'$got'"
cluster_stop c
run d "interface ignore 192.168.77.1
interface listen tv1"
cluster_log "D: bound $got"
cluster_expect "D: the last rule (listen tv1) wins over ignore 192.168.77.1" grep -q 192.168.77.1 <<<"$got"
cluster_stop d
