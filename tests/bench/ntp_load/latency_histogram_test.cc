#include "ntp_load/latency_histogram.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tempus::bench {
namespace {

// Within the histogram's resolution: 64 buckets per power of two, reported at the middle.
void ExpectNear(int64_t actual, double expected) {
  EXPECT_NEAR(static_cast<double>(actual), expected, expected / 64 + 1) << "expected about " << expected;
}

TEST(LatencyHistogram, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Quantile(0.5), 0);
  EXPECT_EQ(h.max_ns(), 0);
  EXPECT_EQ(h.mean_ns(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 50; ++v) h.Add(v);
  EXPECT_EQ(h.Quantile(0.5), 25);
  EXPECT_EQ(h.Quantile(1.0), 50);
  EXPECT_EQ(h.max_ns(), 50);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 25.5);
}

TEST(LatencyHistogram, PercentilesOfAUniformSpreadAreWithinResolution) {
  LatencyHistogram h;
  // 1 µs .. 10 ms in 10,000 even steps.
  for (int i = 1; i <= 10000; ++i) h.Add(int64_t{i} * 1000);
  ExpectNear(h.Quantile(0.50), 5e6);
  ExpectNear(h.Quantile(0.90), 9e6);
  ExpectNear(h.Quantile(0.99), 9.9e6);
  EXPECT_EQ(h.max_ns(), 10'000'000);
  EXPECT_LE(h.Quantile(1.0), h.max_ns());
}

TEST(LatencyHistogram, ATailDoesNotMoveTheMedian) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.Add(300'000);    // 300 µs
  for (int i = 0; i < 10; ++i) h.Add(20'000'000);  // 20 ms
  ExpectNear(h.Quantile(0.5), 3e5);
  ExpectNear(h.Quantile(0.995), 2e7);
  EXPECT_EQ(h.max_ns(), 20'000'000);
}

TEST(LatencyHistogram, NegativeIsZeroAndHugeIsClamped) {
  LatencyHistogram h;
  h.Add(-5);
  EXPECT_EQ(h.Quantile(0.5), 0);
  h.Add(int64_t{1} << 62);
  EXPECT_LT(h.max_ns(), int64_t{1} << 41);
  EXPECT_EQ(h.count(), 2u);
}

}  // namespace
}  // namespace tempus::bench
