// What the System tests feed it: a server's reply as a Measurement, a configuration with this
// node at 10.0.0.5, and a run of replies 16 s apart with the local clock following.
#ifndef TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_
#define TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_

#include <vector>

#include "core/system/system.h"

namespace tempus::core::system {

inline const UnixTime kEpoch = UnixTime::FromParts(1795928139, 0);
inline const MonoTime kStart = MonoTime::FromNanos(0);

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

// Feeds `n` replies of `m` from source `id`, 16 s apart after `t`; collects the commands.
inline MonoTime FeedReplies(System& sys, uint32_t id, const Measurement& m, int n, MonoTime t,
                            std::vector<discipline::ClockCommand>* commands = nullptr) {
  for (int i = 0; i < n; ++i) {
    t += NtpDuration::FromWholeSeconds(16);
    auto u = sys.OnMeasurement(id, m, t, PollExp(4), t, kEpoch + (t - kStart));
    if (commands) commands->insert(commands->end(), u.commands.begin(), u.commands.end());
  }
  return t;
}

// Feeds `n` samples of `offset_s` from source `id`, 16 s apart, starting at `t`.
inline MonoTime Feed(System& sys, uint32_t id, double offset_s, uint8_t stratum, int n, MonoTime t,
                     std::vector<discipline::ClockCommand>* commands = nullptr,
                     RefId refid = RefId::FromRaw(0x0a000063)) {
  return FeedReplies(sys, id, Reply(offset_s, stratum, refid), n, t, commands);
}

}  // namespace tempus::core::system

#endif  // TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_
