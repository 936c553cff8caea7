#include "core/discipline/regression.h"

#include <algorithm>
#include <cmath>

namespace tempus::core::discipline::internal {

Line FitLine(std::span<const Point> points) {
  double sw = 0.0, swt = 0.0, swx = 0.0;
  for (const Point& p : points) {
    const double w = 1.0 / (p.sigma * p.sigma);
    sw += w;
    swt += w * p.t;
    swx += w * p.offset;
  }
  Line line;
  line.t_ref = swt / sw;
  const double mean = swx / sw;
  double stt = 0.0, stx = 0.0;
  for (const Point& p : points) {
    const double w = 1.0 / (p.sigma * p.sigma);
    const double dt = p.t - line.t_ref;
    stt += w * dt * dt;
    stx += w * dt * (p.offset - mean);
  }
  // A slope needs points spread in time; below a microsecond² of weighted spread there is none.
  const bool has_slope = points.size() >= 2 && stt > 1e-12 * sw;
  line.slope = has_slope ? stx / stt : 0.0;
  line.slope_var = has_slope ? 1.0 / stt : 0.0;
  line.offset_at_ref = mean;
  line.offset_var = 1.0 / sw;
  double swr2 = 0.0, chi2 = 0.0;
  for (const Point& p : points) {
    const double r = p.offset - line.At(p.t);
    const double w = 1.0 / (p.sigma * p.sigma);
    swr2 += w * r * r;
    chi2 += w * r * r;
  }
  line.residual_rms = std::sqrt(swr2 / sw);
  if (points.size() > 2) line.chi2_per_dof = chi2 / static_cast<double>(points.size() - 2);
  return line;
}

Line FitCommonSlope(std::span<const Point> points, std::span<const uint32_t> group) {
  double stt = 0.0, stx = 0.0, sw_all = 0.0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (std::find(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(i), group[i]) !=
        group.begin() + static_cast<std::ptrdiff_t>(i)) {
      continue;  // its group is done
    }
    double sw = 0.0, swt = 0.0, swx = 0.0;
    for (size_t j = i; j < points.size(); ++j) {
      if (group[j] != group[i]) continue;
      const double w = 1.0 / (points[j].sigma * points[j].sigma);
      sw += w;
      swt += w * points[j].t;
      swx += w * points[j].offset;
    }
    sw_all += sw;
    for (size_t j = i; j < points.size(); ++j) {
      if (group[j] != group[i]) continue;
      const double w = 1.0 / (points[j].sigma * points[j].sigma);
      const double dt = points[j].t - swt / sw;
      stt += w * dt * dt;
      stx += w * dt * (points[j].offset - swx / sw);
    }
  }
  Line line;
  // As FitLine: below a microsecond² of weighted spread there is no slope.
  const bool has_slope = stt > 1e-12 * sw_all;
  line.slope = has_slope ? stx / stt : 0.0;
  line.slope_var = has_slope ? 1.0 / stt : 0.0;
  double swt = 0.0, swx = 0.0;
  for (const Point& p : points) {
    const double w = 1.0 / (p.sigma * p.sigma);
    swt += w * p.t;
    swx += w * (p.offset - line.slope * p.t);
  }
  line.t_ref = swt / sw_all;
  line.offset_at_ref = swx / sw_all + line.slope * line.t_ref;
  line.offset_var = 1.0 / sw_all;
  double chi2 = 0.0;
  for (const Point& p : points) {
    const double r = p.offset - line.At(p.t);
    chi2 += r * r / (p.sigma * p.sigma);
  }
  line.residual_rms = std::sqrt(chi2 / sw_all);
  if (points.size() > 2) line.chi2_per_dof = chi2 / static_cast<double>(points.size() - 2);
  return line;
}

