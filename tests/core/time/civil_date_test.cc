#include "core/time/civil_date.h"

#include <gtest/gtest.h>

namespace tempus::core {
namespace {

TEST(CivilDate, KnownDaysBothWays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1900, 1, 1), -25567);  // the NTP epoch
  EXPECT_EQ(DaysFromCivil(2016, 12, 31), 17166);
  const CivilDate d = CivilFromDays(DaysFromCivil(2000, 2, 29));
  EXPECT_EQ(d.year, 2000);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
}

TEST(CivilDate, RoundTripsEveryDayFrom1900To2200) {
  int64_t expected = DaysFromCivil(1900, 1, 1);
  for (int64_t y = 1900; y < 2200; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= 31; ++d) {
        const CivilDate c = CivilFromDays(expected);
        if (c.month != m || c.day != d) continue;  // past this month's last day
        ASSERT_EQ(c.year, y);
        ASSERT_EQ(DaysFromCivil(y, m, d), expected);
        ++expected;
      }
    }
  }
  EXPECT_EQ(expected, DaysFromCivil(2200, 1, 1));
}

TEST(CivilDate, FloorDivRoundsTowardNegativeInfinity) {
  EXPECT_EQ(FloorDiv(86399, 86400), 0);
  EXPECT_EQ(FloorDiv(-1, 86400), -1);
  EXPECT_EQ(FloorDiv(-86400, 86400), -1);
  EXPECT_EQ(FloorDiv(-86401, 86400), -2);
}

}  // namespace
}  // namespace tempus::core
