// SystemClock: the kernel clock (CLOCK_REALTIME), read with clock_gettime and steered with
// clock_adjtime. Needs CAP_SYS_TIME to steer; for real deployments only.
//
// system_clock.cc is the only file in tempus that may change the machine's clock. Tests may
// construct a SystemClock and call Now, Mono, Kind and PrecisionLog2; they never Apply. The
// kernel's own PLL is not used: tempus disciplines, the kernel only executes. Not thread-safe.
#ifndef TEMPUS_CLOCK_SYSTEM_CLOCK_H_
#define TEMPUS_CLOCK_SYSTEM_CLOCK_H_

#include "clock/time_source.h"
#include "engine/clock.h"

namespace tempus::clock {

class SystemClock final : public engine::Clock {
 public:
  // Kernel limits: frequency corrections beyond ±500 ppm (MAXFREQ) are clamped; single-shot slews
  // are limited to what adjtime() accepts.
  static constexpr double kMaxFreqPpm = 500.0;
  static constexpr double kMaxSlewSeconds = 2145.0;

  // Does not touch the kernel clock (only measures its reading precision).
  SystemClock();

  core::UnixTime Now() override { return kernel_.Realtime(); }
  core::MonoTime Mono() override { return kernel_.Monotonic(); }
  core::UnixTime FromKernelRealtime(core::UnixTime kernel_stamp) override { return kernel_stamp; }
  core::UnixTime MapKernelRealtime(core::UnixTime kernel_stamp, const BatchReading&) override { return kernel_stamp; }
  std::optional<Line> LinearForm() override {
    Line line;
    line.kernel = true;
    return line;
  }
  // StepClock: clock_adjtime(ADJ_SETOFFSET|ADJ_NANO). SlewClock: ADJ_OFFSET_SINGLESHOT (adjtime
  // semantics, 500 ppm, replaces a slew in progress; `tempus sync -B`). SetFrequency:
  // ADJ_FREQUENCY of freq_ppm + slew_ppm (the discipline's correction through the frequency).
  // SetSyncStatus: STA_UNSYNC/STA_INS/STA_DEL, maxerror and esterror. On EPERM the error says
  // that CAP_SYS_TIME is needed.
  [[nodiscard]] Result<void, SysError> Apply(const core::discipline::ClockCommand& command) override;
  // What SetFrequency last set here as freq_ppm (0 until then; the kernel's value is not read).
  double FrequencyPpm() const override { return freq_ppm_; }
  std::string_view Kind() const override { return "system"; }
  int PrecisionLog2() const override { return precision_log2_; }

 private:
  Result<void, SysError> Step(const core::discipline::StepClock& c);
  Result<void, SysError> Slew(const core::discipline::SlewClock& c);
  Result<void, SysError> SetFrequency(const core::discipline::SetFrequency& c);
  Result<void, SysError> SetStatus(const core::discipline::SetSyncStatus& c);

  KernelTimeSource kernel_;
  int precision_log2_;
  double freq_ppm_ = 0.0;
};

}  // namespace tempus::clock

#endif  // TEMPUS_CLOCK_SYSTEM_CLOCK_H_
