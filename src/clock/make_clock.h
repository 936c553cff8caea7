// MakeClock: builds the engine::Clock named in the configuration ("system", "observe", "virtual").
#ifndef TEMPUS_CLOCK_MAKE_CLOCK_H_
#define TEMPUS_CLOCK_MAKE_CLOCK_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "clock/time_source.h"
#include "clock/virtual_clock.h"
#include "engine/clock.h"

namespace tempus::clock {

struct ClockOptions {
  VirtualClock::Options virtual_clock;  // used by "virtual" only
  // What "observe" and "virtual" read; null means the kernel's clocks. "system" always reads the
  // kernel.
  std::shared_ptr<TimeSource> source;
};

// A new clock of `kind`, or "unknown clock kind 'x' (expected system, observe or virtual)".
[[nodiscard]] Result<std::unique_ptr<engine::Clock>, std::string> MakeClock(std::string_view kind,
                                                                            const ClockOptions& options);

}  // namespace tempus::clock

#endif  // TEMPUS_CLOCK_MAKE_CLOCK_H_
