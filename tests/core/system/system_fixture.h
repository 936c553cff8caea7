// Helpers of the System tests: a measurement as an association would report it, and a config
// with one source enough to select (min_clock 1) and this node at 10.0.0.5.
#ifndef TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_
#define TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_

#include "core/system/system.h"

namespace tempus::core::system::testing {

inline const UnixTime kEpoch = UnixTime::FromParts(1795928139, 0);
inline const MonoTime kStart = MonoTime::FromNanos(0);

// A reply `offset_s` ahead, from a server at `stratum` whose refid is `refid`.
inline Measurement Reply(double offset_s, uint8_t stratum, RefId refid = RefId::FromRaw(0x0a000063)) {
  Measurement m;
  m.offset = NtpDuration::FromSeconds(offset_s);
  m.delay = NtpDuration::FromMicros(200);
  m.dispersion = NtpDuration::FromMicros(2);
  m.server.leap = Leap::kNoWarning;
  m.server.stratum = stratum;
  m.server.refid = refid;
  m.server.mode = Mode::kServer;
  return m;
}

inline SystemConfig Config() {
  SystemConfig c;
  c.self_id = RefId::FromRaw(0x0a000005);  // 10.0.0.5
  c.select.min_clock = 1;
  return c;
}

}  // namespace tempus::core::system::testing

#endif  // TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_
