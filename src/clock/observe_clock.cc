// ObserveClock: the kernel clock, read only; commands are recorded.
#include "clock/observe_clock.h"

#include <type_traits>

#include "core/check.h"

namespace tempus::clock {

ObserveClock::ObserveClock() : ObserveClock(std::make_shared<KernelTimeSource>()) {}

ObserveClock::ObserveClock(std::shared_ptr<TimeSource> source) : source_(std::move(source)) {
  TEMPUS_CHECK(source_ != nullptr);
  precision_log2_ = MeasurePrecisionLog2(*source_);
}

Result<void, engine::SysError> ObserveClock::Apply(const core::ClockCommand& command) {
  std::visit(
      [this](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, core::StepClock>) {
          ++observed_.steps;
          observed_.last_offset = c.offset;
        } else if constexpr (std::is_same_v<T, core::SlewClock>) {
          ++observed_.slews;
          observed_.last_offset = c.offset;
        } else if constexpr (std::is_same_v<T, core::SetFrequency>) {
          ++observed_.frequency_sets;
          observed_.freq_ppm = c.freq_ppm;
        } else {
          ++observed_.status_sets;
          observed_.status = c;
        }
      },
      command);
  return {};
}

}  // namespace tempus::clock
