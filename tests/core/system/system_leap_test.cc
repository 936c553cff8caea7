// The System's leap indicator with and without a leap table (system.h, leap_table.h).
#include <gtest/gtest.h>

#include "core/system/system.h"

namespace tempus::core::system {

using discipline::ClockCommand;
using discipline::SetSyncStatus;

namespace {

const MonoTime kStart = MonoTime::FromNanos(0);
// UTC instants (Unix seconds) around the 2016-12-31 leap second.
const UnixTime kJun15_2016 = UnixTime::FromParts(1465948800, 0);
const UnixTime kDec15_2016 = UnixTime::FromParts(1481760000, 0);
const UnixTime kDec31Noon_2016 = UnixTime::FromParts(1483185600, 0);
const UnixTime kJan1_2017 = UnixTime::FromParts(1483228800, 0);

// What a leapfile of mid-2016 says: 36 s since 2015-07-01, 37 s from 2017-01-01.
LeapTable Table(int64_t expires = 3707596800 /* 2017-06-28 */) {
  LeapTable t;
  t.entries = {{2272060800, 10}, {3644697600, 36}, {3692217600, 37}};
  t.expires = expires;
  return t;
}

SystemConfig Config(std::optional<LeapTable> table) {
  SystemConfig c;
  c.self_id = RefId::FromRaw(0x0a000005);
  c.select.min_clock = 1;
  c.leap_table = std::move(table);
  return c;
}

Measurement Reply(Leap leap) {
  Measurement m;
  m.offset = NtpDuration::FromMicros(500);
  m.delay = NtpDuration::FromMicros(200);
  m.dispersion = NtpDuration::FromMicros(2);
  m.server.leap = leap;
  m.server.stratum = 1;
  m.server.refid = RefId::FromCode("GPS");
  m.server.mode = Mode::kServer;
  return m;
}

// The leap of the last SetSyncStatus in `commands`, if any.
std::optional<Leap> KernelLeap(const std::vector<ClockCommand>& commands) {
  std::optional<Leap> out;
  for (const auto& c : commands) {
    if (const auto* s = std::get_if<SetSyncStatus>(&c)) out = s->leap;
  }
  return out;
}

// Synchronizes `sys` to one stratum-1 source sending `leap`, with the local clock at `local`.
// Returns the monotonic time reached and collects the clock commands.
MonoTime Sync(System& sys, Leap leap, UnixTime local, std::vector<ClockCommand>* commands) {
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  MonoTime t = kStart;
  for (int i = 0; i < 12; ++i) {
    t += NtpDuration::FromWholeSeconds(16);
    auto u = sys.OnMeasurement(1, Reply(leap), t, PollExp(4), t, local + (t - kStart));
    commands->insert(commands->end(), u.commands.begin(), u.commands.end());
  }
  EXPECT_TRUE(sys.Snapshot().synchronized());
  return t;
}

TEST(SystemLeap, WithoutATableTheUpstreamLiIsPassedOnButTheKernelWaitsForTheLastDay) {
  System sys(Config(std::nullopt), kStart);
  std::vector<ClockCommand> commands;
  Sync(sys, Leap::kInsertSecond, kDec15_2016, &commands);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
  // STA_INS on 15 December would make Linux insert a second at the end of that day.
  ASSERT_TRUE(KernelLeap(commands));
  EXPECT_EQ(*KernelLeap(commands), Leap::kNoWarning);
}

TEST(SystemLeap, TableAnnouncesTheLeapDuringTheLastDayOnly) {
  System sys(Config(Table()), kStart);
  std::vector<ClockCommand> commands;
  const MonoTime t = Sync(sys, Leap::kNoWarning, kDec15_2016, &commands);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kNoWarning);  // scheduled, not yet announced
  EXPECT_EQ(KernelLeap(commands).value_or(Leap::kUnsynchronized), Leap::kNoWarning);

  // 31 December: the table announces it, on the wire and to the kernel, though the source does not.
  auto u = sys.OnTick(t + NtpDuration::FromWholeSeconds(8), kDec31Noon_2016);
  EXPECT_TRUE(u.snapshot_changed);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
  ASSERT_TRUE(KernelLeap(u.commands));
  EXPECT_EQ(*KernelLeap(u.commands), Leap::kInsertSecond);

  // After it: no leap, and the kernel is told so.
  u = sys.OnTick(t + NtpDuration::FromWholeSeconds(16), kJan1_2017 + NtpDuration::FromWholeSeconds(1));
  EXPECT_EQ(sys.Snapshot().leap, Leap::kNoWarning);
  ASSERT_TRUE(KernelLeap(u.commands));
  EXPECT_EQ(*KernelLeap(u.commands), Leap::kNoWarning);
}

TEST(SystemLeap, ValidTableOverridesAStrayUpstreamLi) {
  System sys(Config(Table()), kStart);
  std::vector<ClockCommand> commands;
  Sync(sys, Leap::kInsertSecond, kJun15_2016, &commands);  // no leap at the end of June 2016
  EXPECT_EQ(sys.Snapshot().leap, Leap::kNoWarning);
  EXPECT_EQ(KernelLeap(commands).value_or(Leap::kUnsynchronized), Leap::kNoWarning);
}

TEST(SystemLeap, ExpiredTableLetsTheUpstreamLiThrough) {
  System sys(Config(Table(/*expires=*/3660595200 /* 2016-01-01 */)), kStart);
  std::vector<ClockCommand> commands;
  Sync(sys, Leap::kInsertSecond, kJun15_2016, &commands);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
}

TEST(SystemLeap, LocalClockReferenceAnnouncesFromTheTable) {
  SystemConfig c = Config(Table());
  c.local_stratum = 8;
  System sys(c, kStart);
  auto u = sys.OnTick(kStart + NtpDuration::FromWholeSeconds(1), kDec31Noon_2016);
  EXPECT_EQ(sys.Snapshot().stratum, 8);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
  ASSERT_TRUE(KernelLeap(u.commands));
  EXPECT_EQ(*KernelLeap(u.commands), Leap::kInsertSecond);
}

TEST(SystemLeap, OrphanParentAnnouncesFromTheTable) {
  SystemConfig c = Config(Table());
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::Zero();
  System sys(c, kStart);
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(1), kDec15_2016);
  ASSERT_TRUE(sys.orphan_parent());
  EXPECT_EQ(sys.Snapshot().leap, Leap::kNoWarning);
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(9), kDec31Noon_2016);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
}

TEST(SystemLeap, SetLeapTableTakesEffectAtTheNextUpdate) {
  System sys(Config(std::nullopt), kStart);
  std::vector<ClockCommand> commands;
  const MonoTime t = Sync(sys, Leap::kInsertSecond, kJun15_2016, &commands);
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
  sys.SetLeapTable(Table());
  (void)sys.OnTick(t + NtpDuration::FromWholeSeconds(8), kJun15_2016 + (t - kStart));
  EXPECT_EQ(sys.Snapshot().leap, Leap::kNoWarning);
  sys.SetLeapTable(std::nullopt);
  (void)sys.OnTick(t + NtpDuration::FromWholeSeconds(16), kJun15_2016 + (t - kStart));
  EXPECT_EQ(sys.Snapshot().leap, Leap::kInsertSecond);
}

}  // namespace
}  // namespace tempus::core::system
