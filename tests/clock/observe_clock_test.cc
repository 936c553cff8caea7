// ObserveClock: the kernel clock plus a software correction that the discipline steers; the
// kernel clock itself (the time source) never moves for it.
#include "clock/observe_clock.h"

#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "clock/time_source.h"
#include "core/discipline/discipline.h"

namespace tempus::clock {
namespace {

using core::MonoTime;
using core::NtpDuration;
using core::UnixTime;

const UnixTime kStartReal = UnixTime::FromParts(1800000000, 0);
const MonoTime kStartMono = MonoTime::FromNanos(5000);

TEST(ObserveClock, SteersItsCorrectionNeverTheKernelClock) {
  auto kernel = std::make_shared<ManualTimeSource>(kStartReal, kStartMono);
  ObserveClock clock(kernel);
  EXPECT_EQ(clock.Kind(), "observe");
  EXPECT_EQ(clock.Now(), kStartReal);
  EXPECT_EQ(clock.SystemClockOffset(), NtpDuration::Zero());
  ASSERT_TRUE(clock.Apply(core::discipline::StepClock{NtpDuration::FromSeconds(3)}).has_value());
  ASSERT_TRUE(clock.Apply(core::discipline::SetFrequency{12.5}).has_value());
  ASSERT_TRUE(clock
                  .Apply(core::discipline::SetSyncStatus{
                      .synchronized = true, .leap = core::Leap::kNoWarning, .max_error = {}, .est_error = {}})
                  .has_value());
  EXPECT_EQ(kernel->Realtime(), kStartReal);  // the kernel clock did not move
  EXPECT_EQ(clock.Now(), kStartReal + NtpDuration::FromSeconds(3));
  EXPECT_EQ(clock.SystemClockOffset(), NtpDuration::FromSeconds(3));  // the system clock is 3 s behind
  EXPECT_EQ(clock.FrequencyPpm(), 12.5);
  EXPECT_TRUE(clock.sync_status().synchronized);
  kernel->Advance(NtpDuration::FromSeconds(100));  // the correction runs 12.5 ppm fast: +1.25 ms
  EXPECT_NEAR(clock.SystemClockOffset()->Seconds(), 3.00125, 1e-9);
  // A kernel receive stamp 2 ms old maps onto the corrected time scale (2 ms at +12.5 ppm).
  const UnixTime stamp = kernel->Realtime() - NtpDuration::FromMillis(2);
  EXPECT_NEAR((clock.FromKernelRealtime(stamp) - clock.Now()).Seconds(), -0.002 * (1 + 12.5e-6), 1e-9);
  // Someone else steps the kernel clock: the time served does not jump; the report shows it.
  const UnixTime served = clock.Now();
  kernel->StepRealtime(NtpDuration::FromSeconds(-7));
  EXPECT_EQ(clock.Now(), served);
  EXPECT_NEAR(clock.SystemClockOffset()->Seconds(), 10.00125, 1e-9);
}

// The discipline closes its loop on the observe clock: a system clock 25 ppm fast and 3 ms ahead,
// measured every 16 s against true time. The frequency correction settles at -25 ppm (never at
// the ±500 ppm limit, as when the corrections were recorded and not made) and the time served is
// true to microseconds.
TEST(ObserveClock, DisciplineMeasuresTheSystemClockAndServesCorrectedTime) {
  constexpr double kKernelFastPpm = 25.0;
  const NtpDuration kKernelAhead = NtpDuration::FromMillis(3);
  auto kernel = std::make_shared<ManualTimeSource>(kStartReal + kKernelAhead, kStartMono);
  ObserveClock clock(kernel);
  core::discipline::Discipline discipline;
  UnixTime truth = kStartReal;
  double worst_ppm = 0.0;
  for (int update = 0; update < 200; ++update) {
    // One second at a time. The oscillator is fast: the kernel's CLOCK_REALTIME and
    // CLOCK_MONOTONIC both count 1.000025 s per second (Linux runs them at one rate).
    for (int s = 0; s < 16; ++s) {
      kernel->Advance(NtpDuration::FromSeconds(1.0 + kKernelFastPpm * 1e-6));
      truth = truth + NtpDuration::FromWholeSeconds(1);
      // The end of each phase correction, as core::Node times it (here to the next second).
      if (const auto end = discipline.CorrectionEnd(); end && *end <= clock.Mono()) {
        for (const core::discipline::ClockCommand& c : discipline.EndCorrection(clock.Mono()))
          ASSERT_TRUE(clock.Apply(c).has_value());
      }
    }
    const MonoTime now = clock.Mono();
    const core::discipline::DisciplineInput input{.offset = truth - clock.Now(),  // positive: clock behind
                                                  .delay = NtpDuration::FromMicros(100),
                                                  .jitter = NtpDuration::FromMicros(1),
                                                  .when = now,
                                                  .now = now,
                                                  .source = 1};
    const core::discipline::DisciplineUpdate u = discipline.Update(input);
    for (const core::discipline::ClockCommand& c : u.commands) ASSERT_TRUE(clock.Apply(c).has_value());
    worst_ppm = std::max(worst_ppm, std::fabs(u.state.frequency_ppm));
  }
  EXPECT_NEAR(discipline.state().frequency_ppm, -kKernelFastPpm, 0.01);
  EXPECT_NEAR(clock.FrequencyPpm(), -kKernelFastPpm, 0.01);
  EXPECT_LT(worst_ppm, 100.0);
  EXPECT_LT(std::fabs((clock.Now() - truth).Seconds()), 2e-6);
  // What observe reports: the system clock is 3 ms + 25 ppm × 3200 s = 83 ms ahead of the truth.
  ASSERT_TRUE(clock.SystemClockOffset().has_value());
  EXPECT_NEAR(clock.SystemClockOffset()->Seconds(), -(0.003 + 25e-6 * 3200), 2e-6);
}

}  // namespace
}  // namespace tempus::clock
