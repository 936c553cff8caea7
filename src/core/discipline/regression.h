// Weighted linear regression of clock offsets over time, and the residual runs test that chooses
// how many of the most recent samples a straight line still describes (the estimator behind
// Discipline; the method is the one chrony's sourcestats uses, written anew here).
//
// Internal to the discipline; exposed for its tests. Pure functions; thread-safe.
#ifndef TEMPUS_CORE_DISCIPLINE_REGRESSION_H_
#define TEMPUS_CORE_DISCIPLINE_REGRESSION_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tempus::core::discipline::internal {

// One offset measurement: t in seconds from any fixed reference, offset in seconds, and its
// standard error sigma in seconds (REQUIRES: sigma > 0). Weight is 1/sigma².
struct Point {
  double t = 0.0;
  double offset = 0.0;
  double sigma = 1.0;
};

// A fitted line offset(t) = offset_at_ref + slope × (t − t_ref) with its uncertainty.
struct Line {
  double t_ref = 0.0;          // the weighted mean time (where offset and slope are uncorrelated)
  double offset_at_ref = 0.0;  // seconds
  double slope = 0.0;          // s/s; 0 when the points span no time
  double offset_var = 0.0;     // variance of offset_at_ref, s²
  double slope_var = 0.0;      // variance of slope, (s/s)²; 0 when the slope is undetermined
  double cov = 0.0;            // covariance of offset_at_ref and slope, s²/s (0 at the weighted mean time)
  double residual_rms = 0.0;   // weighted RMS of the residuals, seconds
  double chi2_per_dof = 1.0;   // Σ(r/σ)² / (n − 2); 1 when n ≤ 2

  double At(double t) const { return offset_at_ref + slope * (t - t_ref); }
  // Variance of At(t), from the fit's (not rescaled) variances.
  double VarAt(double t) const { return offset_var + 2.0 * (t - t_ref) * cov + (t - t_ref) * (t - t_ref) * slope_var; }
};

// Weighted least-squares line through `points`. REQUIRES: !points.empty().
Line FitLine(std::span<const Point> points);

// Weighted least-squares line through `points` with one offset per group (`group[i]` is point i's
// source): the slope comes only from differences within a group, so the offsets of different
// sources' time scales (an upstream that has just stepped, a path's asymmetry) do not pass for a
// frequency. offset_at_ref, the residuals and chi2 are the common line's (one offset for all) at
// the weighted mean time. The slope is 0 (slope_var 0) when no group has
// points spread in time. REQUIRES: !points.empty(), group.size() == points.size().
Line FitCommonSlope(std::span<const Point> points, std::span<const uint32_t> group);

// The offset and frequency at the newest of `points` (ordered oldest first) under a frequency
// random walk `q` ((s/s)/√s): a Kalman filter over (phase, frequency), from a diffuse start, with
// each point's σ as its measurement error. t_ref is the newest point's time, `cov` the offset's
// covariance with the slope there, chi2_per_dof the mean squared normalized innovation (after the
// first two points, which only start the filter); residual_rms stays 0 (the line's residuals
// are the jitter the discipline reports). With q = 0 it is FitLine's line (the filter of a
// straight line is its least-squares fit); with q > 0 the wander bends the line and old points
// count less, their shared walk counted as shared (WithWander grows each point's error as if its
// walk were its own). The slope is 0 (slope_var 0) when the points span no time.
// REQUIRES: !points.empty().
Line KalmanLine(std::span<const Point> points, double q);

// `points` with each error grown by the phase a frequency random walk `q` ((s/s)/√s) adds over its
// age before `t_ref`: σ² += q² · age³ / 3.
std::vector<Point> WithWander(std::span<const Point> points, double q, double t_ref);

// Number of residual sign runs of `points` about `line` (a zero residual counts as positive).
int CountRuns(std::span<const Point> points, const Line& line);

// The index of the oldest point to keep: drops the oldest points until the residuals of the fit
// over the rest pass the runs test (at least the expected number of runs minus z standard
// deviations: z = 2.33, a one-sided 1% test; z = 3.09, 0.1%, on 64 points or more spanning at
// most 2048 s), keeping at least `min_keep` points.
// `points` are ordered oldest first.
size_t ChooseStart(std::span<const Point> points, size_t min_keep);

}  // namespace tempus::core::discipline::internal

#endif  // TEMPUS_CORE_DISCIPLINE_REGRESSION_H_
