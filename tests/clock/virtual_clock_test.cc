#include "clock/virtual_clock.h"

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

namespace tempus::clock {
namespace {

using core::NtpDuration;
using core::UnixTime;

const UnixTime kStartReal = UnixTime::FromParts(1800000000, 0x40000000);  // 2027-01-15, +0.25 s
const core::MonoTime kStartMono = core::MonoTime::FromNanos(int64_t{1000} * 1000000000);

NtpDuration Ms(double ms) { return NtpDuration::FromSeconds(ms / 1000.0); }
NtpDuration Secs(double s) { return NtpDuration::FromSeconds(s); }

class VirtualClockTest : public ::testing::Test {
 protected:
  VirtualClock& Make(VirtualClock::Options options) {
    clock_ = std::make_unique<VirtualClock>(source_, options);
    return *clock_;
  }
  // |a - b| in 2^-32 s units.
  static int64_t Diff(NtpDuration a, NtpDuration b) { return std::llabs((a - b).raw()); }

  std::shared_ptr<ManualTimeSource> source_ = std::make_shared<ManualTimeSource>(kStartReal, kStartMono);
  std::unique_ptr<VirtualClock> clock_;
};

TEST_F(VirtualClockTest, StartsAtRealtimePlusInitialOffset) {
  VirtualClock& clock = Make({.initial_offset = Ms(250)});
  EXPECT_EQ(clock.Now(), kStartReal + Ms(250));
  EXPECT_EQ(clock.TrueOffset(), Ms(250));
  EXPECT_EQ(clock.Mono(), kStartMono);
  EXPECT_EQ(clock.Kind(), "virtual");
  EXPECT_EQ(clock.FrequencyPpm(), 0.0);
  // A source that never advances gives the default precision.
  EXPECT_EQ(clock.PrecisionLog2(), kDefaultPrecisionLog2);
}

TEST_F(VirtualClockTest, FrequencyErrorAccumulatesOffset) {
  VirtualClock& clock = Make({.initial_offset = Ms(250), .freq_error_ppm = 100.0});
  source_->Advance(Secs(10));
  // 10 s at +100 ppm gains 1 ms.
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(251)), 1);
  EXPECT_LE(Diff(clock.Now() - kStartReal, Secs(10.251)), 1);
}

TEST_F(VirtualClockTest, ArithmeticErrorAfter1e4SecondsIsBelowOneNanosecond) {
  constexpr double kErrorPpm = 12.345678901;
  VirtualClock& clock = Make({.initial_offset = Secs(-0.123456789), .freq_error_ppm = kErrorPpm});
  long double expected = -0.123456789L;  // virtual minus real, seconds
  long double worst_ns = 0;
  for (int i = 1; i <= 10000; ++i) {
    // Change the correction every 100 s, so the clock re-anchors 100 times.
    if (i % 100 == 1) {
      const double correction = (i / 100 % 2 == 0) ? 37.5 : -211.123;
      ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{correction}).has_value());
    }
    source_->Advance(NtpDuration::FromWholeSeconds(1));
    expected += (static_cast<long double>(kErrorPpm) + clock.FrequencyPpm()) * 1e-6L;
    const long double got = static_cast<long double>(clock.TrueOffset().raw()) / 4294967296.0L;
    worst_ns = std::max(worst_ns, std::fabs(got - expected) * 1e9L);
  }
  EXPECT_LT(worst_ns, 1.0);
  // The drift really happened: about 10^4 s × (12.35 + the average correction) ppm.
  EXPECT_GT(std::fabs(expected), 0.5L);
}

TEST_F(VirtualClockTest, StepJumpsAtOnce) {
  VirtualClock& clock = Make({.initial_offset = Secs(2)});
  ASSERT_TRUE(clock.Apply(core::discipline::StepClock{Secs(-1.5)}).has_value());
  EXPECT_EQ(clock.TrueOffset(), Secs(0.5));
  source_->Advance(Secs(100));
  EXPECT_EQ(clock.TrueOffset(), Secs(0.5));
}

TEST_F(VirtualClockTest, SlewCompletesAtTheBoundedRateAndNotFaster) {
  VirtualClock& clock = Make({});
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(1)}).has_value());
  EXPECT_EQ(clock.TrueOffset(), NtpDuration::Zero());
  // 500 ppm: 0.5 ms per second of real time, so 1 ms takes 2 s.
  source_->Advance(Secs(1));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(0.5)), 1);
  EXPECT_LE(Diff(clock.SlewRemaining(), Ms(0.5)), 1);
  source_->Advance(Secs(0.99));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(0.995)), 1);
  EXPECT_LT(clock.TrueOffset(), Ms(1));
  source_->Advance(Secs(0.01));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(1)), 1);
  source_->Advance(Secs(10));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(1)), 1);
  EXPECT_EQ(clock.SlewRemaining(), NtpDuration::Zero());
}

