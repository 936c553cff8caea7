// Discipline: the clock discipline (RFC 5905 §11.3's role), fed with the system offset after each
// selection and answering with ClockCommands only.
//
// Design (docs/discipline.md has the reasoning and the figures). Phase and frequency are
// estimated separately from the recent offsets instead of by ntpd's PLL/FLL loop filter:
//   * History. Each update adds (t, θ, δ) to a window of at most max_samples samples per source,
//     more than max_samples in all only from the last 1024 s. Whenever the
//     discipline corrects the clock, it rewrites the stored offsets as if the correction had always
//     been in effect (θ_i −= slew; θ_i += Δf × (now − t_i)), so the window always describes the
//     clock as it now runs and a late sample is brought forward the same way.
//   * Estimator. A weighted least-squares line through the window gives the offset now and the
//     residual frequency error. A sample's variance is (a) its measurement error, from its
//     round-trip delay in excess of the quickest exchange of its source's path in the window
//     (its own, pooled with the sources whose floors cannot be told apart; with queueing delay the offset
//     error is at most half the excess, so quick exchanges count most: the clock filter's insight
//     without discarding seven samples of eight), plus (b) the phase a frequency random walk q
//     adds over the sample's age, q²·age³/3, so old samples fade as the oscillator wanders. q is
//     chosen among nine models (0 and 1e-12..1.6e-8 /√s, ×4 apart) by the running predictive
//     likelihood of each new sample, remembered over hours (as long as the run, up to ~9 h). A
//     Wald–Wolfowitz runs test on the residual signs drops the oldest samples once a straight line
//     no longer fits them (a frequency jump).
//   * Correction. The frequency is set to current + slope (SetFrequency, clamped to ±max_freq),
//     and the offset estimate is removed through the frequency, as chrony does: a temporary
//     slew_ppm of SetFrequency runs for a correction time chosen so that an offset of the
//     estimate's own standard error σ takes correction_time_ratio/2 update intervals (chrony's
//     corrtimeratio: d = ratio·σ·T / (2|offset|); here d = S·(ratio·σ / (2|offset|))^0.25, at
//     most S, the source's interval T plus at most min_poll's once past the first makestep_limit
//     updates, at least 1 s, at most max_slew_ppm from nominal), so large errors go fast and
//     noise-sized ones slowly, and the clock's rate never jumps by more than the correction needs
//     (adjtime()'s fixed 500 ppm made every update a 500 ppm jump for a moment). CorrectionEnd()
//     says when to take the slew back (EndCorrection); a new update replaces the unfinished
//     part, as adjtime() does.
//   * Policy. Beyond step_threshold (tinker step, 0.128 s) the clock is stepped only after the
//     offset stayed beyond it for stepout (300 s); in the first makestep_limit updates an offset
//     beyond makestep_threshold is stepped at once (chrony's makestep 1.0 3), and so is one the
//     clock could not slew away in a regular interval (makestep_beyond_slew); beyond
//     panic_threshold (1000 s) nothing is done (kPanic), except at the first update, which
//     steps whatever the size unless allow_panic_at_start is off (ntpd -g, as Debian and
//     CentOS run it; chrony's `makestep 1 3` likewise steps any amount at start).
//   * Poll. chrony's polltarget rule: the recommendation rises while the window the runs test
//     keeps holds more than 8 samples per source and falls when it holds fewer (a score of
//     (n/8 − 1)/8 per source's update), so it reaches maxpoll on a quiet clock and shortens
//     when the oscillator wanders; it falls when the mean squared normalized innovation
//     exceeds 3 (the model stopped predicting), and at once after one 5σ surprise.
// Contract with the clock: SetFrequency (both parts) takes effect at once and is not clamped
// within ±max_slew_ppm; StepClock at once. Pure; not thread-safe.
#ifndef TEMPUS_CORE_DISCIPLINE_DISCIPLINE_H_
#define TEMPUS_CORE_DISCIPLINE_DISCIPLINE_H_

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "core/discipline/clock_command.h"
#include "core/discipline/regression.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"
#include "core/time/poll_exp.h"

