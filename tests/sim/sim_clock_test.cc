// SimClock and EventQueue: the simulator's time keeping.
#include "sim/sim_clock.h"

#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "sim/event_queue.h"

namespace tempus::sim {
namespace {

const core::UnixTime kEpoch = core::UnixTime::FromParts(1798761600, 0);

SimTime At(double s) { return core::NtpDuration::FromSeconds(s); }

TEST(EventQueue, OrdersByTimeThenPushOrder) {
  EventQueue q;
  for (int i = 0; i < 6; ++i) {
    Event e;
    e.at = At(i % 2 == 0 ? 5.0 : 1.0);
    e.node = static_cast<uint32_t>(i);
    q.Push(e);
  }
  std::vector<uint32_t> order;
  while (!q.empty()) order.push_back(q.Pop().node);
  EXPECT_EQ(order, (std::vector<uint32_t>{1, 3, 5, 0, 2, 4}));
}

TEST(SimClock, OffsetAndFrequencyError) {
  SimTime now;
  SimClock clock({.offset_s = 0.1, .freq_ppm = 100}, now, kEpoch, 1);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 0.1, 1e-12);
  now = At(1000);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 0.2, 1e-9);
  EXPECT_NEAR((clock.Now() - (kEpoch + now)).Seconds(), 0.2, 1e-9);
  EXPECT_EQ(clock.Mono().since_origin(), now);
}

TEST(SimClock, SlewAtBoundedRateAndNewSlewReplacesRemainder) {
  SimTime now;
  SimClock clock({}, now, kEpoch, 1);
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{core::NtpDuration::FromSeconds(1e-3)}));
  now = At(1.0);  // 500 ppm: half done
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 0.5e-3, 1e-12);
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{core::NtpDuration::FromSeconds(-0.2e-3)}));
  now = At(10.0);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 0.3e-3, 1e-9);  // commands come in 2^-32 s units
}

TEST(SimClock, StepCancelsSlew) {
  SimTime now;
  SimClock clock({}, now, kEpoch, 1);
  ASSERT_TRUE(clock.Apply(core::discipline::SlewClock{core::NtpDuration::FromSeconds(1e-3)}));
  now = At(1.0);
  ASSERT_TRUE(clock.Apply(core::discipline::StepClock{core::NtpDuration::FromSeconds(0.25)}));
  now = At(10.0);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 0.25 + 0.5e-3, 1e-12);
}

TEST(SimClock, FrequencyCorrectionIsClamped) {
  SimTime now;
  SimClock clock({.freq_ppm = 100}, now, kEpoch, 1);
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{-100}));
  now = At(100);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 0.0, 1e-12);
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{-2000}));
  EXPECT_EQ(clock.FrequencyPpm(), -500);
  now = At(200);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), -400e-6 * 100, 1e-9);
}

TEST(SimClock, PerfectClockIgnoresSteeringButNotInjectedSteps) {
  SimTime now;
  SimClock clock({.perfect = true, .offset_s = 1.0, .freq_ppm = 50, .wander_ppb = 10}, now, kEpoch, 1);
  ASSERT_TRUE(clock.Apply(core::discipline::StepClock{core::NtpDuration::FromSeconds(-1.0)}));
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{100}));
  now = At(5000);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 1.0, 1e-12);
  clock.InjectStep(0.5);
  EXPECT_NEAR(static_cast<double>(clock.TrueOffset()), 1.5, 1e-12);
}

TEST(SimClock, KernelStampMapsToTheReadingAtThatTrueTime) {
  SimTime now = At(300);
  SimClock clock({.offset_s = -0.02, .freq_ppm = 10}, now, kEpoch, 1);
  const core::UnixTime reading = clock.Now();
  EXPECT_EQ(clock.FromKernelRealtime(kEpoch + now), reading);
}

// A frequency random walk of q (s/s)/√s gives a phase spread of q·T^1.5/√3 after T.
TEST(SimClock, WanderHasTheRandomWalkSpread) {
  constexpr int kClocks = 400;
  constexpr double kT = 10000, kQ = 1e-9;
  SimTime now;
  std::vector<std::unique_ptr<SimClock>> clocks;
  for (int i = 0; i < kClocks; ++i) {
    clocks.push_back(std::make_unique<SimClock>(SimClockOptions{.wander_ppb = 1}, now, kEpoch, 1000 + i));
  }
  now = At(kT);
  double sum_sq = 0;
  for (auto& c : clocks) sum_sq += std::pow(static_cast<double>(c->TrueOffset()), 2);
  const double expected = kQ * std::pow(kT, 1.5) / std::sqrt(3.0);
  EXPECT_NEAR(std::sqrt(sum_sq / kClocks), expected, 0.15 * expected);
}

TEST(SimClock, SameSeedSameWander) {
  SimTime now;
  SimClock a({.wander_ppb = 1}, now, kEpoch, 7), b({.wander_ppb = 1}, now, kEpoch, 7),
      c({.wander_ppb = 1}, now, kEpoch, 8);
  now = At(3000);
  EXPECT_EQ(a.Now(), b.Now());
  EXPECT_NE(a.Now(), c.Now());
}

}  // namespace
}  // namespace tempus::sim
