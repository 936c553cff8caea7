// MakeClock: the clock factory.
#include "clock/make_clock.h"

#include <cmath>

#include "clock/observe_clock.h"
#include "clock/system_clock.h"

namespace tempus::clock {

Result<std::unique_ptr<engine::Clock>, std::string> MakeClock(std::string_view kind, const ClockOptions& options) {
  std::shared_ptr<TimeSource> source = options.source ? options.source : std::make_shared<KernelTimeSource>();
  std::unique_ptr<engine::Clock> clock;
  if (kind == "system") {
    clock = std::make_unique<SystemClock>();
  } else if (kind == "observe") {
    clock = std::make_unique<ObserveClock>(std::move(source));
  } else if (kind == "virtual") {
    const VirtualClock::Options& v = options.virtual_clock;
    // Options come from flags and files: check them here rather than abort in the constructor.
    if (!(v.slew_rate_ppm > 0 && v.slew_rate_ppm <= 100000)) {
      return Unexpected(std::string("virtual clock slew rate must be in (0, 100000] ppm"));
    }
    if (!(v.max_freq_ppm >= 0 && v.max_freq_ppm <= 100000)) {
      return Unexpected(std::string("virtual clock frequency limit must be in [0, 100000] ppm"));
    }
    if (!(std::fabs(v.freq_error_ppm) <= 100000)) {
      return Unexpected(std::string("virtual clock frequency error must be within ±100000 ppm"));
    }
    clock = std::make_unique<VirtualClock>(std::move(source), options.virtual_clock);
  } else {
    return Unexpected("unknown clock kind '" + std::string(kind) + "' (expected system, observe or virtual)");
  }
  return clock;
}

}  // namespace tempus::clock
