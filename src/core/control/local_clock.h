// The local clock as a source of the node's snapshot: an association, as ntpd shows its LOCAL
// driver (server 127.127.1.u), so that `ntpq -p` lists `LOCAL(u)  .LOCL.  D l` with a `*` while
// it is the system peer, and Prometheus lists it among the sources as source="LOCAL(u)". tempus
// serves the local clock as a fallback of the System (`local stratum N`, or the LOCAL driver with
// `fudge ... stratum D`, served at N = D + 1); this snapshot is built from those plain values.
// Pure; thread-compatible.
#ifndef TEMPUS_CORE_CONTROL_LOCAL_CLOCK_H_
#define TEMPUS_CORE_CONTROL_LOCAL_CLOCK_H_

#include <cstdint>

#include "core/report/node_snapshot.h"
#include "core/time/mono_time.h"

namespace tempus::core::control {

struct LocalClockInput {
  uint16_t association_id = 0;
  uint8_t unit = 0;          // LOCAL(u), address 127.127.1.u
  int served_stratum = 0;    // the stratum this node serves from it (the driver's stratum + 1)
  bool system_peer = false;  // the System serves the local clock now
  int8_t precision = -20;    // the local clock's precision, log2 s
  MonoTime start;            // when the node started (the driver's polls count from there)
  MonoTime now;
};

// The local clock as ntpd's LOCAL driver looks in mode 6: srcadr 127.127.1.u, srchost
// "LOCAL(u)", hmode 3 (client, ntpq's type `l` with the srchost), refid LOCL, the driver's
// stratum, polled every 64 s since start (reach fills up, `when` counts up to 64), offset,
// delay and jitter 0; selection tally sys.peer while it is the system peer, else reject (ntpd
// selects it only when nothing else survives, as the System does).
report::SourceSnapshot LocalClockSnapshot(const LocalClockInput& in);

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_LOCAL_CLOCK_H_
