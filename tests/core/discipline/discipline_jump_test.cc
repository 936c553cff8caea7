// The discipline's rules for offsets beyond the step threshold after start (discipline_jump.cc):
// a jump proven by kJumpSamples samples is stepped once, before stepout; delay spikes and a single
// outlier are not; the frequency never spans a step.
#include <gtest/gtest.h>

#include <cmath>
#include <variant>

#include "core/discipline/discipline.h"

namespace tempus::core::discipline {
namespace {

MonoTime At(double t) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(t)); }

DisciplineInput In(double t, double offset_s, double delay_s = 0.0002, uint32_t source = 0) {
  return {
      NtpDuration::FromSeconds(offset_s), NtpDuration::FromSeconds(delay_s), NtpDuration::Zero(), At(t), At(t), source};
}

template <typename T>
const T* Find(const DisciplineUpdate& u) {
  for (const ClockCommand& c : u.commands) {
    if (const T* p = std::get_if<T>(&c)) return p;
  }
  return nullptr;
}

// A discipline past its first updates, locked at 16 s polls on a clock that is right.
Discipline Locked(double& t) {
  Discipline d;
  for (t = 0.0; t < 16 * 20.0; t += 16.0) (void)d.Update(In(t, 0.0));
  return d;
}

TEST(DisciplineJump, AJumpProvenByThreeSamplesIsSteppedOnceBeforeStepout) {
  double t = 0;
  Discipline d = Locked(t);
  const double ppm = d.state().frequency_ppm;
  EXPECT_EQ(d.Update(In(t, -0.5, 0.0003)).kind, UpdateKind::kHeld);
  EXPECT_TRUE(d.state().holding);  // the sources are polled fast meanwhile
  EXPECT_EQ(d.Update(In(t + 16, -0.5001, 0.0002)).kind, UpdateKind::kHeld);
  const DisciplineUpdate u = d.Update(In(t + 32, -0.5002, 0.0004));
  ASSERT_EQ(u.kind, UpdateKind::kStepped);
  ASSERT_NE(Find<StepClock>(u), nullptr);
  EXPECT_NEAR(Find<StepClock>(u)->offset.Seconds(), -0.5001, 1e-9);  // the quickest exchange's
  EXPECT_EQ(Find<SetFrequency>(u), nullptr);
  ASSERT_TRUE(d.jump_since().has_value());
  EXPECT_EQ(*d.jump_since(), At(t));
  EXPECT_FALSE(u.state.holding);
  // The history before the jump still holds: the next samples slew, the frequency stays put.
  const DisciplineUpdate next = d.Update(In(t + 48, 0.0));
  EXPECT_EQ(next.kind, UpdateKind::kSlewed);
  EXPECT_NEAR(d.state().frequency_ppm, ppm, 0.1);
}

TEST(DisciplineJump, SamplesOfOtherSourcesCountAsEvidence) {
  double t = 0;
  Discipline d = Locked(t);
  d.AddSample(In(t, 0.3, 0.0002, 2));
  d.AddSample(In(t + 1, 0.3, 0.0002, 3));
  const DisciplineUpdate u = d.Update(In(t + 2, 0.3, 0.0002, 0));
  EXPECT_EQ(u.kind, UpdateKind::kStepped);
}

TEST(DisciplineJump, ADelaySpikeNeverSteps) {
  // One way delayed by 1 s for two minutes: θ moves by up to δ/2, which the interval θ ± δ/2
  // explains, so nothing is stepped and the clock is back to slewing after the spike.
  double t = 0;
  Discipline d = Locked(t);
  for (int i = 0; i < 8; ++i, t += 16) {
    const DisciplineUpdate u = d.Update(In(t, -0.5, 1.0002));
    EXPECT_EQ(u.kind, UpdateKind::kHeld) << i;
  }
  EXPECT_EQ(d.Update(In(t, 0.0)).kind, UpdateKind::kSlewed);
  EXPECT_FALSE(d.state().holding);
}

TEST(DisciplineJump, OneOutlierIsNotAJump) {
  double t = 0;
  Discipline d = Locked(t);
  EXPECT_EQ(d.Update(In(t, 0.4)).kind, UpdateKind::kHeld);
  EXPECT_EQ(d.Update(In(t + 16, 0.0)).kind, UpdateKind::kSlewed);
  EXPECT_EQ(d.Update(In(t + 32, 0.4)).kind, UpdateKind::kHeld);  // the evidence started over
  EXPECT_EQ(d.Update(In(t + 48, 0.0)).kind, UpdateKind::kSlewed);
  EXPECT_EQ(d.Update(In(t + 64, 0.4)).kind, UpdateKind::kHeld);
}

TEST(DisciplineJump, OnlySamplesOfTheNewestSignCount) {
  double t = 0;
  Discipline d = Locked(t);
  EXPECT_EQ(d.Update(In(t, 0.4)).kind, UpdateKind::kHeld);
  EXPECT_EQ(d.Update(In(t + 16, -0.4)).kind, UpdateKind::kHeld);
  EXPECT_EQ(d.Update(In(t + 32, 0.4)).kind, UpdateKind::kHeld);
  EXPECT_EQ(d.Update(In(t + 48, 0.4)).kind, UpdateKind::kStepped);
}

TEST(DisciplineJump, AnEarlyStepDoesNotFitSamplesOfAnotherTimeScale) {
  // The first update stepped onto a source 1 s off; the majority appears within the makestep
  // updates and is stepped to at once. Its step must not fit the samples taken before the first
  // step (1 s off now): the frequency would hit its bound.
  Discipline d;
  (void)d.Update(In(0, 1.0, 0.0002, 1));
  (void)d.Update(In(16, 0.0, 0.0002, 1));
  d.AddSample(In(20, -1.0, 0.0002, 2));
  const DisciplineUpdate u = d.Update(In(24, -1.0, 0.0002, 3));
  ASSERT_EQ(u.kind, UpdateKind::kStepped);
  EXPECT_NEAR(Find<StepClock>(u)->offset.Seconds(), -1.0, 1e-6);
  EXPECT_LT(std::fabs(d.state().frequency_ppm), 1.0);
}

TEST(DisciplineJump, AForgottenSourceLeavesTheHistory) {
  // Source 1's samples drift by 100 ppm; once forgotten, they do not tilt source 2's fit.
  Discipline d;
  for (int i = 0; i < 4; ++i) d.AddSample(In(i * 16.0, 100e-6 * i * 16.0, 0.0002, 1));
  d.ForgetSource(1);
  (void)d.Update(In(64, 0.0, 0.0002, 2));
  EXPECT_NEAR(d.state().frequency_ppm, 0.0, 1e-9);
  EXPECT_FALSE(d.state().frequency_known);
}

}  // namespace
}  // namespace tempus::core::discipline
