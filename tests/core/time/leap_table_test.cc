#include "core/time/leap_table.h"

#include <gtest/gtest.h>

namespace tempus::core {
namespace {

// NTP seconds of some UTC instants around the 2016-12-31 leap second.
constexpr int64_t kJul2015 = 3644697600;        // 2015-07-01 00:00:00: TAI-UTC 36 from here
constexpr int64_t kJun30Noon2015 = 3644654400;  // 2015-06-30 12:00:00
constexpr int64_t kJun2016 = 3674937600;        // 2016-06-15
constexpr int64_t kDec15_2016 = 3690748800;     // 2016-12-15 00:00:00
constexpr int64_t kDec30End2016 = 3692131199;   // 2016-12-30 23:59:59
constexpr int64_t kDec31_2016 = 3692131200;     // 2016-12-31 00:00:00
constexpr int64_t kJan2017 = 3692217600;        // 2017-01-01 00:00:00: TAI-UTC 37 from here
constexpr int64_t kJan15_2017 = 3693427200;     // 2017-01-15
constexpr int64_t kExpiry = 3707596800;         // 2017-06-28

LeapTable Table() {
  LeapTable t;
  t.entries = {{2272060800, 10}, {3550089600, 35}, {kJul2015, 36}, {kJan2017, 37}};
  t.updated = 3690748800;
  t.expires = kExpiry;
  return t;
}

TEST(LeapTable, MonthStarts) {
  EXPECT_EQ(NextMonthStart(kDec15_2016), kJan2017);
  EXPECT_EQ(NextMonthStart(kJan2017 - 1), kJan2017);
  EXPECT_EQ(NextMonthStart(kJan2017), 3694896000);  // 2017-02-01
  EXPECT_EQ(NextMonthStart(kJun30Noon2015), kJul2015);
  EXPECT_FALSE(InLastDayOfMonth(kDec30End2016));
  EXPECT_TRUE(InLastDayOfMonth(kDec31_2016));
  EXPECT_TRUE(InLastDayOfMonth(kJan2017 - 1));
  EXPECT_FALSE(InLastDayOfMonth(kJan2017));
}

TEST(LeapTable, DecemberOf2016HasAnInsertionPendingAtTheMonthsEnd) {
  const LeapStatus s = LeapStatusAt(Table(), kDec15_2016);
  EXPECT_EQ(s.tai_utc, 36);
  EXPECT_EQ(s.month_end, Leap::kInsertSecond);
  ASSERT_TRUE(s.leap_at);
  EXPECT_EQ(*s.leap_at, kJan2017);
  EXPECT_FALSE(s.announce);  // scheduled, announced only in the last day (ntpd LSPROX_ANNOUNCE)
  EXPECT_FALSE(s.expired);
}

TEST(LeapTable, AnnouncedDuringTheLastDayOnly) {
  EXPECT_FALSE(LeapStatusAt(Table(), kDec30End2016).announce);
  EXPECT_TRUE(LeapStatusAt(Table(), kDec31_2016).announce);
  const LeapStatus last = LeapStatusAt(Table(), kJan2017 - 1);
  EXPECT_TRUE(last.announce);
  EXPECT_EQ(last.month_end, Leap::kInsertSecond);
  EXPECT_EQ(last.tai_utc, 36);
}

TEST(LeapTable, January2017HasNoLeapAndTaiUtc37) {
  for (int64_t t : {kJan2017, kJan15_2017}) {
    const LeapStatus s = LeapStatusAt(Table(), t);
    EXPECT_EQ(s.tai_utc, 37) << t;
    EXPECT_EQ(s.month_end, Leap::kNoWarning) << t;
    EXPECT_FALSE(s.leap_at) << t;
    EXPECT_FALSE(s.announce) << t;
  }
}

TEST(LeapTable, NoLeapInAMonthWithoutOne) {
  const LeapStatus s = LeapStatusAt(Table(), kJun2016);
  EXPECT_EQ(s.tai_utc, 36);
  EXPECT_EQ(s.month_end, Leap::kNoWarning);
}

TEST(LeapTable, June2015LeapAndTheOffsetBefore) {
  const LeapStatus s = LeapStatusAt(Table(), kJun30Noon2015);
  EXPECT_EQ(s.tai_utc, 35);
  EXPECT_EQ(s.month_end, Leap::kInsertSecond);
  EXPECT_TRUE(s.announce);
}

TEST(LeapTable, FirstEntryIsAnOffsetNotALeap) {
  const LeapStatus s = LeapStatusAt(Table(), 2272060800 - 3600);  // 1971-12-31 23:00
  EXPECT_EQ(s.tai_utc, 0);
  EXPECT_EQ(s.month_end, Leap::kNoWarning);
}

TEST(LeapTable, DeletionIsReportedAsDelete) {
  LeapTable t = Table();
  t.entries.push_back({3694896000, 36});  // a negative leap at 2017-02-01
  const LeapStatus s = LeapStatusAt(t, 3694896000 - 10);
  EXPECT_EQ(s.month_end, Leap::kDeleteSecond);
  EXPECT_TRUE(s.announce);
}

TEST(LeapTable, ExpiresAtTheExpiryTime) {
  EXPECT_FALSE(LeapStatusAt(Table(), kExpiry - 1).expired);
  EXPECT_TRUE(LeapStatusAt(Table(), kExpiry).expired);
}

TEST(LeapTable, DatesAsNtpdWritesThem) {
  EXPECT_EQ(NtpDateMinute(kJan2017), "201701010000");
  EXPECT_EQ(NtpDateMinute(kExpiry), "201706280000");
  EXPECT_EQ(NtpDateMinute(kDec31_2016 + 12 * 3600 + 34 * 60 + 56), "201612311234");
  EXPECT_EQ(NtpDateMinute(0), "190001010000");
}

}  // namespace
}  // namespace tempus::core
