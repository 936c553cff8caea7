// SimClock: offset bookkeeping in long double seconds over a 16 s wander grid.
#include "sim/sim_clock.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace tempus::sim {
namespace {

constexpr long double kCell = 16.0L;  // wander grid, s

long double Seconds(SimTime t) { return static_cast<long double>(t.raw()) / 4294967296.0L; }

}  // namespace

SimClock::SimClock(const SimClockOptions& options, const SimTime& now, core::UnixTime epoch, uint64_t seed)
    : options_(options), now_(now), epoch_(epoch), random_(seed) {
  anchor_offset_ = options_.offset_s;
  rate_ = options_.perfect ? 0.0L : static_cast<long double>(options_.freq_ppm) * 1e-6L;
  f1_ = options_.wander_ppb * 1e-9 * std::sqrt(static_cast<double>(kCell)) * random_.Normal();
  if (options_.perfect || options_.wander_ppb == 0) f1_ = 0;
}

long double SimClock::WanderPhase(long double t) {
  if (options_.perfect || options_.wander_ppb == 0) return 0;
  while (t >= (cell_ + 1) * kCell) {
    cell_phase_ += (f0_ + f1_) / 2 * kCell;
    f0_ = f1_;
    f1_ = f0_ + static_cast<long double>(options_.wander_ppb * 1e-9 * std::sqrt(static_cast<double>(kCell)) *
                                         random_.Normal());
    ++cell_;
  }
  const long double tau = t - cell_ * kCell;
  return cell_phase_ + f0_ * tau + (f1_ - f0_) * tau * tau / (2 * kCell);
}

long double SimClock::SlewProgress(long double t) const {
  if (slew_total_ == 0 || t <= slew_start_) return 0;
  const long double possible = (t - slew_start_) * options_.slew_rate_ppm * 1e-6L;
  const long double done = std::min(possible, std::fabs(slew_total_));
  return slew_total_ < 0 ? -done : done;
}

long double SimClock::OffsetAt(SimTime t) {
  const long double s = Seconds(t);
  return anchor_offset_ + rate_ * (s - anchor_t_) + (WanderPhase(s) - anchor_wander_) + SlewProgress(s);
}

core::UnixTime SimClock::ReadingAt(SimTime t) {
  const long double off = OffsetAt(t);
  return epoch_ + t + core::NtpDuration::FromRaw(std::llround(off * 4294967296.0L));
}

void SimClock::Anchor(long double t) {
  const long double w = WanderPhase(t);
  anchor_offset_ += rate_ * (t - anchor_t_) + (w - anchor_wander_) + SlewProgress(t);
  anchor_wander_ = w;
  anchor_t_ = t;
  // Slew progress so far is now in anchor_offset_; what remains restarts from t.
  const long double done = SlewProgress(t);
  slew_total_ -= done;
  slew_start_ = t;
}

void SimClock::InjectStep(double offset_s) {
  Anchor(Seconds(now_));
  anchor_offset_ += offset_s;
}

Result<void, SysError> SimClock::Apply(const core::discipline::ClockCommand& command) {
  if (const auto* status = std::get_if<core::discipline::SetSyncStatus>(&command)) {
    sync_status_ = *status;
    return {};
  }
  if (options_.perfect) return {};
  Anchor(Seconds(now_));
  std::visit(
      [this](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, core::discipline::StepClock>) {
          anchor_offset_ += c.offset.Seconds();
          slew_total_ = 0;
        } else if constexpr (std::is_same_v<T, core::discipline::SlewClock>) {
          slew_total_ = c.offset.Seconds();  // replaces the remainder (adjtime)
        } else if constexpr (std::is_same_v<T, core::discipline::SetFrequency>) {
          // The clock runs at the estimate plus the temporary slew, clamped as a whole (the
          // kernel's ADJ_FREQUENCY); FrequencyPpm() reports the estimate.
          const double ppm = std::isnan(c.freq_ppm) ? 0.0 : c.freq_ppm;
          const double slew = std::isnan(c.slew_ppm) ? 0.0 : c.slew_ppm;
          correction_ppm_ = std::clamp(ppm, -options_.max_freq_ppm, options_.max_freq_ppm);
          const double total = std::clamp(ppm + slew, -options_.max_freq_ppm, options_.max_freq_ppm);
          rate_ = static_cast<long double>(options_.freq_ppm + total) * 1e-6L;
        }
      },
      command);
  return {};
}

}  // namespace tempus::sim
