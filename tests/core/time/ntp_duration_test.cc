#include "core/time/ntp_duration.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "core/time/int128.h"

namespace tempus::core {
namespace {

TEST(NtpDuration, FromSecondsRoundsToNearestUnit) {
  EXPECT_EQ(NtpDuration::FromSeconds(1.0).raw(), int64_t{1} << 32);
  EXPECT_EQ(NtpDuration::FromSeconds(-0.5).raw(), -(int64_t{1} << 31));
  // 1.4 units rounds down, 1.6 units rounds up.
  EXPECT_EQ(NtpDuration::FromSeconds(1.4 / 4294967296.0).raw(), 1);
  EXPECT_EQ(NtpDuration::FromSeconds(1.6 / 4294967296.0).raw(), 2);
  EXPECT_EQ(NtpDuration::FromSeconds(-1.6 / 4294967296.0).raw(), -2);
}

TEST(NtpDuration, FromSecondsSaturatesAndRejectsNaN) {
  EXPECT_EQ(NtpDuration::FromSeconds(1e30), NtpDuration::Max());
  EXPECT_EQ(NtpDuration::FromSeconds(-1e30), NtpDuration::Min());
  EXPECT_EQ(NtpDuration::FromSeconds(std::numeric_limits<double>::infinity()), NtpDuration::Max());
  EXPECT_EQ(NtpDuration::FromSeconds(std::nan("")), NtpDuration::Zero());
}

TEST(NtpDuration, NanosRoundTripIsExactToTheNanosecond) {
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{999999999}, int64_t{-123456789012},
                     int64_t{86400} * 1000000000 * 365 * 60}) {
    EXPECT_EQ(NtpDuration::FromNanos(ns).Nanos(), ns) << ns;
  }
}

TEST(NtpDuration, SubNanosecondPrecision) {
  // One unit is ~233 ps: distinct from zero, and 5 units round to 1 ns.
  const NtpDuration unit = NtpDuration::FromRaw(1);
  EXPECT_GT(unit, NtpDuration::Zero());
  EXPECT_NEAR(unit.Seconds(), 2.3283064365386963e-10, 1e-22);
  EXPECT_EQ(NtpDuration::FromRaw(5).Nanos(), 1);
  EXPECT_EQ(NtpDuration::FromRaw(-5).Nanos(), -1);
}

// FromNanos avoids a 128-bit division; it must round exactly as round(nanos * 2^32 / 1e9) with
// halves away from zero, computed here in 128 bits, over the whole range.
TEST(NtpDuration, FromNanosMatchesTheExactRounding) {
  const auto exact = [](int64_t nanos) {
    const Int128 scaled = static_cast<Int128>(nanos) * NtpDuration::kUnitsPerSecond;
    const Int128 units = scaled >= 0 ? (scaled + 500000000) / 1000000000 : (scaled - 500000000) / 1000000000;
    if (units > INT64_MAX) return NtpDuration::Max();
    if (units < INT64_MIN) return NtpDuration::Min();
    return NtpDuration::FromRaw(static_cast<int64_t>(units));
  };
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 116415321,
                                 -116415321,
                                 999999999,
                                 1000000000,
                                 -1000000000,
                                 int64_t{2147483647} * 1000000000 + 999999999,
                                 int64_t{2147483648} * 1000000000,
                                 -int64_t{2147483648} * 1000000000,
                                 INT64_MAX,
                                 INT64_MIN,
                                 INT64_MIN + 1};
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int i = 0; i < 100000; ++i) {  // xorshift: every magnitude, both signs
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    values.push_back(static_cast<int64_t>(x) >> (i % 64));
  }
  for (int64_t ns : values) EXPECT_EQ(NtpDuration::FromNanos(ns), exact(ns)) << ns;
}

TEST(NtpDuration, FromNanosSaturates) {
  EXPECT_EQ(NtpDuration::FromNanos(INT64_MAX), NtpDuration::Max());
  EXPECT_EQ(NtpDuration::FromNanos(INT64_MIN), NtpDuration::Min());
}

TEST(NtpDuration, ArithmeticAndHalf) {
  const auto a = NtpDuration::FromMillis(1500);
  const auto b = NtpDuration::FromMillis(-250);
  EXPECT_EQ((a + b).Nanos(), 1250000000);
  EXPECT_EQ((a - b).Nanos(), 1750000000);
  EXPECT_EQ((-a).Nanos(), -1500000000);
  EXPECT_EQ(a.Half().Nanos(), 750000000);
  EXPECT_EQ(NtpDuration::FromRaw(-3).Half().raw(), -2);  // floors
  EXPECT_EQ(b.Abs(), NtpDuration::FromMillis(250));
  EXPECT_EQ(NtpDuration::Min().Abs(), NtpDuration::Max());
}

TEST(NtpDuration, ScaledRoundsSaturatesAndIgnoresNaN) {
  EXPECT_EQ(NtpDuration::FromSeconds(2.0).Scaled(0.25), NtpDuration::FromSeconds(0.5));
  EXPECT_EQ(NtpDuration::FromSeconds(2.0).Scaled(-1e30), NtpDuration::Min());
  EXPECT_EQ(NtpDuration::FromSeconds(2.0).Scaled(std::nan("")), NtpDuration::Zero());
}

}  // namespace
}  // namespace tempus::core
