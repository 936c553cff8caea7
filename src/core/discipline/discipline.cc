#include "core/discipline/discipline.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/discipline/regression.h"

namespace tempus::core::discipline {
namespace {

constexpr size_t kMinWindow = 6;      // the runs test never cuts the window below this
constexpr double kWanderAvg = 8.0;    // averaging length (updates) of the wander estimate
constexpr double kOffsetAvg = 8.0;    // averaging length (updates) of the usual correction size
constexpr size_t kWindowSources = 8;  // the window grows with the sources up to this many (cost: O(n) fits per update)
constexpr size_t kMaxCorrections = 32;    // corrections kept for late samples
constexpr double kDenseWindowS = 1024.0;  // the window holds more than max_samples only from this long
constexpr double kMinCorrectionS = 1.0;
// How a correction's time shrinks with its size beyond the usual one (chrony's rule: 1).
constexpr double kSurpriseExponent = 0.25;
// The shortest regular interval at start: the System polls settling sources at least 16 s apart
// (Association::kStartupPollMin); only a burst's samples come closer.
constexpr double kStartupIntervalS = 16.0;

double Seconds(MonoTime a, MonoTime b) { return (a - b).Seconds(); }

}  // namespace

Discipline::Discipline(DisciplineConfig config) : config_(config) {
  config_.max_frequency_ppm = std::max(config_.max_frequency_ppm, 0.0);
  config_.max_slew_ppm = std::max(config_.max_slew_ppm, 1.0);
  config_.max_samples = std::max(config_.max_samples, static_cast<int>(kMinWindow));
  config_.min_error = std::max(config_.min_error, NtpDuration::FromRaw(1));
  if (config_.max_poll < config_.min_poll) config_.max_poll = config_.min_poll;
  state_.frequency_ppm =
      std::clamp(config_.initial_frequency_ppm.value_or(0.0), -config_.max_frequency_ppm, config_.max_frequency_ppm);
  state_.poll = config_.min_poll;
  state_.frequency_known = config_.initial_frequency_ppm.has_value();
}

std::vector<ClockCommand> Discipline::InitialCommands() const {
  if (!config_.initial_frequency_ppm.has_value()) return {};
  return {SetFrequency{state_.frequency_ppm, 0.0}};
}

std::optional<MonoTime> Discipline::CorrectionEnd() const {
  if (!correcting_) return std::nullopt;
  return corrections_.back().end;
}

std::vector<ClockCommand> Discipline::EndCorrection(MonoTime now) {
  if (!correcting_ || now < corrections_.back().end) return {};
  (void)StopCorrection(now);
  return {SetFrequency{state_.frequency_ppm, 0.0}};
}

double Discipline::StopCorrection(MonoTime now) {
  if (!correcting_) return 0.0;
  correcting_ = false;
  state_.slew_ppm = 0.0;
  Correction& c = corrections_.back();
  const double span = Seconds(c.end, c.start);
  const double applied = span > 0.0 ? c.phase_s * std::max(Seconds(now, c.start), 0.0) / span : c.phase_s;
  const double remainder = c.phase_s - applied;
  // The history assumed the whole phase applied; from now on only `applied` is.
  for (Stored& s : history_) s.offset_s += remainder;
  for (Stored& s : held_) s.offset_s += remainder;
  c.phase_s = applied;
  c.end = std::max(now, c.start);
  return remainder;
}

double Discipline::StartCorrection(MonoTime now, double phase_s, double sd_s, double span_s, double dfreq,
                                   double max_ppm) {
  // After chrony's correction time (reference.c, sys_generic.c): an offset of the usual size
  // `sd_s` is removed over `span_s` (chrony: correction_time_ratio/2 intervals), a larger one in
  // less time. chrony's time is proportional to sd/offset, so the rate grows with the offset's square;
  // here with (sd/offset)^kSurpriseExponent, so it grows with its 1.25th power: an offset a quick
  // exchange reveals after minutes of quiet estimates (clknetsim lan16, 33 µs) went at 3.8 ppm
  // in 8.7 s and is now removed in about 14 s; over seeds 1-20 of lan16, lan2p4 and ft16 the
  // largest 1-second rate errors fell by 30-35 % at the same RMS error (docs/accuracy.md). `max_ppm`
  // bounds the rate (an update that brings no news continues a correction no faster).
  const double magnitude = std::fabs(phase_s);
  const double base = state_.frequency_ppm;
  const double room_ppm = phase_s >= 0.0 ? config_.max_slew_ppm - base : config_.max_slew_ppm + base;
  state_.slew_ppm = 0.0;
  if (room_ppm <= 0.0 || magnitude == 0.0) {  // nothing to do, or a clock at its limit this way
    Record({now, now, 0.0, dfreq});
    return 0.0;
  }
  const double share = std::pow(config_.correction_time_ratio * 0.5 * sd_s / magnitude, kSurpriseExponent);
  const double duration =
      std::max({std::min(share * span_s, span_s), kMinCorrectionS, magnitude / (std::min(room_ppm, max_ppm) * 1e-6)});
  Record({now, now + NtpDuration::FromSeconds(duration), phase_s, dfreq});
  correcting_ = true;
  state_.slew_ppm = std::copysign(std::min(magnitude / duration * 1e6, max_ppm), phase_s);
  return state_.slew_ppm;
}

DisciplineUpdate Discipline::Update(const DisciplineInput& input) {
  jump_since_.reset();
  if (last_when_.has_value() && input.when <= *last_when_) return {UpdateKind::kIgnored, {}, state_, {}, 0.0};
  interval_s_ =
      std::max(last_when_.has_value() ? Seconds(input.when, *last_when_) : config_.min_poll.Interval().Seconds(), 1.0);
  last_when_ = input.when;
  if (!first_when_.has_value()) first_when_ = input.when;
  const double offset_s = BroughtForward(input);
  const NtpDuration offset = NtpDuration::FromSeconds(offset_s);
  const NtpDuration magnitude = offset.Abs();

  // Panic: an offset this large means a broken source or clock; only the first update may act.
  if (config_.panic_threshold > NtpDuration::Zero() && magnitude > config_.panic_threshold) {
    if (config_.allow_panic_at_start && state_.updates == 0) return Step(offset, input, /*fit=*/false);
    // The backlog fed for a first update is as far off: a later fit must not find it.
    if (state_.updates == 0) history_.clear();
    return {UpdateKind::kPanic, {}, state_, {}, 0.0};
  }
  // Startup (chrony's makestep): step at once in the first updates.
  const bool early = state_.updates < config_.makestep_limit;
  // What the clock slews in a regular interval, not in the spacing of a burst: a correction
  // carries over to the next update, and iburst's samples 2 s apart made any offset over 1 ms a
  // step (cluster.driftfile_restart under ASan: a -1.005 ms step 4 s after the first one).
  const double regular_s = std::min(config_.min_poll.Interval().Seconds(), kStartupIntervalS);
  const double slewable_s = config_.max_slew_ppm * 1e-6 * std::max(interval_s_, regular_s);
  if (early &&
      (magnitude > config_.makestep_threshold || (config_.makestep_beyond_slew && magnitude.Seconds() > slewable_s))) {
    return Step(offset, input, /*fit=*/true);
  }
  // tinker step/stepout: step once the samples prove a jump (discipline_jump.cc), else only
  // after the offset stayed beyond the threshold for stepout.
  if (!early && BeyondStep(offset_s)) {
    Hold({input.when, offset_s, input.delay.Seconds(), input.jitter.Seconds(), input.source});
    if (const std::vector<Stored> evidence = JumpEvidence(); static_cast<int>(evidence.size()) >= kJumpSamples) {
      return StepJump(input, evidence);
    }
    if (input.when - *beyond_step_since_ >= config_.stepout) return Step(offset, input, /*fit=*/false);
    return {UpdateKind::kHeld, {}, state_, {}, 0.0};
  }
  beyond_step_since_.reset();
  held_.clear();
  state_.holding = false;
  return Slew(offset_s, input);
}

double Discipline::SourceInterval(const DisciplineInput& input) const {
  for (size_t i = history_.size(); i-- > 0;) {
    const Stored& s = history_[i];
    if (s.source == input.source && s.when < input.when) return std::max(Seconds(input.when, s.when), interval_s_);
  }
  return interval_s_;
}

double Discipline::BroughtForward(const DisciplineInput& input) const {
  // The phase of a correction not yet applied when the sample was taken is not in it yet (all of
  // it for a later correction, the rest of one in progress), nor a later frequency change.
  // The correction still commanded runs on past its end until EndCorrection stops it: a sample
  // taken after the end has more than its phase.
  double offset_s = input.offset.Seconds();
  for (size_t i = 0; i < corrections_.size(); ++i) {
    const Correction& c = corrections_[i];
    const bool running = correcting_ && i + 1 == corrections_.size();
    if (c.end <= input.when && !running) continue;
    const double span = Seconds(c.end, c.start);
    const double done = c.start < input.when && span > 0.0 ? Seconds(input.when, c.start) / span : 0.0;
    offset_s -= c.phase_s * (1.0 - done);
    if (c.start > input.when) offset_s += c.dfreq * Seconds(c.start, input.when);
  }
  return offset_s;
}

void Discipline::Record(const Correction& c) {
  for (Stored& s : history_) s.offset_s += -c.phase_s + c.dfreq * Seconds(c.start, s.when);
  corrections_.push_back(c);
  if (corrections_.size() > kMaxCorrections) corrections_.erase(corrections_.begin());
}

DisciplineUpdate Discipline::Step(NtpDuration offset, const DisciplineInput& input, bool fit) {
  const MonoTime now = std::max(input.now, input.when);
  // An early step keeps the samples gathered before it (other sources', or a backlog): fitted
  // together with this one they give the frequency as well, so the clock does not run off again
  // for a poll interval until a second sample after the step. A step after stepout (the offset
  // jumped) starts over: the older samples describe the time before the jump.
  // The step also takes the unfinished part of a correction in progress.
  const bool was_correcting = correcting_;
  const double remainder_s = StopCorrection(now);
  double step_s = offset.Seconds() + remainder_s;
  double dfreq = 0.0;
  if (!fit) history_.clear();
  // A fit never spans two time scales: samples (held ones too) that disagree with this one by
  // more than the step threshold were measured before a step or of a source that proved wrong;
  // fitted together they pin the frequency at its bound.
  if (fit) {
    history_.insert(history_.end(), held_.begin(), held_.end());
    std::stable_sort(history_.begin(), history_.end(),
                     [](const Stored& a, const Stored& b) { return a.when < b.when; });
    std::erase_if(history_, [&](const Stored& s) { return BeyondStep(s.offset_s - step_s); });
  }
  held_.clear();
  state_.holding = false;
  corrections_.clear();
  history_.push_back({input.when, step_s, input.delay.Seconds(), input.jitter.Seconds(), input.source});
  TrimHistory();
  const double old_ppm = state_.frequency_ppm;
  double new_ppm = old_ppm;
  // The frequency comes from each source's own samples only (FitPerSource): a stratum-4 node of
  // tiers.scn fitted the 1.45 ms between an upstream that had just stepped and another one 2.6 s
  // earlier as 557 ppm, ran off at the 500 ppm bound for 17 s and stepped again.
  bool measured = false;
  const std::vector<internal::Point> points = Points(input.when);
  const internal::Line line = FitPerSource(points, measured);
  if (measured) {
    new_ppm = std::clamp(old_ppm + line.slope * 1e6, -config_.max_frequency_ppm, config_.max_frequency_ppm);
    dfreq = (new_ppm - old_ppm) * 1e-6;
    step_s = line.At(Seconds(now, input.when));
    state_.frequency_known = true;
    state_.frequency_bound_ppm = FrequencyBoundPpm(points, old_ppm + line.slope * 1e6, new_ppm);
  }
  Record({now, now, step_s, dfreq});
  beyond_step_since_.reset();
  innovation_avg_ = 1.0;
  poll_score_ = 0.0;
  state_.offset = NtpDuration::FromSeconds(step_s);
  state_.frequency_ppm = new_ppm;
  state_.poll = config_.min_poll;
  state_.samples = static_cast<int>(history_.size());
  ++state_.updates;
  state_.synchronized = true;
  std::vector<ClockCommand> commands;
  if (new_ppm != old_ppm || was_correcting) commands.emplace_back(SetFrequency{new_ppm, 0.0});
  commands.emplace_back(StepClock{NtpDuration::FromSeconds(step_s)});
  return {UpdateKind::kStepped, std::move(commands), state_, NtpDuration::FromSeconds(step_s - remainder_s),
          new_ppm - old_ppm};
}

size_t Discipline::HistorySources() const {
  std::vector<uint32_t> sources;
  for (const Stored& s : history_) {
    if (std::find(sources.begin(), sources.end(), s.source) == sources.end()) sources.push_back(s.source);
  }
  return sources.size();
}

void Discipline::TrimHistory() {
  // max_samples per source: N sources polled at one interval give N times the samples, and a
  // window of max_samples in all spanned 1/N of one source's time (clknetsim ft16, 4 servers at
  // 16 s: 512 s instead of 2048 s, RMS 0.82x chrony's; 0.63x with the source's window), so each
  // source's quickest exchanges, which carry the fit, were fewer. How far back the fit looks is
  // for the wander model and the runs test to say, not for the number of sources.
  // With the wander model chosen over hours (ScoreWanderModels) q is near the oscillator's walk,
  // and a line over hundreds of samples trusted their shared wander as if each old sample's were
  // its own: beyond max_samples, the window keeps only the samples of the last kDenseWindowS
  // (clknetsim seeds 1-20 with the long memory, 16 s polls: ft16's 512 samples 0.683 -> 0.622 of
  // chrony's RMS, lan2p4's 256 0.721 -> 0.688; one source at 16 s or slower keeps its 128;
  // docs/accuracy.md, branch mem10).
  const size_t cap = static_cast<size_t>(config_.max_samples) * std::clamp<size_t>(HistorySources(), 1, kWindowSources);
  if (history_.size() > cap) history_.erase(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(cap));
  const auto least = static_cast<size_t>(config_.max_samples);
  if (history_.size() <= least) return;
  const MonoTime newest = history_.back().when;
  size_t recent = 0;
  while (recent < history_.size() && Seconds(newest, history_[history_.size() - 1 - recent].when) <= kDenseWindowS) {
    ++recent;
  }
  const size_t keep = std::max(recent, least);
  if (history_.size() > keep) history_.erase(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(keep));
}

void Discipline::AddSample(const DisciplineInput& input) {
  const double offset_s = BroughtForward(input);
  const Stored stored{input.when, offset_s, input.delay.Seconds(), input.jitter.Seconds(), input.source};
  // Once the clock is disciplined, a sample beyond the step threshold is evidence of a jump, not
  // a point of the current line (the backlog before the first update goes in as it is).
  if (state_.updates > 0 && BeyondStep(offset_s)) {
    Hold(stored);
    return;
  }
  const auto at = std::upper_bound(history_.begin(), history_.end(), input.when,
                                   [](MonoTime t, const Stored& s) { return t < s.when; });
  history_.insert(at, stored);
  TrimHistory();
}

DisciplineUpdate Discipline::Slew(double offset_s, const DisciplineInput& input) {
  const MonoTime now = std::max(input.now, input.when);
  const double source_interval_s = SourceInterval(input);  // before the runs test cuts the window
  history_.push_back({input.when, offset_s, input.delay.Seconds(), input.jitter.Seconds(), input.source});
  TrimHistory();

  const std::vector<internal::Point> points = Points(input.when);
  const double innovation_sq = ScoreWanderModels(points);

  // Keep the part of the window a straight line describes (a frequency jump cuts it), then
  // estimate the offset and frequency at the newest sample.
  const std::vector<internal::Point> weighted = internal::WithWander(points, kWanderModels[wander_model_], 0.0);
  const size_t start = internal::ChooseStart(weighted, kMinWindow);
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(start));
  const auto window = std::span(weighted).subspan(start);
  // Until the frequency is measured, as at a step: one offset per source, and no frequency from
  // the samples of different sources alone (tiers.scn seed 3: two upstreams 2.3 s apart gave
  // 1044 ppm at the first update, served downstream as a measured frequency at the bound). The
  // same once it is known while no source has samples of its own spanning time (the history
  // just restarted at a step): late_start_beyond's step back to the majority and the other good
  // server's sample 1 s later, fitted as one line, set -500 ppm.
  bool measured = false;
  internal::Line line = FitPerSource(window, measured);
  // Once the frequency is known, the offset and frequency come from a Kalman filter over the
  // window under the chosen wander model. The weighted line before it counted each old sample's
  // walk as its own, where the walk is shared, so at long polls it held hours-old phase while the
  // frequency walked (clknetsim, seeds 1-40 against chrony's RMS: wan 0.81 → 0.72, lan
  // 0.69 → 0.58, faststart 0.67 → 0.57, every fixed-poll scenario better; docs/accuracy.md,
  // branch kf12). Not under the largest model: it stands for any walk beyond the bank, mostly an
  // upstream's own corrections seen through its disciplined clock (tiers), which a filter with
  // that q follows sample by sample; clknetsim tiers' stratum-4 nodes then polled every 141 s
  // (318 with the line) at 100 µs RMS (84), and with the line there 269 s at 80 µs.
  // The frequency's standard error, its bound and the jitter stay the line's: how well the
  // window's samples fix a frequency, what System::Settling waits for. The filter's also holds
  // the walk since the samples: at 1024 s polls over a WAN path it stayed above Settling's
  // 0.5 ppm, the sources went back to 16 s polls and the corrections to seconds (clknetsim wan
  // seed 21: 10 ppm); and with the largest model it read FrequencyBound.AClampedFrequency...'s
  // last flat samples, at a clamped 500 ppm, as 250 ppm beyond, where the line's 600 ppm is
  // what the clamp cut.
  internal::Line fitted = line;
  if (state_.frequency_known && measured) {
    fitted = internal::FitLine(window);
    line = wander_model_ + 1 < kWanderModels.size()
               ? internal::KalmanLine(std::span(points).subspan(start), kWanderModels[wander_model_])
               : fitted;
  }