namespace tempus::core::discipline {

// Tuning; the defaults are documented in docs/discipline.md. `tinker` names where ntpd has them.
struct DisciplineConfig {
  NtpDuration step_threshold = NtpDuration::FromRaw(549755814);       // tinker step, 0.128 s; 0: never
  NtpDuration stepout = NtpDuration::FromWholeSeconds(300);           // tinker stepout
  NtpDuration makestep_threshold = NtpDuration::FromWholeSeconds(1);  // steps allowed early beyond this
  int makestep_limit = 3;                                             // ... in this many first updates
  NtpDuration panic_threshold = NtpDuration::FromWholeSeconds(1000);  // tinker panic; 0: no limit
  bool allow_panic_at_start = true;                                   // ntpd -g; off: explicit tinker panic
  double max_frequency_ppm = 500.0;                                   // |frequency| clamp
  double max_slew_ppm = 500.0;         // the fastest the clock runs off nominal while correcting (the kernel's MAXFREQ)
  double correction_time_ratio = 3.0;  // chrony's corrtimeratio: how slowly noise-sized offsets are removed
  bool makestep_beyond_slew = true;    // early updates also step what could not be slewed in one interval
  std::optional<double> initial_frequency_ppm;         // driftfile in
  int max_samples = 128;                               // regression window, per source (up to 8 sources)
  NtpDuration min_error = NtpDuration::FromRaw(4295);  // 1 µs: floor of a sample's σ
  PollExp min_poll{4};                                 // poll recommendation range
  PollExp max_poll{10};
};

// One update: the system offset and its sample. Positive offset: the clock is behind.
struct DisciplineInput {
  NtpDuration offset;   // Θ, from selection/combining
  NtpDuration delay;    // round-trip delay of the system peer's sample; zero or less: unknown
  NtpDuration jitter;   // system jitter; the sample error used when the delay is unknown
  MonoTime when;        // when the sample was taken
  MonoTime now;         // when the returned commands are applied (≥ when)
  uint32_t source = 0;  // which source measured it: delays are compared within a source (or paths alike)
};

// What an update did.
enum class UpdateKind {
  kSlewed,   // frequency and phase corrected gradually
  kStepped,  // the clock was stepped (StepClock)
  kHeld,     // offset beyond the step threshold, waiting for stepout: sample not used
  kPanic,    // offset beyond the panic threshold: refused; the operator must intervene
  kIgnored,  // the sample is not newer than the last one used
};

// The discipline's estimates, for snapshots (ntpq rv: offset, frequency, sys_jitter, clk_wander).
struct DisciplineState {
  NtpDuration offset;                // the offset estimate that was corrected by the last update
  double frequency_ppm = 0.0;        // frequency correction in effect (driftfile out)
  double frequency_error_ppm = 0.0;  // standard error of the frequency estimate (the fit's own)
  // The same, honest with a few samples too (each counts at least δ/√12, RFC 5905 §8's interval);
  // infinite until the frequency is measured. What the driftfile keeps with the frequency.
  double frequency_bound_ppm = std::numeric_limits<double>::infinity();
  NtpDuration jitter;           // clock jitter: weighted RMS residual of the regression
  double wander_ppm = 0.0;      // RMS of recent frequency changes
  double frequency_walk = 0.0;  // the wander model in use: frequency random walk, (s/s)/√s
  PollExp poll;                 // recommended poll exponent
  double slew_ppm = 0.0;        // the temporary frequency offset correcting the phase now
  int samples = 0;              // samples in the regression window
  double span_s = 0.0;          // time from the window's oldest to its newest sample
  int updates = 0;              // updates used since start
  bool synchronized = false;    // at least one update was applied
  // The frequency is measured (a fit over samples spanning time, or the driftfile): until then
  // the clock runs off at its unknown frequency error, and the node should not serve as synced.
  bool frequency_known = false;
  // An offset beyond the step threshold is waiting to be confirmed as a jump (kHeld): the
  // sources are polled fast meanwhile (System::Settling), so that the confirmation comes soon.
  bool holding = false;
};

struct DisciplineUpdate {
  UpdateKind kind = UpdateKind::kIgnored;
  std::vector<ClockCommand> commands;  // in order; empty when nothing is to be done
  DisciplineState state;
  // How the update moved the clock, for samples kept elsewhere (the clock filters): the phase
  // it removes (stepped now or slewed from now on) and the change of the frequency estimate.
  NtpDuration phase;
  double frequency_change_ppm = 0.0;
};

class Discipline {
 public:
  explicit Discipline(DisciplineConfig config = {});

