#include "core/time/poll_exp.h"

#include <gtest/gtest.h>

#include "core/time/mono_time.h"

namespace tempus::core {
namespace {

TEST(PollExp, IntervalIsAPowerOfTwo) {
  EXPECT_EQ(PollExp(6).Interval(), NtpDuration::FromSeconds(64));
  EXPECT_EQ(PollExp(-2).Interval(), NtpDuration::FromSeconds(0.25));
  EXPECT_EQ(PollExp(-100).Interval(), NtpDuration::FromSeconds(1.0 / 64));  // floored
  EXPECT_EQ(PollExp(4).Clamped(PollExp(6), PollExp(10)), PollExp(6));
  EXPECT_EQ(PollExp(1000).log2(), 127);
}

TEST(MonoTime, Arithmetic) {
  const auto t0 = MonoTime::FromNanos(1000);
  const auto t1 = t0 + NtpDuration::FromMillis(5);
  EXPECT_EQ((t1 - t0).Nanos(), 5000000);
  EXPECT_LT(t0, t1);
}

}  // namespace
}  // namespace tempus::core