  const double old_ppm = state_.frequency_ppm;
  const double new_ppm = std::clamp(old_ppm + line.slope * 1e6, -config_.max_frequency_ppm, config_.max_frequency_ppm);
  const double dfreq = (new_ppm - old_ppm) * 1e-6;
  const double estimate_s = line.At(Seconds(now, input.when));
  const double now_sd = std::sqrt(line.VarAt(Seconds(now, input.when)) * std::max(1.0, line.chi2_per_dof));
  // The unfinished part of the correction in progress is replaced by this one (adjtime()'s rule).
  const double running_ppm = correcting_ ? state_.slew_ppm : 0.0;
  const double remainder_s = StopCorrection(now);
  state_.frequency_ppm = new_ppm;
  // The usual size of a correction: the RMS of the recent estimates, this one included, so that
  // a surprise is corrected faster but not at a rate of its square over the fit's (small) σ;
  // never above the phase to remove, so that a large start-up offset in the mean does not slow
  // the corrections after it (any offset goes within correction_time_ratio/2 intervals); never
  // below the estimate's own error. The phase, not this estimate: the remainder of the correction
  // in progress is the same surprise as before, and an update that brings little news (with
  // several sources, one a few seconds after another) used to rush it at the rate its square
  // over the fit's σ gives (clknetsim lan2p4 and ft16: the largest 1-second rate errors, 4.0
  // and 3.5 ppm, now 3.3 and 1.8). The interval is the source's own sampling interval: with
  // several sources the updates come closer together, not the information of each.
  offset_sq_avg_ += (estimate_s * estimate_s - offset_sq_avg_) / kOffsetAvg;
  const double phase_s = estimate_s + remainder_s;
  const double usual_s = std::max(now_sd, std::min(std::sqrt(offset_sq_avg_), std::fabs(phase_s)));
  // An estimate of the usual size and smaller than the remainder is no news: the correction in
  // progress goes on no faster. With the gentler rule of StartCorrection, the remainder of a
  // surprise was hurried by the next source's update, whose own interval is shorter
  // (`ANewUpdateDoesNotHurryTheRestOfACorrection`: 4.04 ppm after 3.32 without this bound).
  const bool no_news = running_ppm != 0.0 && std::fabs(estimate_s) <= std::min(usual_s, std::fabs(remainder_s)) &&
                       (phase_s > 0.0) == (running_ppm > 0.0);
  const double max_ppm = no_news ? std::fabs(running_ppm) : std::numeric_limits<double>::infinity();
  // A noise-sized estimate is removed over the source's interval plus at most the shortest poll
  // (min_poll, 16 s by default): at 16 s polls over two of the source's intervals, so that its
  // next sample revises the estimate before it is all applied and the clock follows the
  // estimate's swings at half the rate (clknetsim lan2p4, ft16, lan16, seeds 1-20: the largest
  // 1-second rate errors halved at the same RMS error; docs/accuracy.md, branch rate3). No more:
  // at long polls an update's offset is drift more than noise, and two intervals of 1024 s cost
  // lan's RMS 28 % and faststart's 19 %. Not in the first makestep_limit updates, which remove
  // what is left of the start (the time to 1 ms grew 4-5 s at 16 s polls, 22 s in wan).
  const double span_s = source_interval_s + (state_.updates >= config_.makestep_limit
                                                 ? std::min(source_interval_s, config_.min_poll.Interval().Seconds())
                                                 : 0.0);
  const double slew_ppm = StartCorrection(now, phase_s, usual_s, span_s, dfreq, max_ppm);

