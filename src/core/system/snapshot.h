// SystemSnapshot: the system variables a server answers from (RFC 5905 §9.1), as an immutable
// value. The engine publishes a new one after every clock update; the server path, mode 6 and the
// metrics read it and never the live System. Value type; thread-compatible (copy to share).
#ifndef TEMPUS_CORE_SYSTEM_SNAPSHOT_H_
#define TEMPUS_CORE_SYSTEM_SNAPSHOT_H_

#include <cstdint>

#include "core/time/leap.h"
#include "core/time/ntp_duration.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/packet.h"

namespace tempus::core::system {

struct SystemSnapshot {
  Leap leap = Leap::kUnsynchronized;  // sys.leap
  uint8_t stratum = kMaxStratum;      // sys.stratum; 16 = unsynchronized
  int8_t precision = -20;             // sys.precision, log2 s
  NtpDuration root_delay;             // sys.rootdelay: to the primary reference
  NtpDuration root_dispersion;        // sys.rootdisp at reference_time
  RefId refid = RefId::FromCode("INIT");
  NtpTimestamp reference_time;  // sys.reftime: when the clock was last updated

  // True when the server has a time worth serving.
  bool synchronized() const { return leap != Leap::kUnsynchronized && stratum < kMaxStratum; }
};

// The root dispersion the node reports at `now` (a server's reply, a symmetric peer's packet,
// mode 6 rootdisp): sys.rootdisp grown at PHI (15 ppm) since the reference time (RFC 5905 §10,
// §11.2.3); saturates at NtpDuration::Max().
NtpDuration RootDispersionAt(const SystemSnapshot& system, NtpTimestamp now);
// The same from the two fields it reads (the server's reply template keeps just those).
NtpDuration RootDispersionAt(NtpDuration root_dispersion, NtpTimestamp reference_time, NtpTimestamp now);

}  // namespace tempus::core::system

#endif  // TEMPUS_CORE_SYSTEM_SNAPSHOT_H_
