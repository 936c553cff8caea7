#include "core/filter/clock_filter.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tempus::core::filter {
namespace {

constexpr PollExp kPoll{4};  // 16 s

Sample Make(double t_s, double offset_s, double delay_s, double disp_s = 0.0) {
  return Sample{NtpDuration::FromSeconds(offset_s), NtpDuration::FromSeconds(delay_s), NtpDuration::FromSeconds(disp_s),
                MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t_s))};
}

FilterConfig Rfc() {
  FilterConfig c;
  c.rfc_empty_stages = true;
  return c;
}

TEST(ClockFilter, FirstSampleIsUsedWithRfcDispersion) {
  ClockFilter f(Rfc());
  const auto out = f.Add(Make(100, 0.010, 0.020, 0.002), kPoll);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->offset, NtpDuration::FromSeconds(0.010));
  // ε = ε0/2 + Σ_{i=1..7} MAXDISP/2^(i+1) = 0.001 + 16 × (1/2 − 1/256).
  EXPECT_NEAR(out->dispersion.Seconds(), 0.001 + 7.9375, 1e-9);
  EXPECT_EQ(f.size(), 1);
}

TEST(ClockFilter, PicksTheLowestDelayStage) {
  ClockFilter f;
  ASSERT_TRUE(f.Add(Make(0, 0.005, 0.050), kPoll));
  // A quicker exchange wins even though it is the newest.
  const auto out = f.Add(Make(16, 0.001, 0.010), kPoll);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->offset, NtpDuration::FromSeconds(0.001));
  EXPECT_EQ(out->delay, NtpDuration::FromSeconds(0.010));
}

TEST(ClockFilter, PrimeDirectiveUsesASampleOnlyOnce) {
  ClockFilter f;
  ASSERT_TRUE(f.Add(Make(0, 0.001, 0.010), kPoll));
  // The slower new sample does not displace the older, quicker one: nothing new to report.
  EXPECT_FALSE(f.Add(Make(16, 0.0012, 0.030), kPoll).has_value());
  EXPECT_EQ(f.stale_count(), 1);
  EXPECT_EQ(f.Current()->offset, NtpDuration::FromSeconds(0.001));
}

TEST(ClockFilter, JitterIsTheRmsOfOffsetDifferences) {
  ClockFilter f;
  ASSERT_TRUE(f.Add(Make(0, 0.000, 0.010), kPoll));
  EXPECT_FALSE(f.Add(Make(16, 0.003, 0.020), kPoll));
  EXPECT_FALSE(f.Add(Make(32, -0.004, 0.030), kPoll));
  // Chosen: offset 0 (delay 10 ms). ψ = sqrt((0.003² + 0.004²) / 2).
  ASSERT_TRUE(f.Add(Make(48, 0.0005, 0.005), kPoll));
  const auto cur = *f.Current();
  // Now the 5 ms sample is best: differences 0.0005, 0.0025, 0.0045 (to 0, 0.003, −0.004).
  const double expect = std::sqrt((0.0005 * 0.0005 + 0.0025 * 0.0025 + 0.0045 * 0.0045) / 3);
  EXPECT_NEAR(cur.jitter.Seconds(), expect, 1e-9);
}

TEST(ClockFilter, EmptyStagesRepeatTheLargestFilledOneByDefault) {
  ClockFilter f;
  const auto out = f.Add(Make(100, 0.010, 0.020, 0.002), kPoll);
  ASSERT_TRUE(out.has_value());
  // Every stage weighs 0.002: ε = 0.002 × (1 − 1/256).
  EXPECT_NEAR(out->dispersion.Seconds(), 0.002 * (1 - 1.0 / 256), 1e-9);
}

TEST(ClockFilter, DispersionGrowsAtPhi) {
  ClockFilter f(Rfc());
  ASSERT_TRUE(f.Add(Make(0, 0.0, 0.010, 0.0), kPoll));
  // The second stage is 1000 s old when the next sample arrives: it has grown by 15 ms.
  const auto out = f.Add(Make(1000, 0.0, 0.005, 0.0), kPoll);
  ASSERT_TRUE(out.has_value());
  // Delay order: new (ε 0), old (ε 0.015): ε = 0/2 + 0.015/4 + 16 × (1/8 − 1/256 ... ) terms.
  double expect = 0.0;
  for (int i = 7; i >= 0; --i) expect = 0.5 * (expect + (i == 0 ? 0.0 : i == 1 ? 0.015 : 16.0));
  EXPECT_NEAR(out->dispersion.Seconds(), expect, 1e-9);
}

TEST(ClockFilter, PopcornSpikeIsSuppressedWithinTwoPolls) {
  ClockFilter f;
  double t = 0;
  for (int i = 0; i < 8; ++i, t += 16) (void)f.Add(Make(t, 0.001 * (i % 2), 0.010 - 0.0001 * i), kPoll);
  ASSERT_TRUE(f.Current().has_value());
  // A quicker sample 50 ms off is far beyond 3 jitters (~0.7 ms): dropped as a spike.
  EXPECT_FALSE(f.Add(Make(t, 0.050, 0.001), kPoll).has_value());
  EXPECT_EQ(f.spike_count(), 1);
  // The same offset, more than two polls after the last used sample, is accepted.
  EXPECT_TRUE(f.Add(Make(t + 160, 0.050, 0.0005), kPoll).has_value());
}

TEST(ClockFilter, OutOfOrderSampleIsIgnoredAndResetEmpties) {
  ClockFilter f;
  ASSERT_TRUE(f.Add(Make(100, 0.0, 0.010), kPoll));
  EXPECT_FALSE(f.Add(Make(50, 0.0, 0.001), kPoll).has_value());
  EXPECT_EQ(f.size(), 1);
  f.Reset();
  EXPECT_EQ(f.size(), 0);
  EXPECT_FALSE(f.Current().has_value());
  EXPECT_TRUE(f.Add(Make(50, 0.0, 0.001), kPoll).has_value());
}

TEST(ClockFilter, NegativeDelayIsFlooredAtPrecision) {
  ClockFilter f;
  const auto out = f.Add(Make(0, 0.0, -0.001), kPoll);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->delay, FilterConfig{}.precision);
}

}  // namespace
}  // namespace tempus::core::filter
