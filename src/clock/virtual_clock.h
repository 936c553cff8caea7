// VirtualClock: a software clock over CLOCK_MONOTONIC with its own offset and frequency error,
// steered exactly as the system clock would be. Many daemons with different virtual clocks run
// side by side on one machine (tests, the demo cluster, benchmarks) without touching the kernel.
// ObserveClock is one without an error of its own: the kernel's time plus the correction.
//
//   Now = realtime_at_construction + initial_offset
//       + Σ over each interval of constant frequency: elapsed · (1 + (freq_error + correction)·1e-6)
//       + steps + slew progress
//
// Elapsed time is real (monotonic) time. Arithmetic is fixed point in 2^-64 s (Int128), so after
// 10^4 s the arithmetic error is far below 1 ns; readings are rounded to 2^-32 s. Slews follow
// adjtime(): a SlewClock replaces any slew still in progress and moves the clock at the bounded
// slew rate (default 500 ppm of real time) until done; a StepClock jumps at once and cancels a
// pending slew (the discipline steps on a measurement of the whole offset). Not thread-safe.
#ifndef TEMPUS_CLOCK_VIRTUAL_CLOCK_H_
#define TEMPUS_CLOCK_VIRTUAL_CLOCK_H_

#include <memory>

#include "clock/time_source.h"
#include "core/time/int128.h"
#include "engine/clock.h"

namespace tempus::clock {

class VirtualClock final : public engine::Clock {
 public:
  struct Options {
    core::NtpDuration initial_offset{};  // this clock minus kernel realtime at construction
    double freq_error_ppm = 0.0;         // the clock's own rate error; positive runs fast
    double slew_rate_ppm = 500.0;        // how fast a SlewClock moves the clock (adjtime's 500 ppm)
    double max_freq_ppm = 500.0;         // SetFrequency corrections are clamped to ±this
  };

  // Reads `source` once to anchor the clock. REQUIRES: source is not null.
  VirtualClock(std::shared_ptr<TimeSource> source, const Options& options);
  VirtualClock(const VirtualClock&) = delete;
  VirtualClock& operator=(const VirtualClock&) = delete;

  core::UnixTime Now() override;
  core::MonoTime Mono() override { return source_->Monotonic(); }
  // Places the stamp on the monotonic time line via the current realtime/monotonic relation.
  core::UnixTime FromKernelRealtime(core::UnixTime kernel_stamp) override;
  // Reads the monotonic and realtime clocks once; the rate is this clock's against monotonic time
  // at that moment (frequency error, correction and a slew in progress).
  BatchReading ReadBatch() override;
  // The stamp's age at `at`, scaled by the rate, back from `at.now`: no clock read, no 128-bit
  // division. Stamps older than a second take the exact path of FromKernelRealtime as of `at`.
  core::UnixTime MapKernelRealtime(core::UnixTime kernel_stamp, const BatchReading& at) override;
  // ReadBatch's rate from now on, holding until a slew in progress ends.
  std::optional<Line> LinearForm() override;
  [[nodiscard]] Result<void, SysError> Apply(const core::discipline::ClockCommand& command) override;
  double FrequencyPpm() const override { return correction_ppm_; }  // without the temporary slew
  std::string_view Kind() const override { return "virtual"; }
  int PrecisionLog2() const override { return precision_log2_; }

  // This clock minus the kernel's CLOCK_REALTIME now: the truth tests and the demo compare with
  // (for ObserveClock: how far the system clock is behind the time served).
  core::NtpDuration TrueOffset();
  // The part of the last SlewClock not yet applied (signed).
  core::NtpDuration SlewRemaining();
  // The last SetSyncStatus applied (default: unsynchronized, no leap).
  const core::discipline::SetSyncStatus& sync_status() const { return sync_status_; }

 private:
  // Virtual time at monotonic `m` in 2^-64 s since the Unix epoch, without / with slew progress.
  core::Int128 BaseAt(core::MonoTime m) const;
  core::Int128 SlewProgressAt(core::MonoTime m) const;
  core::Int128 At(core::MonoTime m) const { return BaseAt(m) + SlewProgressAt(m); }
  // When the slew in progress ends (none: no slew).
  std::optional<core::MonoTime> SlewEnd() const;
  // Sets the values ReadBatch takes from the rate and the slew (slew_end_, the excess rates):
  // after every change of either, so that a batch's reading computes neither.
  void CacheRates();
  void SetCorrection(double ppm, double slew_ppm);
  void StartSlew(core::NtpDuration offset);
  void Step(core::NtpDuration offset);

  std::shared_ptr<TimeSource> source_;
  Options options_;
  int precision_log2_;
  double correction_ppm_ = 0.0;
  core::MonoTime anchor_mono_;     // start of the current constant-frequency interval
  core::Int128 anchor_value_ = 0;  // BaseAt(anchor_mono_)
  int64_t rate_ppm_q32_ = 0;       // freq_error + correction, in 2^-32 ppm
  int64_t slew_rate_ppm_q32_ = 0;
  core::MonoTime slew_start_;
  core::Int128 slew_total_ = 0;  // the slew being applied, 2^-64 s
  // CacheRates: SlewEnd(), and the rate minus one in 2^-64 without and during the slew.
  std::optional<core::MonoTime> slew_end_;
  int64_t excess_rate_ = 0;
  int64_t slewing_excess_rate_ = 0;
  core::discipline::SetSyncStatus sync_status_;
};

}  // namespace tempus::clock

#endif  // TEMPUS_CLOCK_VIRTUAL_CLOCK_H_
