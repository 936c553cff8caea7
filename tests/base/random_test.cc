#include "base/random.h"

#include <set>

#include <gtest/gtest.h>

namespace tempus {
namespace {

TEST(SeededRandom, SameSeedReplaysDifferentSeedDiffers) {
  SeededRandom a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.NextU64();
    EXPECT_EQ(x, b.NextU64());
    differs |= x != c.NextU64();
  }
  EXPECT_TRUE(differs);
}

TEST(SeededRandom, ZeroSeedIsNotDegenerate) {
  SeededRandom r(0);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(r.NextU64());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UniformUnit, StaysInTheHalfOpenUnitIntervalAndCoversIt) {
  SeededRandom r(1);
  double lo = 1, hi = 0, sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = UniformUnit(r);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  EXPECT_LT(lo, 0.01);
  EXPECT_GT(hi, 0.99);
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

class Constant final : public Random {
 public:
  explicit Constant(uint64_t v) : v_(v) {}
  uint64_t NextU64() override { return v_; }

 private:
  uint64_t v_;
};

TEST(UniformUnit, Extremes) {
  Constant zero(0), ones(~uint64_t{0});
  EXPECT_EQ(UniformUnit(zero), 0.0);
  EXPECT_LT(UniformUnit(ones), 1.0);
  EXPECT_GT(UniformUnit(ones), 0.999999);
}

}  // namespace
}  // namespace tempus