Line KalmanLine(std::span<const Point> points, double q) {
  // A diffuse start: the first point's offset, a frequency unknown within ±10,000 ppm (1σ; a
  // prior of 100 ppm pulled a 2000 ppm slope to 250 ppm, FrequencyBound.AClampedFrequency...).
  constexpr double kFrequencyPrior = 1e-2;
  const double q2 = q * q;
  double x = points.front().offset;
  double f = 0.0;
  double p00 = points.front().sigma * points.front().sigma;
  double p01 = 0.0;
  double p11 = kFrequencyPrior * kFrequencyPrior;
  double t = points.front().t;
  double chi2 = 0.0;
  for (size_t i = 1; i < points.size(); ++i) {
    const Point& p = points[i];
    const double dt = p.t - t;
    t = p.t;
    // Predict: the phase moves by the frequency, the walk adds q²·dt (frequency), q²·dt³/3 (phase).
    x += f * dt;
    const double n00 = p00 + 2.0 * dt * p01 + dt * dt * p11 + q2 * dt * dt * dt / 3.0;
    const double n01 = p01 + dt * p11 + q2 * dt * dt / 2.0;
    const double n11 = p11 + q2 * dt;
    // Update with the measurement.
    const double r2 = p.sigma * p.sigma;
    const double s = n00 + r2;
    const double k0 = n00 / s;
    const double k1 = n01 / s;
    const double innovation = p.offset - x;
    if (i >= 2) chi2 += innovation * innovation / s;
    x += k0 * innovation;
    f += k1 * innovation;
    p00 = n00 - k0 * n00;
    p01 = n01 - k0 * n01;
    p11 = n11 - k1 * n01;
  }
  Line line;
  const bool has_slope = points.size() >= 2 && points.back().t > points.front().t;
  line.t_ref = t;
  line.offset_at_ref = x;
  line.slope = has_slope ? f : 0.0;
  line.offset_var = p00;
  line.slope_var = has_slope ? p11 : 0.0;
  line.cov = has_slope ? p01 : 0.0;
  if (points.size() > 2) line.chi2_per_dof = chi2 / static_cast<double>(points.size() - 2);
  return line;
}

std::vector<Point> WithWander(std::span<const Point> points, double q, double t_ref) {
  std::vector<Point> out(points.begin(), points.end());
  for (Point& p : out) {
    const double age = std::max(t_ref - p.t, 0.0);
    p.sigma = std::sqrt(p.sigma * p.sigma + q * q * age * age * age / 3.0);
  }
  return out;
}

int CountRuns(std::span<const Point> points, const Line& line) {
  int runs = 0;
  int last_sign = 0;
  for (const Point& p : points) {
    const int sign = p.offset - line.At(p.t) >= 0.0 ? 1 : -1;
    if (sign != last_sign) ++runs;
    last_sign = sign;
  }
  return runs;
}

namespace {

constexpr double kStrictRunsWindow = 64.0;
constexpr double kStrictRunsSpanS = 2048.0;

// Whether the residual signs about the fit look random (Wald–Wolfowitz runs test).
bool RunsLookRandom(std::span<const Point> points) {
  const Line line = FitLine(points);
  int positive = 0;
  for (const Point& p : points) positive += p.offset - line.At(p.t) >= 0.0 ? 1 : 0;
  const auto n = static_cast<double>(points.size());
  const double np = positive, nn = n - positive;
  if (np == 0.0 || nn == 0.0) return n < 4;  // all on one side: a bent line unless very few
  const double mean = 1.0 + 2.0 * np * nn / n;
  const double var = (mean - 1.0) * (mean - 2.0) / (n - 1.0);
  // One-sided, 1 % (z = 2.33); 0.1 % (3.09) on a window of kStrictRunsWindow points or more that
  // spans at most kStrictRunsSpanS. A cut erases the samples it drops, and a false one of such a
  // window leaves a dozen whose fit swings the frequency for minutes (clknetsim lan2p4 seed 7:
  // 128 samples over 1024 s cut to 14, the frequency ±1.2 ppm, a 1-s rate error of 3.9 ppm; at
  // 8 s polls 5.5 ppm). Over half an hour an oscillator's random walk bends the line little, and
  // a bend that is real, a frequency jump, grows its evidence with every sample: the stricter test
  // passes it a few samples later (DisciplineSim.RecoversFromAFrequencyJump unchanged). A longer
  // span keeps 1 %: the wander does bend 128 samples at 64 s polls, and 0.1 % there cost lan64 3 %
  // RMS (worse on 18 of 20 seeds). So do short windows: at the start one bent by the first
  // frequency errors must go, or the frequency error stays inflated and the clock settles later
  // (NodeSymmetricPoll: 341 s instead of 260 with 0.1 % on every window).
  const double span_s = points.back().t - points.front().t;
  const double z = n >= kStrictRunsWindow && span_s <= kStrictRunsSpanS ? 3.09 : 2.33;
  return CountRuns(points, line) >= mean - z * std::sqrt(std::max(var, 0.0));
}

}  // namespace

size_t ChooseStart(std::span<const Point> points, size_t min_keep) {
  const size_t n = points.size();
  min_keep = std::max<size_t>(min_keep, 3);
  if (n <= min_keep) return 0;
  size_t start = 0;
  while (n - start > min_keep && !RunsLookRandom(points.subspan(start))) {
    // Drop an eighth of the window at a time (at least one point): few fits even for long windows.
    start += std::max<size_t>(1, (n - start) / 8);
  }
  return std::min(start, n - min_keep);
}

}  // namespace tempus::core::discipline::internal
