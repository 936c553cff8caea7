// SimClock: a node's clock in the simulator, an engine::Clock over simulated true time.
//
//   reading(t) = t + offset(t)
//   offset(t)  = initial offset + ∫ (frequency error + wander(τ) + correction(τ)) dτ
//              + steps + slew progress
//
// wander is a random walk of the frequency (`wander_ppb` ppb/√s), drawn on a fixed 16 s grid
// from the clock's own stream and interpolated linearly in between, so a run does not depend on
// how often the clock is read. The correction is what SetFrequency set (clamped to ±max_freq);
// SlewClock moves the clock at the bounded slew rate with adjtime() semantics (a new slew replaces
// the remainder); StepClock jumps at once and cancels a slew. Mono() is true time (monotonic).
// A `perfect` clock (reference servers) keeps its initial offset forever and ignores steering.
// Offsets are long double seconds, exact to far below a nanosecond over a run. Not thread-safe.
#ifndef TEMPUS_SIM_SIM_CLOCK_H_
#define TEMPUS_SIM_SIM_CLOCK_H_

#include "core/time/unix_time.h"
#include "engine/clock.h"
#include "sim/event_queue.h"
#include "sim/sim_random.h"

namespace tempus::sim {

struct SimClockOptions {
  bool perfect = false;
  double offset_s = 0.0;    // clock minus true time at the start
  double freq_ppm = 0.0;    // the oscillator's frequency error; positive runs fast
  double wander_ppb = 0.0;  // frequency random walk, ppb/√s
  double slew_rate_ppm = 500.0;
  double max_freq_ppm = 500.0;  // SetFrequency clamp
  int precision_log2 = -24;
};

class SimClock final : public engine::Clock {
 public:
  // `now` is the simulation's current true time and must outlive the clock; `epoch` is the
  // Unix time of true time zero.
  SimClock(const SimClockOptions& options, const SimTime& now, core::UnixTime epoch, uint64_t seed);
  SimClock(const SimClock&) = delete;
  SimClock& operator=(const SimClock&) = delete;

  core::UnixTime Now() override { return ReadingAt(now_); }
  core::MonoTime Mono() override { return core::MonoTime::FromSinceOrigin(now_); }
  // The kernel stamp is the true arrival time on the simulator's time line.
  core::UnixTime FromKernelRealtime(core::UnixTime kernel_stamp) override { return ReadingAt(kernel_stamp - epoch_); }
  [[nodiscard]] Result<void, SysError> Apply(const core::discipline::ClockCommand& command) override;
  double FrequencyPpm() const override { return correction_ppm_; }
  std::string_view Kind() const override { return "sim"; }
  int PrecisionLog2() const override { return options_.precision_log2; }

  // Clock minus true time now, in seconds.
  long double TrueOffset() { return OffsetAt(now_); }
  // Steps the clock by `offset_s` from outside (a scenario's scheduled step), even if perfect.
  void InjectStep(double offset_s);
  // The last SetSyncStatus applied.
  const core::discipline::SetSyncStatus& sync_status() const { return sync_status_; }

 private:
  core::UnixTime ReadingAt(SimTime t);
  long double OffsetAt(SimTime t);
  // ∫ wander over [0, t], advancing the grid. REQUIRES: t not before the current grid cell.
  long double WanderPhase(long double t);
  long double SlewProgress(long double t) const;
  void Anchor(long double t);

  SimClockOptions options_;
  const SimTime& now_;
  core::UnixTime epoch_;
  SimRandom random_;
  // Wander grid: cell k covers [k·h, (k+1)·h); frequencies f0 at its start, f1 at its end.
  int64_t cell_ = 0;
  long double cell_phase_ = 0;  // ∫ wander over [0, k·h]
  long double f0_ = 0, f1_ = 0;
  // Deterministic part, anchored at the last frequency change.
  long double anchor_t_ = 0;
  long double anchor_offset_ = 0;  // offset at anchor_t_, without slew progress
  long double anchor_wander_ = 0;  // WanderPhase(anchor_t_)
  long double rate_ = 0;           // frequency error + correction, s/s
  double correction_ppm_ = 0.0;
  long double slew_start_ = 0;
  long double slew_total_ = 0;
  core::discipline::SetSyncStatus sync_status_;
};

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_SIM_CLOCK_H_
