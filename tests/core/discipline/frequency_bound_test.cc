// DisciplineState::frequency_bound_ppm: the error the driftfile keeps with the frequency must hold
// for a run of a few seconds as for a long one (tests/cluster/driftfile_restart.sh shows the
// daemon side).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/discipline/discipline.h"
#include "tests/core/discipline/sim_clock.h"

namespace tempus::core::discipline {
namespace {

MonoTime At(double t) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t)); }

struct Outcome {
  double error_ppm;  // |estimate − truth|
  DisciplineState state;
};

// A clock 25 ppm fast behind a path with 100 µs mean queueing each way, sampled every
// `interval_s` for `samples` updates; returns how far the frequency correction is from −25 ppm.
Outcome Simulate(uint64_t seed, int samples, double interval_s) {
  testing::SimClock clock({.initial_error_s = 0.0, .freq_error = 25e-6, .wander = 0.0}, seed);
  Discipline d;
  for (int i = 0; i < samples; ++i) {
    const testing::SimClock::Measurement m = clock.Measure();
    const DisciplineInput in{NtpDuration::FromSeconds(m.offset_s),
                             NtpDuration::FromSeconds(m.delay_s),
                             NtpDuration::Zero(),
                             At(clock.time()),
                             At(clock.time()),
                             1};
    for (const ClockCommand& c : d.Update(in).commands) clock.Apply(c);
    clock.Advance(interval_s);
  }
  return {std::fabs(d.state().frequency_ppm + 25.0), d.state()};
}

TEST(FrequencyBound, UnknownUntilMeasured) {
  Discipline d;
  EXPECT_TRUE(std::isinf(d.state().frequency_bound_ppm));
  const DisciplineUpdate u =
      d.Update({NtpDuration::FromMillis(2), NtpDuration::FromMicros(200), NtpDuration::Zero(), At(0), At(0), 1});
  EXPECT_FALSE(u.state.frequency_known);
  EXPECT_TRUE(std::isinf(u.state.frequency_bound_ppm));
}

// The daemon's short runs: an iburst's 2-8 samples 2 s apart. The fit's own error trusts the
// quickest exchanges: it is off by more than 3x in a few runs in a hundred (about one in ten
// before the quickest exchange's own excess was estimated from the mean, docs/discipline.md). The
// bound is rarely off by 3x and never claims what a few seconds cannot know (a file without an
// error is credited with 1 ppm).
TEST(FrequencyBound, HoldsForAFewSecondsOfSamples) {
  constexpr int kRuns = 200;
  for (int samples : {2, 3, 4, 5, 8}) {
    int bound_covers = 0, bound_off_3x = 0, fit_off_3x = 0;
    for (int seed = 1; seed <= kRuns; ++seed) {
      const Outcome o = Simulate(seed, samples, 2.0);
      ASSERT_TRUE(o.state.frequency_known);
      bound_covers += o.error_ppm <= o.state.frequency_bound_ppm;
      bound_off_3x += o.error_ppm > 3 * o.state.frequency_bound_ppm;
      fit_off_3x += o.error_ppm > 3 * o.state.frequency_error_ppm;
      EXPECT_GT(o.state.frequency_bound_ppm, 1.0) << samples << " samples, seed " << seed;
    }
    EXPECT_GE(bound_covers, kRuns * 3 / 4) << samples << " samples";
    EXPECT_LE(bound_off_3x, kRuns / 100) << samples << " samples";
    EXPECT_GE(fit_off_3x, kRuns / 100) << samples << " samples";  // what the bound is for
    EXPECT_LE(bound_off_3x, fit_off_3x) << samples << " samples";
  }
}

TEST(FrequencyBound, ShrinksAsTheSamplesSpanMoreTime) {
  const Outcome minute = Simulate(7, 5, 16.0);
  const Outcome hours = Simulate(7, 400, 64.0);
  EXPECT_LT(hours.state.frequency_bound_ppm, minute.state.frequency_bound_ppm / 10);
  EXPECT_LT(hours.error_ppm, 3 * hours.state.frequency_bound_ppm + 1e-3);
  // Hours of samples beat the floor a stored value is credited with (0.05 ppm).
  EXPECT_LT(hours.state.frequency_bound_ppm, 0.05);
}

TEST(FrequencyBound, AClampedFrequencyIsOffByWhatTheClampCut) {
  // Offsets growing at 2000 ppm: the correction stops at +500 ppm, hundreds of ppm short of what
  // the fit asks for (the fit sees the samples as if 500 ppm had always been in effect).
  Discipline d;
  DisciplineUpdate u;
  for (int i = 0; i < 6; ++i)
    u = d.Update({NtpDuration::FromSeconds(i == 0 ? 0.0 : 0.032), NtpDuration::FromMicros(200), NtpDuration::Zero(),
                  At(i * 16.0), At(i * 16.0), 1});
  EXPECT_DOUBLE_EQ(u.state.frequency_ppm, 500.0);
  EXPECT_GT(u.state.frequency_bound_ppm, 500.0);
  EXPECT_GT(u.state.frequency_bound_ppm, 2 * u.state.frequency_error_ppm);  // the fit alone knows no clamp
}

}  // namespace
}  // namespace tempus::core::discipline
