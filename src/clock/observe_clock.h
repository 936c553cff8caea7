// ObserveClock: the kernel clock as it runs, plus a correction in software; the kernel clock is
// never steered (like `chronyd -x`, whose null clock driver keeps the correction the same way).
//
// For containers without CAP_SYS_TIME, and as a safe default. The discipline steers the software
// layer exactly as it would steer the kernel (frequency with its temporary slew, steps), so its
// loop stays closed: its offset and frequency are those of the system clock against the sources,
// never a runaway estimate of corrections that were not made. The node serves the corrected time;
// SystemClockOffset() is how far the uncorrected system clock is off. The layer is VirtualClock
// (offset 0, no rate error of its own) over CLOCK_MONOTONIC, which Linux runs at the kernel
// clock's rate (both follow adjtimex frequency changes) but never steps: when someone else steps
// the kernel clock, the time served does not jump and SystemClockOffset() shows the step at once.
// Kernel receive stamps are mapped with VirtualClock::FromKernelRealtime. Not thread-safe.
#ifndef TEMPUS_CLOCK_OBSERVE_CLOCK_H_
#define TEMPUS_CLOCK_OBSERVE_CLOCK_H_

#include <memory>
#include <optional>

#include "clock/time_source.h"
#include "clock/virtual_clock.h"
#include "engine/clock.h"

namespace tempus::clock {

class ObserveClock final : public engine::Clock {
 public:
  // Reads the kernel's clocks.
  ObserveClock();
  // Reads `source` instead (tests). REQUIRES: source is not null.
  explicit ObserveClock(std::shared_ptr<TimeSource> source);

  core::UnixTime Now() override { return corrected_.Now(); }
  core::MonoTime Mono() override { return corrected_.Mono(); }
  core::UnixTime FromKernelRealtime(core::UnixTime kernel_stamp) override {
    return corrected_.FromKernelRealtime(kernel_stamp);
  }
  BatchReading ReadBatch() override { return corrected_.ReadBatch(); }
  std::optional<Line> LinearForm() override { return corrected_.LinearForm(); }
  core::UnixTime MapKernelRealtime(core::UnixTime kernel_stamp, const BatchReading& at) override {
    return corrected_.MapKernelRealtime(kernel_stamp, at);
  }
  // Steers the software correction; the kernel clock is not touched. Always succeeds.
  [[nodiscard]] Result<void, SysError> Apply(const core::discipline::ClockCommand& command) override {
    return corrected_.Apply(command);
  }
  // The software layer's frequency correction: minus the system clock's frequency error.
  double FrequencyPpm() const override { return corrected_.FrequencyPpm(); }
  std::string_view Kind() const override { return "observe"; }
  int PrecisionLog2() const override { return corrected_.PrecisionLog2(); }
  // The time served minus the kernel clock now (positive: the system clock is behind).
  std::optional<core::NtpDuration> SystemClockOffset() override { return corrected_.TrueOffset(); }
  // The last SetSyncStatus (the kernel's status is not set either).
  const core::discipline::SetSyncStatus& sync_status() const { return corrected_.sync_status(); }

 private:
  VirtualClock corrected_;
};

}  // namespace tempus::clock

#endif  // TEMPUS_CLOCK_OBSERVE_CLOCK_H_
