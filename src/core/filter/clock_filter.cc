#include "core/filter/clock_filter.h"

#include <algorithm>
#include <cmath>

namespace tempus::core::filter {
namespace {

// ε of a stage at `now`: its own dispersion plus PHI × age, capped at MAXDISP (RFC 5905 §10).
NtpDuration AgedDispersion(const Sample& s, MonoTime now) {
  const NtpDuration age = now - s.when;
  const NtpDuration grown = s.dispersion + age.Scaled(kPhi);
  return std::min(std::max(grown, NtpDuration::Zero()), kMaxDispersion);
}

}  // namespace

std::optional<FilterOutput> ClockFilter::Add(const Sample& sample, PollExp poll) {
  if (count_ > 0 && sample.when < stages_[0].when) {
    ++stale_count_;
    return std::nullopt;
  }
  // Shift the register (the oldest stage falls off) and place the new sample in front.
  std::copy_backward(stages_.begin(), stages_.end() - 1, stages_.end());
  stages_[0] = sample;
  // A negative or tiny delay (clock resolution, server stamping) counts as the precision (§8).
  stages_[0].delay = std::max(sample.delay, config_.precision);
  stages_[0].dispersion = std::clamp(sample.dispersion, NtpDuration::Zero(), kMaxDispersion);
  count_ = std::min(count_ + 1, kStages);

  // Sort the occupied stages by increasing delay; among equal delays the newer sample first.
  const MonoTime now = sample.when;
  std::array<int, kStages> order{};
  for (int i = 0; i < count_; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.begin() + count_,
                   [&](int a, int b) { return stages_[a].delay < stages_[b].delay; });

  // Peer dispersion: ε = Σ ε_i / 2^(i+1) in delay order. Empty stages weigh in as MAXDISP in the
  // RFC; by default they repeat the largest filled stage instead (FilterConfig::rfc_empty_stages).
  double largest_s = 0.0;
  for (int i = 0; i < count_; ++i) largest_s = std::max(largest_s, AgedDispersion(stages_[i], now).Seconds());
  const double empty_s = config_.rfc_empty_stages ? kMaxDispersion.Seconds() : largest_s;
  double dispersion_s = 0.0;
  for (int i = kStages - 1; i >= 0; --i) {
    const double eps = i < count_ ? AgedDispersion(stages_[order[i]], now).Seconds() : empty_s;
    dispersion_s = 0.5 * (dispersion_s + eps);
  }
  // Peer jitter: RMS of the offset differences to the chosen stage (§10).
  const Sample& best = stages_[order[0]];
  double sum_sq = 0.0;
  for (int i = 1; i < count_; ++i) {
    const double d = stages_[order[i]].offset.Seconds() - best.offset.Seconds();  // no wrapping
    sum_sq += d * d;
  }
  const double jitter_s = count_ > 1 ? std::sqrt(sum_sq / (count_ - 1)) : 0.0;
  const NtpDuration jitter = std::max(NtpDuration::FromSeconds(jitter_s), config_.precision);

  // Prime directive: use a sample only once and never one older than the last one used. As in
  // RFC 5905 A.5.2 clock_filter(), the peer dispersion and jitter still follow the register (they
  // are set before this test there); otherwise a source whose quickest exchange came first would
  // keep its first, near-MAXDISP dispersion, and stay unselectable, until a quicker one came.
  if (current_.has_value() && best.when <= current_->when) {
    ++stale_count_;
    current_->dispersion = NtpDuration::FromSeconds(dispersion_s);
    current_->jitter = jitter;
    return std::nullopt;
  }
  // Popcorn spike suppressor: a jump of more than SGATE jitters within two poll intervals. The
  // gate uses the jitter from before this sample, so that a spike cannot widen its own gate.
  // It waits until half the register is filled: a jitter from one or two differences means little.
  const NtpDuration gate_jitter = previous_jitter_;
  const bool gate_armed = count_ > kStages / 2;  // the previous register held at least 4 stages
  previous_jitter_ = jitter;
  if (gate_armed && current_.has_value() && config_.spike_gate > 0.0) {
    const double jump_s = std::fabs(best.offset.Seconds() - current_->offset.Seconds());
    const NtpDuration window = poll.Interval() + poll.Interval();
    if (jump_s > config_.spike_gate * gate_jitter.Seconds() && best.when - current_->when < window) {
      ++spike_count_;
      return std::nullopt;
    }
  }
  current_ = FilterOutput{best.offset, best.delay, NtpDuration::FromSeconds(dispersion_s), jitter, best.when};
  return current_;
}

std::array<StageView, ClockFilter::kStages> ClockFilter::Stages() const {
  std::array<StageView, kStages> out{};
  for (int i = 0; i < kStages; ++i) {
    if (i < count_) {
      out[i] = StageView{true, stages_[i].offset, stages_[i].delay, AgedDispersion(stages_[i], stages_[0].when)};
    } else {
      out[i].dispersion = kMaxDispersion;
    }
  }
  return out;
}

void ClockFilter::Correct(NtpDuration phase, double dfreq, MonoTime now, std::optional<MonoTime> since) {
  auto adjust = [&](NtpDuration& offset, MonoTime when) {
    if (!since || when >= *since) offset -= phase;
    if (dfreq != 0.0) offset += (now - when).Scaled(dfreq);
  };
  for (int i = 0; i < count_; ++i) adjust(stages_[i].offset, stages_[i].when);
  if (current_) adjust(current_->offset, current_->when);
}

void ClockFilter::Reset() {
  stages_ = {};
  count_ = 0;
  current_.reset();
  previous_jitter_ = NtpDuration::Zero();
}

}  // namespace tempus::core::filter
