#!/usr/bin/env bash
# tempusd_syncs_to_peers.sh: tempusd disciplines its virtual clock to a real chronyd server and
# to a real NTPsec server.
#
# chronyd (local stratum 8) serves on 127.0.0.2:11123 and NTPsec (orphan stratum 8) on
# 127.0.0.4:123, both on this machine's kernel clock (neither steers it). tempusd A starts with a
# virtual clock 0.3 s ahead and follows chronyd; tempusd B starts 0.4 s behind and follows
# NTPsec. Within a bounded wait both virtual clocks must end within 5 ms of their server's (the
# kernel clock, which `tempus query` reads), with the server as system peer and stratum 9.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
interop_init "$@"

interop_start_chronyd chrony 127.0.0.2 11123 8
interop_start_ntpsec ntpsec 127.0.0.4 8
interop_start_tempusd follows-chrony --clock=virtual --virtual-offset=0.3 --listen=127.0.0.6:11124 \
  --server 127.0.0.2:11123 --iburst --minpoll 4 --maxpoll 4
interop_start_tempusd follows-ntpsec --clock=virtual --virtual-offset=-0.4 --listen=127.0.0.7:11125 \
  --server 127.0.0.4:123 --iburst --minpoll 4 --maxpoll 4

INTEROP_OWN+=(query)
a=127.0.0.6:11124
b=127.0.0.7:11125
out=$INTEROP_WORK/query.out
for _ in $(seq 1 30); do  # at most ~60 s; about 3 s are needed (iburst, then a step)
  sleep 2
  interop_run query 10 "$TEMPUS" query --json --samples 2 --timeout 1 "$a" "$b" || continue
  oa=$(interop_json_field "$out" $a offset)
  ob=$(interop_json_field "$out" $b offset)
  sa=$(interop_json_field "$out" $a stratum)
  sb=$(interop_json_field "$out" $b stratum)
  if [ "$sa" = 9 ] && [ "$sb" = 9 ] &&
     awk -v a="$oa" -v b="$ob" 'BEGIN { exit !(a < 0.005 && a > -0.005 && b < 0.005 && b > -0.005) }'; then
    break
  fi
done
interop_log "tempus query of the two tempusd: $(tr -d '\n' < "$out")"
interop_expect_near "tempusd following chronyd, offset from the kernel clock" "$oa" 0 0.005
interop_expect_near "tempusd following NTPsec, offset from the kernel clock" "$ob" 0 0.005
interop_expect_eq "stratum of tempusd following chronyd" "$sa" 9
interop_expect_eq "stratum of tempusd following NTPsec" "$sb" 9
interop_expect_eq "refid of tempusd following chronyd" "$(interop_json_field "$out" $a refid)" 127.0.0.2
interop_expect_eq "refid of tempusd following NTPsec" "$(interop_json_field "$out" $b refid)" 127.0.0.4
grep -q "system peer 127.0.0.2:11123" "$INTEROP_WORK/follows-chrony.log" ||
  interop_expect_eq "log of tempusd following chronyd names its system peer" "missing" "system peer 127.0.0.2:11123"
grep -q "system peer 127.0.0.4:123" "$INTEROP_WORK/follows-ntpsec.log" ||
  interop_expect_eq "log of tempusd following NTPsec names its system peer" "missing" "system peer 127.0.0.4:123"
