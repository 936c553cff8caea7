#include "core/assoc/poll_advisor.h"

#include <algorithm>
#include <cmath>

namespace tempus::core::assoc {

PollAdvisor::Advice PollAdvisor::AddSample(NtpDuration offset, NtpDuration delay, bool vote) {
  if (!last_offset_) {
    last_offset_ = offset;
    return Advice::kKeep;
  }
  const double diff_s = (offset - *last_offset_).Abs().Seconds();
  last_offset_ = offset;
  const double gate_s = std::max(kGateFactor * jitter_s_, std::max(delay, NtpDuration::Zero()).Seconds());
  const bool consistent = diff_s <= gate_s;

  jitter_sq_ = have_jitter_ ? jitter_sq_ + (diff_s * diff_s - jitter_sq_) / 4 : diff_s * diff_s;
  have_jitter_ = true;
  jitter_s_ = std::sqrt(jitter_sq_);

  if (!vote) return Advice::kKeep;
  counter_ += consistent ? 1 : -2;
  if (counter_ >= kLimit) {
    counter_ = 0;
    return Advice::kUp;
  }
  if (counter_ <= -kLimit) {
    counter_ = 0;
    return Advice::kDown;
  }
  return Advice::kKeep;
}

void PollAdvisor::Restart() {
  last_offset_.reset();
  counter_ = 0;
}

}  // namespace tempus::core::assoc