  // Processes one system offset; returns the commands for the clock and the new state.
  [[nodiscard]] DisciplineUpdate Update(const DisciplineInput& input);
  // Adds a sample to the history without correcting the clock: another selected source's, or a
  // backlog from before the first update. The next Update fits it with the others.
  void AddSample(const DisciplineInput& input);
  // The commands to apply once at start (the driftfile frequency), possibly none.
  [[nodiscard]] std::vector<ClockCommand> InitialCommands() const;
  // When the phase correction in progress is done and its slew_ppm must be taken back.
  std::optional<MonoTime> CorrectionEnd() const;
  // At or after CorrectionEnd(): the SetFrequency that takes the slew back (none before); a late
  // call is accounted for (the clock slewed on until `now`).
  [[nodiscard]] std::vector<ClockCommand> EndCorrection(MonoTime now);
  const DisciplineState& state() const { return state_; }
  // Set when the last Update stepped a confirmed jump (kJumpSamples): samples taken before this
  // time were measured on the clock the step restored and need no phase correction.
  const std::optional<MonoTime>& jump_since() const { return jump_since_; }
  // Drops source `id`'s samples from the history (selection found it a falseticker): a fit must
  // not span two time scales, which pins the frequency at its bound.
  void ForgetSource(uint32_t id);

  // After the first makestep_limit updates, an offset beyond step_threshold is stepped before
  // stepout once this many samples (the system peer's and the combined sources') say so, each
  // beyond the threshold by more than half its delay: queueing explains at most δ/2 of an
  // offset (RFC 5905 §8's correctness interval θ ± δ/2), so a delay spike never confirms a
  // jump, and one outlier sample is not enough (docs/discipline.md, "Jumps").
  static constexpr int kJumpSamples = 3;

 private:
  struct Stored {
    MonoTime when;
    double offset_s;  // as if the current corrections had always been in effect
    double delay_s;   // ≤ 0: unknown
    double jitter_s;
    uint32_t source;
  };
  // A correction: the phase moves the clock forward linearly from `start` to `end` (== start:
  // at once), the frequency estimate changed by dfreq at `start`.
  struct Correction {
    MonoTime start;
    MonoTime end;
    double phase_s;
    double dfreq;  // s/s
  };

