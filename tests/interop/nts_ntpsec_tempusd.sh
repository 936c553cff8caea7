#!/usr/bin/env bash
# nts_ntpsec_tempusd.sh: the real NTPsec 1.2.2 ntpd as an NTS client of tempusd (RFC 8915), key
# exchange and NTP port both.
#
# tempusd serves NTS-KE on 127.0.0.1:4460 (`nts enable`, a certificate for localhost and
# 127.0.0.1 signed by a local CA made with the openssl CLI in the work folder) and NTP on
# 127.0.0.1:123 (NTPsec takes only 127.0.0.1:123 as a loopback server and sends from
# 127.0.0.5:123), with a virtual clock 0.05 s ahead at stratum 3. ntpd has `server localhost nts
# ca CA`: it checks tempusd's certificate against that CA and the name, as a real client would.
# ntpd must select tempusd (`*` in ntpq -p, stratum 3, offset 50 ms) with the association
# authenticated (`ntpq -c associations`: auth "ok"), and tempusd must count NTS-KE answers and
# NTS-authenticated replies, no NAK and no bad authenticator. A second ntpd with no CA (`ca` of
# another, unrelated CA) must refuse the certificate: it never gets a reply from tempusd, and
# tempusd counts its abandoned handshakes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUSD" "" "$@"
w=$INTEROP_WORK
mkdir -m 700 "$w/other"
tempus_make_test_ca "$w/other" || interop_fail "openssl could not make the other CA"
cat >"$w/tempusd.conf" <<EOF2
clock virtual
nts enable cert $w/server.pem key $w/server.key cookie $w/nts-keys port 4460
EOF2
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.1:123 --virtual-offset=0.05 --stratum=3 \
  --metrics=127.0.0.1:19464
tempusd_pid=$INTEROP_PID
interop_wait_tcp "$tempusd_pid" 127.0.0.1 4460

# NTS-KE with tempusd by the name in its certificate (localhost), trusting the test CA.
interop_start_ntpsec_client ntpsec 127.0.0.5 localhost nts ca "$w/ca.pem"

# ntpd selects tempusd within 60 s (NTS-KE, iburst, then selection).
selected=0
for _ in $(seq 1 60); do
  interop_run ntpq-peers 5 "$INTEROP_PY" "$NTPQ" -n -p 127.0.0.5 || true
  grep -q '^\*127\.0\.0\.1 ' "$w/ntpq-peers.out" && selected=1 && break
  sleep 1
done
interop_log "ntpq -p:"$'\n'"$(cat "$w/ntpq-peers.out")"
[ $selected = 1 ] || interop_fail "ntpd did not select tempusd over NTS within 60 s"
peer=$(grep '^\*127\.0\.0\.1 ' "$w/ntpq-peers.out")
interop_expect_eq "ntpsec: stratum of tempusd" "$(awk '{ print $3 }' <<<"$peer")" 3
interop_expect_near "ntpsec: offset of tempusd (ms)" "$(awk '{ print $9 }' <<<"$peer")" 50 2
# `ntpq -c associations`: columns ind assid status conf reach auth condition ...
interop_ntpq ntpq-assoc 127.0.0.5 associations || interop_fail "ntpq associations failed"
interop_log "ntpq associations:"$'\n'"$(cat "$w/ntpq-assoc.out")"
interop_expect_eq "ntpsec: the association is authenticated" \
  "$(awk '$1 ~ /^[0-9]+$/ && $7 == "sys.peer" { print $6 }' "$w/ntpq-assoc.out")" ok
interop_ntpq ntpq-rv1 127.0.0.5 "rv &1" || interop_fail "ntpq rv &1 failed"
interop_log "ntpq rv &1: $(tr -d '\n' <"$w/ntpq-rv1.out" | LC_ALL=C tr -c '[:print:]' '?')"

# get_metrics: tempusd's /metrics into $w/metrics.out; metric NAME-WITH-LABELS: one value of it.
get_metrics() {
  "$INTEROP_PY" -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:19464/metrics", timeout=5).read().decode())' \
    >"$w/metrics.out" || interop_fail "GET /metrics failed"
}
metric() { awk -v m="$1" '$1 == m { print $2 }' "$w/metrics.out"; }
get_metrics
awk -v n="$(metric tempus_server_nts_replies_total)" 'BEGIN { exit !(n + 0 >= 3) }' ||
  interop_expect_eq "tempusd: NTS-authenticated replies" "$(metric tempus_server_nts_replies_total)" ">= 3"
