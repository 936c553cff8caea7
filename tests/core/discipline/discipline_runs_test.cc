// How often the runs test cuts the window in a closed loop on white noise (no wander, a constant
// frequency error): a cut should be as rare as the test's level on one window (1 %; 0.1 % on 64
// samples or more within 2048 s), and the window should stay near its cap. Each sample's stated
// error is its delay's; the noise is either the delays' own (queueing, as clknetsim draws it) or
// larger than they say (a constant delay with Gaussian noise: an upstream's jitter, a
// timestamping error the delay does not show).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "core/discipline/discipline.h"
#include "tests/core/discipline/discipline_test_util.h"

namespace tempus::core::discipline {
namespace {

using testing::Follower;
using testing::In;

struct Cuts {
  int cuts = 0;               // updates after which the window held fewer samples than before
  int deep = 0;               // ... fewer than half as many
  double mean_samples = 0.0;  // the window's mean size
  double max_rate_ppm = 0.0;  // the largest |frequency error + slew| the clock ran at
};

// `updates` updates from `sources` sources in turn, one every 16/sources s; `queueing`: each way
// 100 µs + Exp(100 µs) (the stated delay tells the error), else a constant 200 µs round trip with
// 10 µs Gaussian noise (the stated delay tells nothing). The clock's frequency error starts at
// 20 ppm and walks by `wander` (s/s)/√s. The first `settle` updates are not counted.
Cuts ClosedLoop(int sources, bool queueing, uint64_t seed, int updates, double wander = 0.0, int settle = 100) {
  Discipline d;
  Follower clock;
  clock.natural = 20e-6;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 10e-6);
  std::normal_distribution<double> walk(0.0, 1.0);
  std::exponential_distribution<double> exponential(1.0);
  const double interval_s = 16.0 / sources;
  Cuts c;
  int previous = 0;
  for (int i = 0; i < updates; ++i) {
    double noise = normal(rng), delay = 200e-6;
    if (queueing) {
      const double d1 = 100e-6 + 100e-6 * exponential(rng), d2 = 100e-6 + 100e-6 * exponential(rng);
      noise = (d1 - d2) / 2.0;
      delay = d1 + d2;
    }
    DisciplineInput in = In(clock.t, -clock.error + noise, delay);
    in.source = static_cast<uint32_t>(i % sources);
    clock.Apply(d.Update(in).commands);
    if (i >= settle) c.max_rate_ppm = std::max(c.max_rate_ppm, std::fabs(clock.natural + clock.freq) * 1e6);
    clock.AdvanceTo(d, clock.t + interval_s);
    if (wander > 0.0) clock.natural += wander * std::sqrt(interval_s) * walk(rng);
    const int n = d.state().samples;
    if (i >= settle) {
      c.cuts += n < previous ? 1 : 0;
      c.deep += 2 * n < previous ? 1 : 0;
      c.mean_samples += static_cast<double>(n) / (updates - settle);
    }
    previous = n;
  }
  return c;
}

// ClosedLoop over seeds 1-4 of 1000 updates: the cuts summed, the mean window averaged.
Cuts FourSeeds(int sources, bool queueing) {
  Cuts all;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const Cuts c = ClosedLoop(sources, queueing, seed, 1000);
    all.cuts += c.cuts;
    all.mean_samples += c.mean_samples / 4;
  }
  return all;
}

TEST(DisciplineRuns, WhiteNoiseRarelyCutsTheWindow) {
  for (int sources : {1, 4}) {
    const Cuts all = FourSeeds(sources, /*queueing=*/true);
    std::printf("[discipline] white noise, %d source(s), queueing: %d cuts in 4 x 900 updates, mean window %.1f\n",
                sources, all.cuts, all.mean_samples);
    // Measured: 1 cut, mean 127 (1 source); 0 cuts, mean 243 (4 sources; with the 1 % test on
    // every window, before branch runs11: 7 and 2): rare, the window near its cap (it fills up
    // over the first updates): max_samples (128), and beyond it only the samples of the last
    // 1024 s (4 sources every 4 s: 256; with max_samples per source, before branch mem10, 395).
    // The runs test does not cut the closed loop's window on the noise clknetsim draws.
    const double cap = std::max(128.0, 1024.0 / (16.0 / sources));
    EXPECT_LT(all.cuts, 40);
    EXPECT_GT(all.mean_samples, 0.7 * cap);
    EXPECT_LE(all.mean_samples, cap + 1.0);
  }
}

// The known limit (docs/accuracy.md, branch disc5): noise larger than the delays say is
// explained as wander. The largest q wins the model score, its fit trusts the newest few
// samples, the older ones' residuals then share a sign and the runs test cuts the window
// (measured: 441 cuts in 4 x 900 updates, mean window 23 of 128; 4 sources: 188, 59 of 512).
// Scaling the model scores by a white-noise factor fixed it (1 cut, mean 127) but slowed the
// response to a real frequency jump (`DisciplineSim.RecoversFromAFrequencyJump`: 309 µs, bar
// 300 µs) and, with the factor from the newest 32 samples, cost long4 its request economy in
// clknetsim; not adopted. Printed, not asserted.
TEST(DisciplineRuns, NoiseBeyondTheStatedErrorIsReported) {
  for (int sources : {1, 4}) {
    const Cuts all = FourSeeds(sources, /*queueing=*/false);
    std::printf(
        "[discipline] white noise 10x its stated error, %d source(s): %d cuts in 4 x 900 updates, mean window %.1f\n",
        sources, all.cuts, all.mean_samples);
    EXPECT_GT(all.mean_samples, 6.0);  // never below the runs test's floor
  }
}

// clknetsim's queueing noise and its clock's frequency random walk (1 ppb/√s), one or two sources
// (2800 counted updates, seeds 1-16): the runs test may cut the window, but not deeply (to less
// than half of it) on noise alone. Such a cut erases the samples, and the fit of the dozen left
// swings the frequency for minutes: clknetsim lan2p4 seed 7, a window of 128 cut to 14 samples,
// a frequency swing of ±1.2 ppm, the clock 47 µs off and a 1-s rate error of 3.9 ppm (chrony's
// largest in 20 seeds: 2.2). With the 1 % test on every window: 3 deep cuts here (1 source: seeds
// 8 and 15; 2 sources: seed 8) and a largest rate error of 1.85 ppm; with 0.1 % on 64 samples or
// more within 2048 s: none, 1.08 ppm.
TEST(DisciplineRuns, QueueingNoiseAndWanderDoNotCutTheWindowDeeply) {
  int deep = 0;
  double worst_ppm = 0.0;
  for (int sources : {1, 2}) {
    for (uint64_t seed = 1; seed <= 16; ++seed) {
      const Cuts c = ClosedLoop(sources, /*queueing=*/true, seed, 3000, /*wander=*/1e-9, /*settle=*/200);
      deep += c.deep;
      worst_ppm = std::max(worst_ppm, c.max_rate_ppm);
    }
  }
  std::printf(
      "[discipline] queueing noise and wander, 1 and 2 sources: %d deep cuts in 32 x 2800 updates, largest rate error "
      "%.2f ppm\n",
      deep, worst_ppm);
  EXPECT_LE(deep, 1);
  EXPECT_LT(worst_ppm, 1.4);
}

}  // namespace
}  // namespace tempus::core::discipline
