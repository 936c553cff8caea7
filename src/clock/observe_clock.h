// ObserveClock: reads the kernel clock and never steers it (like `chronyd -x`).
//
// For containers without CAP_SYS_TIME: the daemon still syncs and serves, and reports how far off
// the system clock is from what the discipline asked for. Steering commands are accepted, counted
// and recorded, never carried out. Not thread-safe.
#ifndef TEMPUS_CLOCK_OBSERVE_CLOCK_H_
#define TEMPUS_CLOCK_OBSERVE_CLOCK_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "clock/time_source.h"
#include "engine/clock.h"

namespace tempus::clock {

class ObserveClock final : public engine::Clock {
 public:
  // What the discipline asked for, none of which was done.
  struct Observed {
    uint64_t steps = 0;
    uint64_t slews = 0;
    uint64_t frequency_sets = 0;
    uint64_t status_sets = 0;
    // The offset of the last StepClock or SlewClock: how far off the system clock was found to be
    // (positive: the system clock is behind).
    std::optional<core::NtpDuration> last_offset;
    double freq_ppm = 0.0;  // the last SetFrequency, unclamped
    core::SetSyncStatus status;
  };

  // Reads the kernel's clocks.
  ObserveClock();
  // Reads `source` instead (tests). REQUIRES: source is not null.
  explicit ObserveClock(std::shared_ptr<TimeSource> source);

  core::UnixTime Now() override { return source_->Realtime(); }
  core::MonoTime Mono() override { return source_->Monotonic(); }
  core::UnixTime FromKernelRealtime(core::UnixTime kernel_stamp) override { return kernel_stamp; }
  // Records the command; always succeeds.
  [[nodiscard]] Result<void, engine::SysError> Apply(const core::ClockCommand& command) override;
  double FrequencyPpm() const override { return observed_.freq_ppm; }
  std::string_view Kind() const override { return "observe"; }
  int PrecisionLog2() const override { return precision_log2_; }

  const Observed& observed() const { return observed_; }

 private:
  std::shared_ptr<TimeSource> source_;
  int precision_log2_;
  Observed observed_;
};

}  // namespace tempus::clock

#endif  // TEMPUS_CLOCK_OBSERVE_CLOCK_H_