awk -v n="$(metric tempus_nts_ke_answered_total)" 'BEGIN { exit !(n + 0 >= 1) }' ||
  interop_expect_eq "tempusd: NTS-KE answered" "$(metric tempus_nts_ke_answered_total)" ">= 1"
for r in nts_nak_sent nts_bad_auth nts_malformed; do
  interop_expect_eq "tempusd: no $r" "$(metric "tempus_server_drops_total{reason=\"$r\"}")" 0
done

# Replayed and tampered (RFC 8915 §5): one of ntpd's NTS requests, captured on lo, sent again
# from 127.0.0.8 must be answered again (the server is stateless; ntpd would drop that reply by
# its Unique Identifier) and counted as replayed; a copy with one octet of the authenticated
# transmit timestamp flipped must get no answer and count as a bad authenticator.
"$INTEROP_PY" - "$w/replay.out" <<'PY' >"$w/replay.log" 2>&1 || interop_expect_eq "replay and tamper" "$(cat "$w/replay.log")" "done"
import socket, struct, sys, time
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
cap.bind(("lo", 0))
cap.settimeout(1)
request = None
deadline = time.monotonic() + 40  # ntpd polls every 16 s
while request is None and time.monotonic() < deadline:
    try:
        frame = cap.recv(65535)
    except socket.timeout:
        continue
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        continue
    ip = frame[14:]
    udp = ip[(ip[0] & 0x0F) * 4:]
    payload = udp[8:]
    if ip[16:20] == bytes([127, 0, 0, 1]) and struct.unpack(">H", udp[2:4])[0] == 123 \
            and len(payload) > 48 and payload[0] & 7 == 3:
        request = payload
cap.close()
if request is None:
    sys.exit("no NTS request of ntpd captured within 40 s")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.8", 0))
s.settimeout(2)
s.sendto(request, ("127.0.0.1", 123))
reply = s.recv(2048)
tampered = bytearray(request)
tampered[45] ^= 0x01
s.sendto(bytes(tampered), ("127.0.0.1", 123))
try:
    s.recv(2048)
    sys.exit("the tampered request was answered")
except socket.timeout:
    pass
with open(sys.argv[1], "w") as f:
    f.write("request=%d reply=%d stratum=%d\n" % (len(request), len(reply), reply[1]))
print("done")
PY
interop_log "replayed request: $(cat "$w/replay.out" 2>/dev/null)"
get_metrics
interop_log "tempusd: $(metric tempus_server_nts_replays_total) replayed request(s) answered"
awk -v n="$(metric tempus_server_nts_replays_total)" 'BEGIN { exit !(n + 0 >= 1) }' ||
  interop_expect_eq "tempusd: the replayed request counted" "$(metric tempus_server_nts_replays_total)" ">= 1"
interop_expect_eq "tempusd: the tampered request dropped and counted" \
  "$(metric 'tempus_server_drops_total{reason="nts_bad_auth"}')" 1

# Another CA: the client refuses tempusd's certificate, gets no cookie and never sends NTP.
ke_before=$(metric tempus_nts_ke_answered_total)
interop_start_ntpsec_client untrusting 127.0.0.7 localhost nts ca "$w/other/ca.pem"
refused=0
for _ in $(seq 1 20); do
  grep -q "NTSc: certificate invalid" "$w/untrusting.ntpd.log" 2>/dev/null && refused=1 && break
  sleep 0.5
done
interop_log "untrusting ntpd:"$'\n'"$(grep 'NTSc' "$w/untrusting.ntpd.log" | head -n 12)"
interop_expect_eq "ntpd with another CA refused tempusd's certificate" "$refused" 1
get_metrics
interop_expect_eq "tempusd: no NTS-KE answered to the untrusting client" "$(metric tempus_nts_ke_answered_total)" "$ke_before"
awk -v a="$(metric 'tempus_nts_ke_drops_total{reason="tls_failed"}')" \
    -v b="$(metric 'tempus_nts_ke_drops_total{reason="closed_early"}')" 'BEGIN { exit !(a + b >= 1) }' ||
  interop_expect_eq "tempusd counted the refused handshake" "$(grep nts_ke_drops "$w/metrics.out" | tr '\n' ' ')" \
    "tls_failed + closed_early >= 1"
