#include "engine/clock.h"

#include "core/time/int128.h"

namespace tempus::engine {

core::UnixTime LineAt(const Clock::Line& line, core::MonoTime mono, core::UnixTime realtime) {
  if (line.kernel) return realtime;
  // As VirtualClock::MapKernelRealtime: the elapsed time scaled by the rate; 128 bits, since the
  // line may be hours old on an idle server (2^46 units times a rate of up to ~2^54).
  const core::NtpDuration elapsed = mono - line.at.mono;
  const auto excess = static_cast<int64_t>((static_cast<core::Int128>(elapsed.raw()) * line.excess_rate) >> 64);
  return line.at.local + core::NtpDuration::FromRaw(elapsed.raw() + excess);
}

}  // namespace tempus::engine
