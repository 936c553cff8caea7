// SystemClock (read-only use), MakeClock and precision measurement (ObserveClock: observe_clock_test.cc).
#include <memory>

#include <gtest/gtest.h>

#include "clock/make_clock.h"
#include "clock/system_clock.h"
#include "clock/time_source.h"

namespace tempus::clock {
namespace {

using core::NtpDuration;
using core::UnixTime;

std::shared_ptr<ManualTimeSource> MakeSource() {
  return std::make_shared<ManualTimeSource>(UnixTime::FromParts(1800000000, 0), core::MonoTime::FromNanos(5000));
}

// Advances by a fixed step on every realtime read: a clock of known resolution.
class TickingSource final : public TimeSource {
 public:
  explicit TickingSource(NtpDuration tick) : tick_(tick) {}
  core::MonoTime Monotonic() override { return core::MonoTime(); }
  core::UnixTime Realtime() override { return now_ = now_ + tick_; }

 private:
  NtpDuration tick_;
  UnixTime now_ = UnixTime::FromParts(1800000000, 0);
};

TEST(MeasurePrecisionLog2, FindsTheSmallestStep) {
  TickingSource micro(NtpDuration::FromNanos(1000));  // 2^-20 s < 1 µs <= 2^-19 s
  EXPECT_EQ(MeasurePrecisionLog2(micro), -19);
  TickingSource milli(NtpDuration::FromMillis(1));  // 2^-10 s < 1 ms <= 2^-9 s
  EXPECT_EQ(MeasurePrecisionLog2(milli), -9);
  TickingSource coarse(NtpDuration::FromMillis(100));
  EXPECT_EQ(MeasurePrecisionLog2(coarse), -6);  // clamped
  TickingSource below_min_step(NtpDuration::FromNanos(10));
  EXPECT_EQ(MeasurePrecisionLog2(below_min_step), kDefaultPrecisionLog2);
}

// Only construction and reads: a test never steers the system clock.
TEST(SystemClock, ReadsTheKernelClock) {
  KernelTimeSource kernel;
  SystemClock clock;
  EXPECT_EQ(clock.Kind(), "system");
  EXPECT_GE(clock.PrecisionLog2(), -30);
  EXPECT_LE(clock.PrecisionLog2(), -6);
  const UnixTime before = kernel.Realtime();
  const UnixTime now = clock.Now();
  const UnixTime after = kernel.Realtime();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(clock.FromKernelRealtime(before), before);
  EXPECT_EQ(clock.FrequencyPpm(), 0.0);
}

TEST(MakeClock, BuildsEachKind) {
  ClockOptions options;
  options.source = MakeSource();
  options.virtual_clock.initial_offset = NtpDuration::FromMillis(40);
  auto virt = MakeClock("virtual", options);
  ASSERT_TRUE(virt.has_value()) << virt.error();
  EXPECT_EQ((*virt)->Kind(), "virtual");
  EXPECT_EQ((*virt)->Now() - options.source->Realtime(), NtpDuration::FromMillis(40));
  auto observe = MakeClock("observe", options);
  ASSERT_TRUE(observe.has_value());
  EXPECT_EQ((*observe)->Kind(), "observe");
  auto system = MakeClock("system", options);
  ASSERT_TRUE(system.has_value());
  EXPECT_EQ((*system)->Kind(), "system");
}

TEST(MakeClock, RejectsUnknownKindsAndBadOptions) {
  auto bad = MakeClock("atomic", {});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "unknown clock kind 'atomic' (expected system, observe or virtual)");
  ClockOptions options;
  options.source = MakeSource();
  options.virtual_clock.slew_rate_ppm = 0;
  auto no_slew = MakeClock("virtual", options);
  ASSERT_FALSE(no_slew.has_value());
  EXPECT_NE(no_slew.error().find("slew rate"), std::string::npos);
}

}  // namespace
}  // namespace tempus::clock
