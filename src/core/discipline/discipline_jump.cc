// Discipline: offsets beyond the step threshold after start (a clock that jumped: VM pause,
// live migration, resume) and the sources selection found wrong. docs/discipline.md, "Jumps".
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/discipline/discipline.h"

namespace tempus::core::discipline {

bool Discipline::BeyondStep(double offset_s) const {
  return config_.step_threshold > NtpDuration::Zero() && std::fabs(offset_s) > config_.step_threshold.Seconds();
}

void Discipline::Hold(const Stored& s) {
  if (!beyond_step_since_.has_value()) beyond_step_since_ = s.when;
  held_.push_back(s);
  // Bounded: a source that stays beyond the threshold until stepout adds one sample per poll.
  if (static_cast<int>(held_.size()) > config_.max_samples) held_.erase(held_.begin());
  state_.holding = true;
}

void Discipline::ForgetSource(uint32_t id) {
  std::erase_if(history_, [id](const Stored& s) { return s.source == id; });
  std::erase_if(held_, [id](const Stored& s) { return s.source == id; });
}

std::vector<Discipline::Stored> Discipline::JumpEvidence() const {
  // A held sample proves that the clock is off by more than the step threshold when even the far
  // end of its correctness interval θ ± δ/2 (RFC 5905 §8) is beyond it: a network delay spike
  // moves θ by at most δ/2, so its samples never count. Without a delay (a reference clock), the
  // offset alone. Only samples on the newest one's side count: the clock jumped one way.
  std::vector<Stored> evidence;
  if (held_.empty()) return evidence;
  const bool ahead = held_.back().offset_s > 0.0;
  const double threshold_s = config_.step_threshold.Seconds();
  for (const Stored& s : held_) {
    const double half_delay_s = std::max(s.delay_s, 0.0) / 2.0;
    if ((s.offset_s > 0.0) == ahead && std::fabs(s.offset_s) - half_delay_s > threshold_s) evidence.push_back(s);
  }
  return evidence;
}

DisciplineUpdate Discipline::StepJump(const DisciplineInput& input, const std::vector<Stored>& evidence) {
  const MonoTime now = std::max(input.now, input.when);
  // The quickest exchange measures the jump best (the RFC clock filter's choice). The frequency
  // is not touched: the history before the jump was measured on the clock the step restores, so
  // it stays as it was and the fit goes on across the jump (after a stepout step the history
  // starts over). The evidence joins it on the restored scale.
  const Stored* best = &evidence.back();
  for (const Stored& s : evidence) {
    const double delay = s.delay_s > 0.0 ? s.delay_s : std::numeric_limits<double>::infinity();
    const double best_delay = best->delay_s > 0.0 ? best->delay_s : std::numeric_limits<double>::infinity();
    if (delay < best_delay) best = &s;
  }
  // The step also takes the unfinished part of a correction in progress (as Step).
  const bool was_correcting = correcting_;
  const double remainder_s = StopCorrection(now);
  const double step_s = best->offset_s + remainder_s;
  const MonoTime since = evidence.front().when;
  for (Stored s : evidence) {
    s.offset_s -= best->offset_s;
    history_.push_back(s);
  }
  std::stable_sort(history_.begin(), history_.end(), [](const Stored& a, const Stored& b) { return a.when < b.when; });
  TrimHistory();
  // A late sample taken after the jump but processed after the step is brought forward by it.
  corrections_.clear();
  corrections_.push_back({now, now, step_s, 0.0});
  beyond_step_since_.reset();
  held_.clear();
  state_.holding = false;
  state_.offset = NtpDuration::FromSeconds(step_s);
  state_.samples = static_cast<int>(history_.size());
  ++state_.updates;
  jump_since_ = since;
  std::vector<ClockCommand> commands;
  if (was_correcting) commands.emplace_back(SetFrequency{state_.frequency_ppm, 0.0});
  commands.emplace_back(StepClock{NtpDuration::FromSeconds(step_s)});
  return {UpdateKind::kStepped, std::move(commands), state_, NtpDuration::FromSeconds(best->offset_s), 0.0};
}

}  // namespace tempus::core::discipline
