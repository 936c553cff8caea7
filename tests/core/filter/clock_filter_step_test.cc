// ClockFilter: the peer dispersion of a stale register, and the shift after a clock step.
#include <gtest/gtest.h>

#include "core/filter/clock_filter.h"

namespace tempus::core::filter {
namespace {

constexpr PollExp kPoll{6};

Sample At(double t_s, double offset_s, double delay_s) {
  return Sample{NtpDuration::FromSeconds(offset_s), NtpDuration::FromSeconds(delay_s), NtpDuration::Zero(),
                MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t_s))};
}

// RFC 5905 A.5.2 sets p->disp before the prime directive: the peer dispersion follows the
// register (here: its aging at PHI) even when the quickest stage is the first sample.
TEST(ClockFilterStale, DispersionFollowsTheRegisterWhenTheBestStageIsOld) {
  ClockFilter f;
  ASSERT_TRUE(f.Add(At(0, 0.1, 0.0002), kPoll));
  const double first = f.Current()->dispersion.Seconds();
  for (int i = 1; i < 4; ++i) EXPECT_FALSE(f.Add(At(64.0 * i, 0.1, 0.0005), kPoll));
  // The best stage is 192 s old by the last sample: it alone adds PHI × 192 s / 2 = 1.44 ms.
  EXPECT_GT(f.Current()->dispersion.Seconds(), first + 1.4e-3);
  EXPECT_EQ(f.Current()->offset, NtpDuration::FromSeconds(0.1));  // still the first sample's
}

TEST(ClockFilterStale, ShiftForStepMovesStoredOffsets) {
  ClockFilter f;
  ASSERT_TRUE(f.Add(At(0, -0.120, 0.0002), kPoll));
  f.ShiftForStep(NtpDuration::FromSeconds(-0.120));  // the clock was stepped back 120 ms
  EXPECT_NEAR(f.Current()->offset.Seconds(), 0.0, 1e-9);
  EXPECT_EQ(f.size(), 1);
  // A later sample is compared with the shifted one (no spike, no reset).
  const auto out = f.Add(At(64, 0.0001, 0.0001), kPoll);
  ASSERT_TRUE(out);
  EXPECT_NEAR(out->offset.Seconds(), 0.0001, 1e-9);
  EXPECT_LT(out->jitter.Seconds(), 0.001);
}

}  // namespace
}  // namespace tempus::core::filter
