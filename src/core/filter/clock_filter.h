// ClockFilter: the per-source clock filter of RFC 5905 §10 (Appendix A.5.2, clock_filter()).
//
// An eight-stage shift register of the latest samples. Each stage's dispersion grows at PHI
// (15 ppm) from the moment it was measured; the stage with the lowest round-trip delay gives the
// peer offset θ and delay δ, because on a network with queueing delay the quickest exchange has
// the smallest asymmetry error. The peer dispersion ε is the 1/2^(i+1)-weighted sum of the stage
// dispersions in delay order (empty stages count as MAXDISP), and the peer jitter ψ is the RMS of
// the offset differences to the chosen stage. A chosen sample is used only once and never one
// older than the last one used (§10 "prime directive"), and the popcorn spike suppressor drops a
// new choice that jumps more than SGATE (3) jitters from the last one unless it is more than two
// poll intervals after it (the gate uses the jitter known before the new sample,
// and is armed once the register held four samples).
//
// What it is not: it does no I/O and keeps no notion of root delay/dispersion (see
// select/root_distance.h). Deliberately the RFC filter (documented in docs/discipline.md): its
// minimum-delay pick feeds selection, while the discipline weights every sample by its delay.
// Not thread-safe; one filter per source, owned by its association.
#ifndef TEMPUS_CORE_FILTER_CLOCK_FILTER_H_
#define TEMPUS_CORE_FILTER_CLOCK_FILTER_H_

#include <array>
#include <optional>
#include <span>

#include "core/filter/sample.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"
#include "core/time/poll_exp.h"

namespace tempus::core::filter {

// Tuning of the filter; the defaults are RFC 5905's.
struct FilterConfig {
  // The system precision ρ (RFC 5905 §7.3): the floor of delay and jitter. Default 2^-20 s (~1 µs).
  NtpDuration precision = NtpDuration::FromRaw(int64_t{1} << 12);
  // SGATE: the popcorn spike gate in jitters; 0 disables the suppressor.
  double spike_gate = 3.0;
  // RFC 5905 §10 counts each empty stage as MAXDISP (16 s), so a source with few samples has a
  // root distance of seconds. Then intervals overlap so widely that a falseticker 1 s off is a
  // truechimer until each source has 5+ samples, and its pull on the combined offset makes the
  // discipline step the clock (seen in tests/core/system). tempus instead counts an empty stage
  // as the largest filled one; true restores the RFC rule.
  bool rfc_empty_stages = false;
};

// The peer variables the filter produces (RFC 5905 §10): what selection and combining use.
struct FilterOutput {
  NtpDuration offset;      // θ of the chosen stage
  NtpDuration delay;       // δ of the chosen stage
  NtpDuration dispersion;  // ε, each stage aged by PHI to the newest sample's time
  NtpDuration jitter;      // ψ, at least the precision
  MonoTime when;           // time of the chosen stage's sample
};

// One stage of the shift register as ntpq's filtdelay/filtoffset/filtdisp show it.
struct StageView {
  bool filled = false;
  NtpDuration offset;                       // θ_i (zero when empty)
  NtpDuration delay;                        // δ_i (zero when empty)
  NtpDuration dispersion = kMaxDispersion;  // ε_i aged by PHI to the newest sample's time
};

class ClockFilter {
 public:
  static constexpr int kStages = 8;  // NSTAGE

  explicit ClockFilter(FilterConfig config = {}) : config_(config) {}

  // Shifts `sample` in and, when the lowest-delay stage is a sample newer than the last one used
  // and is not a popcorn spike, returns the new peer variables (also kept as Current()).
  // `poll` is the source's current poll exponent, for the spike gate's two-interval window.
  // A sample older than the newest stage is ignored (the register stays time-ordered).
  [[nodiscard]] std::optional<FilterOutput> Add(const Sample& sample, PollExp poll);

  // The last peer variables returned by Add, if any.
  const std::optional<FilterOutput>& Current() const { return current_; }
  // Number of stages holding a sample (0..8).
  int size() const { return count_; }
  // The eight stages, newest first (ntpd's filter order as ntpq prints it), with each stage's
  // dispersion aged to the newest sample's time, as clock_filter() last computed it.
  std::array<StageView, kStages> Stages() const;
  // The stored samples, newest first (offsets as corrected by Correct).
  std::span<const Sample> samples() const { return {stages_.data(), static_cast<size_t>(count_)}; }
  // Empties the register, e.g. when the source became unreachable.
  void Reset();
  // The local clock was stepped by `step` (positive: forward): every stored offset θ, and the
  // current one, becomes what it would have been measured as after the step (θ − step), so the
  // register stays usable instead of starting over (chrony corrects its sample history likewise).
  void ShiftForStep(NtpDuration step) { Correct(step, 0.0, MonoTime()); }
  // The clock was corrected at `now` by `phase` (a step, or a slew, positive: forward) and its
  // frequency by `dfreq` (s/s, positive: faster): every stored θ_i becomes what it would have been
  // with the corrections always in effect, θ_i − phase + dfreq × (now − t_i). With `since`, the
  // phase applies only to samples taken at or after it (a step that undid a jump of the clock:
  // the older samples were measured on the clock the step restored).
  void Correct(NtpDuration phase, double dfreq, MonoTime now, std::optional<MonoTime> since = std::nullopt);

  // Counters for the source's statistics: samples not used (prime directive) and spikes dropped.
  int stale_count() const { return stale_count_; }
  int spike_count() const { return spike_count_; }

 private:
  FilterConfig config_;
  std::array<Sample, kStages> stages_{};  // stages_[0] is the newest
  int count_ = 0;
  std::optional<FilterOutput> current_;
  NtpDuration previous_jitter_;  // ψ computed by the previous Add, for the spike gate
  int stale_count_ = 0;
  int spike_count_ = 0;
};

}  // namespace tempus::core::filter

#endif  // TEMPUS_CORE_FILTER_CLOCK_FILTER_H_