  // `fit`: estimate phase and frequency from the history with this sample (an early step), else
  // step by `offset` and start the history over.
  DisciplineUpdate Step(NtpDuration offset, const DisciplineInput& input, bool fit);
  DisciplineUpdate Slew(double offset_s, const DisciplineInput& input);
  // The held samples that prove a jump of the newest one's sign (discipline_jump.cc).
  std::vector<Stored> JumpEvidence() const;
  // Steps a confirmed jump by the quickest evidence's offset; the history before the jump stays.
  DisciplineUpdate StepJump(const DisciplineInput& input, const std::vector<Stored>& evidence);
  // Starts or extends the held state with `s`.
  void Hold(const Stored& s);
  bool BeyondStep(double offset_s) const;
  // Sources with samples in the history, and the history cut to max_samples per source.
  size_t HistorySources() const;
  void TrimHistory();
  // Applies a correction to the stored history and logs it for late samples.
  void Record(const Correction& c);
  // Stops the phase correction in progress at `now`: what it will not apply (negative: it ran
  // past its end) goes back into the history. Returns that remainder, seconds.
  double StopCorrection(MonoTime now);
  // Starts removing `phase_s` from `now` at a rate chosen from the estimate's error `sd_s`: over
  // `span_s` when it is of that size, faster when larger; records it with the frequency change
  // `dfreq`; never faster than `max_ppm`. Returns the slew rate, ppm.
  double StartCorrection(MonoTime now, double phase_s, double sd_s, double span_s, double dfreq, double max_ppm);
  // The time since the previous sample of input's source (at least the update interval).
  double SourceInterval(const DisciplineInput& input) const;
  double BroughtForward(const DisciplineInput& input) const;
  // The history as regression points (t relative to `reference`), with measurement errors.
  std::vector<internal::Point> Points(MonoTime reference) const;
  // The model (discipline_model.cc): the history as points with errors, the fits, the wander
  // models and the poll they choose.
  // Before the frequency is known: the line through the history with one offset per source, and
  // whether a source's own samples span the second a frequency needs.
  internal::Line FitPerSource(std::span<const internal::Point> points, bool& measured) const;
  // DisciplineState::frequency_bound_ppm of a fit over `points` (history_'s, one for one), whose
  // slope asked for `wanted_ppm` and got `set_ppm` (clamped).
  double FrequencyBoundPpm(std::span<const internal::Point> points, double wanted_ppm, double set_ppm) const;
  // Scores the wander models on the newest point; returns its squared normalized innovation under
  // the model in use before this update (1 with fewer than three points).
  double ScoreWanderModels(std::span<const internal::Point> points);
  // `window`: samples the line fits, from `sources` sources.
  // `delay_s`: the new sample's round trip (≤ 0: unknown).
  void UpdatePoll(double innovation_sq, size_t window, size_t sources, double delay_s);

  DisciplineConfig config_;
  DisciplineState state_;
  std::vector<Stored> history_;          // oldest first
  std::vector<Correction> corrections_;  // the recent ones, oldest first (for late samples)
  bool correcting_ = false;              // corrections_.back() is a slew still commanded
  std::optional<MonoTime> last_when_;    // the last sample Update used
  // The interval until the next update, as far as the discipline can tell: the last one between
  // updates, or min_poll before there was one; at least 1 s.
  double interval_s_ = 1.0;
  bool last_surprise_ = false;          // the last scored sample was a surprise (ScoreWanderModels)
  std::optional<MonoTime> first_when_;  // the first sample an update used: the scores' memory grows from it
  std::optional<MonoTime> beyond_step_since_;
  std::vector<Stored> held_;  // samples beyond the step threshold since beyond_step_since_
  std::optional<MonoTime> jump_since_;
  // Candidate frequency random walks, (s/s)/√s: from none to a very poor oscillator, ×4 apart
  // (discipline_model.cc scores them).
  static constexpr std::array<double, 9> kWanderModels = {0.0,      1e-12,    4e-12,    1.6e-11,  6.4e-11,
                                                          2.56e-10, 1.024e-9, 4.096e-9, 1.6384e-8};
  std::array<double, kWanderModels.size()> model_score_{};  // running predictive log-likelihood per wander model
  size_t wander_model_ = 0;
  double innovation_avg_ = 1.0;     // running mean of the squared normalized innovation
  double last_innovation_s_ = 0.0;  // the newest sample minus its prediction, seconds
  double poll_score_ = 0.0;         // chrony's poll score: ±1 moves the poll
  double wander_sq_ = 0.0;          // running mean of squared frequency changes, ppm²
  double offset_sq_avg_ = 0.0;      // running mean of squared offset estimates, s²
};

}  // namespace tempus::core::discipline

#endif  // TEMPUS_CORE_DISCIPLINE_DISCIPLINE_H_
