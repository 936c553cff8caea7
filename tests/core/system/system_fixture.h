// Helpers of the System tests: replies from a source and a config with a fixed own address.
#ifndef TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_
#define TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_

#include <vector>

#include "core/system/system.h"

namespace tempus::core::system {
namespace {

const UnixTime kEpoch = UnixTime::FromParts(1795928139, 0);
const MonoTime kStart = MonoTime::FromNanos(0);

Measurement Reply(double offset_s, uint8_t stratum, RefId refid = RefId::FromRaw(0x0a000063)) {
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

SystemConfig Config() {
  SystemConfig c;
  c.self_id = RefId::FromRaw(0x0a000005);  // 10.0.0.5
  c.select.min_clock = 1;
  return c;
}

// Feeds `n` samples of `offset_s` from source `id`, 16 s apart, starting at `t`.
MonoTime Feed(System& sys, uint32_t id, double offset_s, uint8_t stratum, int n, MonoTime t,
              std::vector<ClockCommand>* commands = nullptr, RefId refid = RefId::FromRaw(0x0a000063)) {
  for (int i = 0; i < n; ++i) {
    t += NtpDuration::FromWholeSeconds(16);
    auto u = sys.OnMeasurement(id, Reply(offset_s, stratum, refid), t, PollExp(4), t, kEpoch + (t - kStart));
    if (commands) commands->insert(commands->end(), u.commands.begin(), u.commands.end());
  }
  return t;
}

}  // namespace
}  // namespace tempus::core::system

#endif  // TEMPUS_TESTS_CORE_SYSTEM_SYSTEM_FIXTURE_H_