  const double dppm = new_ppm - old_ppm;
  if (state_.updates > 0 && window.size() >= 2) wander_sq_ += (dppm * dppm - wander_sq_) / kWanderAvg;
  state_.offset = NtpDuration::FromSeconds(estimate_s);
  state_.frequency_ppm = new_ppm;
  state_.frequency_error_ppm = std::sqrt(fitted.slope_var * std::max(1.0, fitted.chi2_per_dof)) * 1e6;
  if (measured) state_.frequency_bound_ppm = FrequencyBoundPpm(window, old_ppm + fitted.slope * 1e6, new_ppm);
  state_.jitter = NtpDuration::FromSeconds(fitted.residual_rms);
  state_.wander_ppm = std::sqrt(wander_sq_);
  state_.frequency_walk = kWanderModels[wander_model_];
  state_.samples = static_cast<int>(window.size());
  state_.span_s = window.back().t - window.front().t;
  if (measured) state_.frequency_known = true;
  if (points.size() >= 3) {
    UpdatePoll(innovation_sq, window.size(), HistorySources(), input.delay.Seconds());
  }
  ++state_.updates;
  state_.synchronized = true;
  return {UpdateKind::kSlewed, {SetFrequency{new_ppm, slew_ppm}}, state_, NtpDuration::FromSeconds(estimate_s), dppm};
}

}  // namespace tempus::core::discipline