TEST_F(VirtualClockTest, NegativeSlewAtCustomRate) {
  VirtualClock& clock = Make({.slew_rate_ppm = 100.0});
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(-2)}).has_value());
  source_->Advance(Secs(10));  // 100 ppm × 10 s = 1 ms
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(-1)), 1);
  source_->Advance(Secs(30));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(-2)), 1);
}

TEST_F(VirtualClockTest, NewSlewReplacesTheRemainder) {
  VirtualClock& clock = Make({});
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(10)}).has_value());
  source_->Advance(Secs(2));  // 1 ms done, 9 ms left
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(-1)}).has_value());
  EXPECT_LE(Diff(clock.SlewRemaining(), Ms(-1)), 1);
  source_->Advance(Secs(100));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(0)), 2);
}

TEST_F(VirtualClockTest, StepCancelsAPendingSlew) {
  VirtualClock& clock = Make({});
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(10)}).has_value());
  source_->Advance(Secs(4));  // 2 ms done
  ASSERT_TRUE(clock.Apply(core::discipline::StepClock{Secs(1)}).has_value());
  EXPECT_EQ(clock.SlewRemaining(), NtpDuration::Zero());
  source_->Advance(Secs(100));
  EXPECT_LE(Diff(clock.TrueOffset(), Secs(1.002)), 1);
}

TEST_F(VirtualClockTest, FrequencyCorrectionIsClamped) {
  VirtualClock& clock = Make({.freq_error_ppm = -20.0});
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{800.0}).has_value());
  EXPECT_EQ(clock.FrequencyPpm(), 500.0);
  source_->Advance(Secs(100));  // (500 - 20) ppm × 100 s = 48 ms
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(48)), 1);
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{-900.0}).has_value());
  EXPECT_EQ(clock.FrequencyPpm(), -500.0);
  source_->Advance(Secs(100));  // -520 ppm × 100 s = -52 ms
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(-4)), 1);
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{20.0}).has_value());  // cancels the error
  source_->Advance(Secs(1000));
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(-4)), 1);
}

TEST_F(VirtualClockTest, FromKernelRealtimeMapsThroughTheMonotonicLine) {
  VirtualClock& clock = Make({.initial_offset = Ms(300), .freq_error_ppm = 100.0});
  source_->Advance(Secs(50));
  const UnixTime real_now = source_->Realtime();
  // Now itself maps to Now.
  EXPECT_EQ(clock.FromKernelRealtime(real_now), clock.Now());
  // A stamp 1 s old lies 1 s × (1 + 100e-6) back on the virtual time line.
  const UnixTime mapped = clock.FromKernelRealtime(real_now - Secs(1));
  EXPECT_LE(Diff(clock.Now() - mapped, Secs(1.0001)), 1);
  // A step of the kernel clock moves neither the virtual clock nor a stamp's place on it.
  const UnixTime before = clock.Now();
  source_->StepRealtime(Secs(5));
  EXPECT_EQ(clock.Now(), before);
  EXPECT_EQ(clock.FromKernelRealtime(real_now + Secs(5) - Secs(1)), mapped);
  EXPECT_LE(Diff(clock.TrueOffset(), Ms(305) - Secs(5)), 1);
}

TEST_F(VirtualClockTest, FromKernelRealtimeSeesSlewProgressOnlyAfterTheSlewStarted) {
  VirtualClock& clock = Make({});
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(1)}).has_value());
  source_->Advance(Secs(1));
  const UnixTime real_now = source_->Realtime();
  // 2 s ago the slew had not begun: the stamp maps without slew progress.
  EXPECT_EQ(clock.FromKernelRealtime(real_now - Secs(2)), real_now - Secs(2));
  EXPECT_LE(Diff(clock.FromKernelRealtime(real_now) - real_now, Ms(0.5)), 1);
}

