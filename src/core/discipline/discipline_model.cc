// Discipline's model of the clock: the history as regression points with measurement errors,
// the fits (per source before the frequency is known, the bound on a fitted frequency), the
// frequency random-walk models scored on each new sample, and the poll they choose
// (docs/discipline.md). Updates, steps and slews are in discipline.cc, jumps in discipline_jump.cc.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "core/discipline/discipline.h"
#include "core/discipline/regression.h"

namespace tempus::core::discipline {
namespace {

constexpr double kModelAvg = 32.0;           // averaging length (updates of each source) of the wander model scores
constexpr size_t kModelAvgSources = 8;       // ... with up to this many sources
constexpr double kModelMemoryS = 32768.0;    // ... and at least this long: kModelAvg updates at the default maxpoll
constexpr double kInnovationAvg = 16.0;      // averaging length (updates) of the innovation statistic
constexpr double kInnovationBad = 3.0;       // mean squared normalized innovation: the model fails
constexpr double kInnovationOutlier = 25.0;  // one squared normalized innovation this large: a surprise
constexpr double kPollTarget = 8.0;          // chrony's polltarget: samples per source the window should hold
// Two sources' delay floors count as one path's when their minima differ by at most this many
// times the sum of their quickest exchanges' estimated excesses (the minima's own spread).
constexpr double kSameFloor = 2.0;
constexpr double kPi = 3.14159265358979323846;

double Seconds(MonoTime a, MonoTime b) { return (a - b).Seconds(); }

}  // namespace

double Discipline::FrequencyBoundPpm(std::span<const internal::Point> points, double wanted_ppm, double set_ppm) const {
  // The fit's weights trust the quickest exchanges to a microsecond, which a few samples cannot
  // check: two loopback samples 2 s apart gave -64.7 ppm for a -25 ppm clock. RFC 5905 §8 only
  // promises the true offset within θ ± δ/2, so for the bound a sample
  // counts at least that interval's standard deviation, δ/√12 (its jitter when δ is unknown), and
  // residuals larger than that widen it further.
  std::vector<internal::Point> wide(points.begin(), points.end());
  for (size_t i = 0; i < wide.size() && i < history_.size(); ++i) {
    const Stored& s = history_[i];
    wide[i].sigma = std::max(wide[i].sigma, s.delay_s > 0.0 ? s.delay_s / std::sqrt(12.0) : s.jitter_s);
  }
  const internal::Line line = internal::FitLine(wide);
  if (line.slope_var <= 0.0) return std::numeric_limits<double>::infinity();
  // A frequency clamped at the limit is off by at least what the clamp cut.
  return std::max(std::sqrt(line.slope_var * std::max(1.0, line.chi2_per_dof)) * 1e6, std::fabs(wanted_ppm - set_ppm));
}

// Two sources' samples seconds apart differ by their time scales (an upstream that has just
// stepped or is still settling, a path's asymmetry), not only by our frequency error: the slope
// comes from each source's own samples, and counts only if one source's span at least 1 s (the
// span a step's fit always needed). `points` are the history's, in its order.
internal::Line Discipline::FitPerSource(std::span<const internal::Point> points, bool& measured) const {
  std::vector<uint32_t> sources;
  sources.reserve(history_.size());
  double span_s = 0.0;
  for (const Stored& s : history_) {
    sources.push_back(s.source);
    for (const Stored& o : history_) {
      if (o.source == s.source) span_s = std::max(span_s, Seconds(s.when, o.when));
    }
  }
  measured = points.size() == sources.size() && span_s >= 1.0;
  if (!measured || points.empty()) return points.empty() ? internal::Line{} : internal::FitLine(points.last(1));
  return internal::FitCommonSlope(points, sources);
}

std::vector<internal::Point> Discipline::Points(MonoTime reference) const {
  // A sample's error: half its excess delay over its source's quickest exchange in the window (a
  // uniform error, σ = excess/√12), the excess counted from the quickest plus an estimate of the
  // quickest one's own unknown excess x₀: the gap between the source's two quickest, or, when
  // larger, what the quickest of n round trips has on average when each way queues
  // exponentially (RFC 5905's model, and what clknetsim draws): the round trip's excess is then
  // Gamma(2, μ), whose minimum over n averages μ·√(π/2n), mean excess · √(π/8n). With the gap
  // alone a window of 30 exchanges trusted its quickest to ~15 µs on a WAN path where it was
  // ~200 µs off, and a few such samples held a frequency 0.1 ppm off for hours. Each source
  // has its own floor: a longer path is not a worse measurement, and after the system peer
  // changes the new one's samples must not be judged by the old one's delays. Without a delay, or
  // with one sample of its source: its jitter.
  // Sources whose floors cannot be told apart (their minima differ by no more than their own
  // spread, kSameFloor × both x₀) share them: with N sources polled in turn each source's floor
  // came from 1/N of the samples, its quickest exchange was further from the path's floor and the
  // weighting flatter (clknetsim seeds 1-20, two servers: RMS 5.97 → 5.82 µs, five: 4.43 → 4.21;
  // docs/accuracy.md, branch disc9). A near and a far server still keep their own.
  struct Floor {
    double min1 = 1e300;
    double min2 = 1e300;
    double sum = 0.0;
    int n = 0;

    void Add(double delay_s) {
      sum += delay_s;
      ++n;
      if (delay_s < min1) {
        min2 = min1;
        min1 = delay_s;
      } else if (delay_s < min2) {
        min2 = delay_s;
      }
    }
    void Join(const Floor& o) {
      sum += o.sum;
      n += o.n;
      for (const double m : {o.min1, o.min2}) {
        if (m < min1) {
          min2 = min1;
          min1 = m;
        } else if (m < min2) {
          min2 = m;
        }
      }
    }
    bool Known() const { return min2 < 1e299; }  // two delays at least
    // x₀, the estimated excess of the quickest exchange over the path's floor.
    double Quickest() const {
      const double mean_excess = sum / n - min1;
      return std::max(min2 - min1, mean_excess * std::sqrt(kPi / (8.0 * n)));
    }
  };
  std::vector<std::pair<uint32_t, Floor>> own;
  const auto floor_of = [&](uint32_t source) -> Floor& {
    for (auto& [id, f] : own) {
      if (id == source) return f;
    }
    return own.emplace_back(source, Floor{}).second;
  };
  for (const Stored& s : history_) {
    if (s.delay_s > 0.0) floor_of(s.source).Add(s.delay_s);
  }
  std::vector<std::pair<uint32_t, Floor>> floors;
  floors.reserve(own.size());
  for (const auto& [id, f] : own) {
    Floor shared;
    if (f.Known()) {
      for (const auto& [other, g] : own) {
        if (g.Known() && std::fabs(f.min1 - g.min1) <= kSameFloor * (f.Quickest() + g.Quickest())) shared.Join(g);
      }
    } else {
      shared = f;
    }
    floors.emplace_back(id, shared);
  }
  const auto shared_floor = [&](uint32_t source) -> const Floor& {
    for (const auto& [id, f] : floors) {
      if (id == source) return f;
    }
    return floors.front().second;  // not reached: every source with a delay has one
  };
  const double floor_s = config_.min_error.Seconds();
  std::vector<internal::Point> points;
  points.reserve(history_.size());
  for (const Stored& s : history_) {
    double e = std::sqrt(12.0) * s.jitter_s;
    if (s.delay_s > 0.0) {
      const Floor& f = shared_floor(s.source);
      if (f.Known()) e = s.delay_s - f.min1 + f.Quickest();
    }
    points.push_back({Seconds(s.when, reference), s.offset_s, std::sqrt(floor_s * floor_s + e * e / 12.0)});
  }
  return points;
}

double Discipline::ScoreWanderModels(std::span<const internal::Point> points) {
  // Each candidate q predicts the newest point (at t = 0) from the older ones through its Kalman
  // filter (KalmanLine; before branch kf12, a line through them with their errors grown by
  // q²·age³/3, which chose the filter's q worse: clknetsim wan, seeds 1-40, 0.78 of chrony's RMS
  // with the filter choosing by the line's predictions, 0.72 by its own); the model whose
  // predictions have lately been the most likely is used. "Lately"
  // is kModelAvg updates of each source: N sources polled in turn update N times as often, and a
  // memory counted in updates looked back 1/N of the time, so the choice followed a few minutes'
  // luck (clknetsim seeds 1-20: lan2p4 RMS 6.27 → 5.97 µs; ft16 and one source unchanged;
  // docs/accuracy.md, branch disc8). And as long in time as the run so far, up to kModelMemoryS
  // (kModelAvg updates at the default maxpoll, about nine hours), each update weighing as the
  // time since the last: where the path's noise dwarfs what the wander moves the phase in a poll,
  // one sample tells little about q, and a choice from half an hour of samples swung between a
  // stiff line and one that follows every sample (clknetsim seeds 1-20, wan at 64 s polls: RMS
  // 0.70 -> 0.64 of chrony's, the largest 1-s rate error 2.5 -> 1.2 ppm against chrony's 1.55;
  // lan16 0.668 -> 0.648; docs/accuracy.md, branch mem10). Growing from the start, the memory
  // lets the start's large innovations fade instead of holding them for hours (default polling
  // unchanged, run for run).
  if (points.size() < 3) return 1.0;
  const double recent = kModelAvg * static_cast<double>(std::clamp<size_t>(HistorySources(), 1, kModelAvgSources));
  double innovation_sq = 1.0;
  const internal::Point& newest = points.back();
  std::array<double, kWanderModels.size()> scores{};
  for (size_t k = 0; k < kWanderModels.size(); ++k) {
    // The filter over the others, carried forward with the walk's phase variance over the gap.
    const internal::Line prior = internal::KalmanLine(points.first(points.size() - 1), kWanderModels[k]);
    const double r = newest.offset - prior.At(newest.t);
    const double gap = newest.t - prior.t_ref;
    const double walk = kWanderModels[k] * kWanderModels[k] * gap * gap * gap / 3.0;
    const double var = newest.sigma * newest.sigma + prior.VarAt(newest.t) + walk;
    scores[k] = -0.5 * (r * r / var + std::log(var));
    if (k == wander_model_) {
      innovation_sq = r * r / var;
      last_innovation_s_ = r;
    }
  }
  // Two surprises in a row under the model in use (a frequency jump: a temperature change) are
  // news about the wander, and weigh as in the short memory: with the long one alone, a 2 ppm
  // jump at 16 s polls took the clock 301 µs off (DisciplineSim.RecoversFromAFrequencyJump, bar
  // 300; 230 before the long memory, 245 now). One alone is not: a quick exchange often reveals
  // a line a few σ off, and with two sources counting those cost 2 % RMS.
  const double elapsed_s = first_when_.has_value() && last_when_.has_value() ? Seconds(*last_when_, *first_when_) : 0.0;
  const bool surprise = innovation_sq > kInnovationOutlier;
  const double memory = surprise && last_surprise_ ? recent
                                                   : std::max(recent, std::min(kModelMemoryS, elapsed_s) / interval_s_);
  last_surprise_ = surprise;
  for (size_t k = 0; k < kWanderModels.size(); ++k) model_score_[k] += (scores[k] - model_score_[k]) / memory;
  wander_model_ =
      static_cast<size_t>(std::max_element(model_score_.begin(), model_score_.end()) - model_score_.begin());
  return innovation_sq;
}

void Discipline::UpdatePoll(double innovation_sq, size_t window, size_t sources, double delay_s) {
  innovation_avg_ += (std::min(innovation_sq, 100.0) - innovation_avg_) / kInnovationAvg;
  // chrony's polltarget (ntp_core.c get_poll_adj): the poll follows how many samples per source
  // a straight line still fits (the window the runs test keeps): more than kPollTarget and the
  // poll rises, fewer and it falls, by (n/target − 1)/target per source's sample. A clock that
  // wanders, or a path that changed, shortens the window and so the poll; a quiet one lets the
  // poll climb to maxpoll, as chrony's does. Each update counts 1/sources, so several sources
  // move the poll as fast as one does, per poll interval. It falls at once after one 5σ
  // surprise, and while the mean squared normalized innovation exceeds 3 (the model stopped
  // predicting).
  // chrony's first rule, with RFC 5905 §8's interval: a prediction outside θ ± δ/2 of the new
  // sample is a clear miss (the clock is not tracked at this poll), and the poll falls by
  // log2(miss / (δ/2)) at once.
  const double miss = std::fabs(last_innovation_s_);
  if (delay_s > 0.0 && miss > delay_s / 2.0) {
    poll_score_ = std::min(poll_score_, 0.0) - std::log2(miss / (delay_s / 2.0));
  } else if (innovation_sq > kInnovationOutlier) {
    poll_score_ = -1.0;
  } else if (innovation_avg_ > kInnovationBad) {
    poll_score_ = std::min(poll_score_, 0.0) - 0.5;
  } else {
    const double per_source = static_cast<double>(window) / static_cast<double>(std::max<size_t>(sources, 1));
    const double adjust = std::min((per_source / kPollTarget - 1.0) / kPollTarget, 1.0);
    poll_score_ += adjust / static_cast<double>(std::max<size_t>(sources, 1));
  }
  if (poll_score_ >= 1.0) {
    state_.poll = PollExp(state_.poll.log2() + 1).Clamped(config_.min_poll, config_.max_poll);
    poll_score_ = 0.0;
  } else if (poll_score_ <= -1.0) {
    const int down = static_cast<int>(std::floor(-poll_score_));
    state_.poll = PollExp(state_.poll.log2() - down).Clamped(config_.min_poll, config_.max_poll);
    poll_score_ = 0.0;
  }
}

}  // namespace tempus::core::discipline
