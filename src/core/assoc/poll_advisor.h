// PollAdvisor: whether one source's samples are steady enough to poll it less often.
//
// A per-source, simplified form of the poll-adjust counter of RFC 5905 §A.5.5.6 (ntpd's
// "jiggle counter"). Each voting sample compares its offset θ with the previous sample's: the
// difference is consistent when it is within max(kGateFactor × jitter, δ) (δ bounds the error of
// each sample, so a difference within it says nothing). A consistent sample adds 1 to a counter,
// an inconsistent one subtracts 2; at +kLimit the advice is "poll up", at -kLimit "poll down", and
// the counter restarts from 0. Jitter is the RMS of successive offset differences, averaged with
// weight 1/4 (updated after the test, so a jump cannot widen its own gate). A noisy but steady
// source is consistent with its own jitter; only jumps beyond it shrink the poll.
// Value type; thread-compatible.
#ifndef TEMPUS_CORE_ASSOC_POLL_ADVISOR_H_
#define TEMPUS_CORE_ASSOC_POLL_ADVISOR_H_

#include <optional>

#include "core/time/ntp_duration.h"

namespace tempus::core::assoc {

class PollAdvisor {
 public:
  static constexpr double kGateFactor = 4.0;
  static constexpr int kLimit = 4;

  enum class Advice { kKeep, kUp, kDown };

  // Takes a sample. Only samples with `vote` set move the counter (the association lets the first
  // sample of each poll vote, so a burst counts once); every sample updates the jitter.
  Advice AddSample(NtpDuration offset, NtpDuration delay, bool vote);
  // Forgets the counter and the previous offset (after unreachability), keeps the jitter.
  void Restart();

  double jitter_s() const { return jitter_s_; }
  int counter() const { return counter_; }

 private:
  std::optional<NtpDuration> last_offset_;
  double jitter_s_ = 0;
  double jitter_sq_ = 0;
  bool have_jitter_ = false;
  int counter_ = 0;
};

}  // namespace tempus::core::assoc

#endif  // TEMPUS_CORE_ASSOC_POLL_ADVISOR_H_