// A worker thread evaluates the clock from its LinearForm alone (engine::LineAt): equal, to a
// unit, to what the clock says, hours later at a steady rate, and during a slew until it ends
// (holds_for), after which the owner publishes a new form.
TEST_F(VirtualClockTest, LinearFormGivesTheClockUntilItsRateChanges) {
  VirtualClock& clock = Make({.initial_offset = Ms(300), .freq_error_ppm = 73.5});
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{-120.25}).has_value());
  source_->Advance(Secs(20));
  std::optional<engine::Clock::Line> line = clock.LinearForm();
  ASSERT_TRUE(line.has_value());
  EXPECT_FALSE(line->kernel);
  EXPECT_EQ(line->holds_for, NtpDuration::Max());
  for (double later_s : {0.0, 0.001, 1.0, 64.0, 7200.0}) {
    source_->Advance(Secs(later_s));
    EXPECT_LE(Diff(engine::LineAt(*line, clock.Mono(), source_->Realtime()) - clock.Now(), NtpDuration()), 1)
        << later_s << " s later";
  }
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(-2)}).has_value());  // 4 s at 500 ppm
  source_->Advance(Secs(1));
  line = clock.LinearForm();
  EXPECT_LE(Diff(line->holds_for, Secs(3)), 4295);  // the end is computed in double: within 1 µs
  source_->Advance(Secs(2.5));
  EXPECT_LE(Diff(engine::LineAt(*line, clock.Mono(), source_->Realtime()) - clock.Now(), NtpDuration()), 2);
  // Past the slew's end the rate changed: the old form is half a millisecond off 1 s later.
  source_->Advance(Secs(1.5));
  EXPECT_GT(Diff(engine::LineAt(*line, clock.Mono(), source_->Realtime()) - clock.Now(), NtpDuration()), 1000);
  line = clock.LinearForm();
  EXPECT_EQ(line->holds_for, NtpDuration::Max());
  EXPECT_LE(Diff(engine::LineAt(*line, clock.Mono(), source_->Realtime()) - clock.Now(), NtpDuration()), 1);
}

// A batch maps its receive stamps from one reading (ReadBatch) without reading the clocks again:
// to within a unit of what FromKernelRealtime gives, at any frequency, during a slew, across its
// end and its start, after a step, and for stamps older than a second.
TEST_F(VirtualClockTest, MapKernelRealtimeFromOneReadingMatchesFromKernelRealtime) {
  VirtualClock& clock = Make({.initial_offset = Ms(300), .freq_error_ppm = 73.5});
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{-120.25}).has_value());
  int checked = 0;
  const auto check_at_now = [&](const char* when) {
    const engine::Clock::BatchReading at = clock.ReadBatch();
    EXPECT_EQ(at.now.local, clock.Now()) << when;
    EXPECT_EQ(at.kernel, source_->Realtime()) << when;
    for (double age_ms : {0.0, 0.001, 0.25, 3.0, 40.0, 999.0, 1500.0, 30000.0, -0.5}) {
      const UnixTime stamp = at.kernel - Ms(age_ms);
      EXPECT_LE(Diff(clock.MapKernelRealtime(stamp, at) - clock.FromKernelRealtime(stamp), NtpDuration()), 1)
          << when << ", age " << age_ms << " ms";
      ++checked;
    }
  };
  source_->Advance(Secs(20));
  check_at_now("steady");
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{Ms(-2)}).has_value());  // 4 s at 500 ppm
  source_->Advance(Ms(300));
  check_at_now("0.3 s into a slew");
  source_->Advance(Secs(2));
  check_at_now("in a slew");
  source_->Advance(Ms(1700) + Ms(0.2));
  check_at_now("0.2 ms after the slew's end");
  source_->Advance(Secs(3));
  ASSERT_TRUE(clock.Apply(core::discipline::StepClock{Ms(15)}).has_value());
  source_->Advance(Ms(2));
  check_at_now("2 ms after a step");
  EXPECT_EQ(checked, 45);
}

TEST_F(VirtualClockTest, SyncStatusIsRecorded) {
  VirtualClock& clock = Make({});
  EXPECT_FALSE(clock.sync_status().synchronized);
  const core::discipline::SetSyncStatus status{.synchronized = true,
                                               .leap = core::Leap::kInsertSecond,
                                               .max_error = Ms(12),
                                               .est_error = Ms(1)};
  ASSERT_TRUE(clock.Apply(status).has_value());
  EXPECT_TRUE(clock.sync_status().synchronized);
  EXPECT_EQ(clock.sync_status().leap, core::Leap::kInsertSecond);
  EXPECT_EQ(clock.sync_status().max_error, Ms(12));
  EXPECT_EQ(clock.TrueOffset(), NtpDuration::Zero());
}

}  // namespace
}  // namespace tempus::clock
