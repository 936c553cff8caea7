#include "core/assoc/poll_advisor.h"

#include <gtest/gtest.h>

namespace tempus::core::assoc {
namespace {

using Advice = PollAdvisor::Advice;
const NtpDuration kDelay = NtpDuration::FromMillis(10);

TEST(PollAdvisor, FirstSampleHasNothingToCompare) {
  PollAdvisor a;
  EXPECT_EQ(a.AddSample(NtpDuration::FromSeconds(5), kDelay, true), Advice::kKeep);
  EXPECT_EQ(a.counter(), 0);
}

TEST(PollAdvisor, SteadySamplesAdviseUpAfterTheLimit) {
  PollAdvisor a;
  a.AddSample(NtpDuration::FromMillis(1), kDelay, true);
  for (int i = 1; i < PollAdvisor::kLimit; ++i) {
    EXPECT_EQ(a.AddSample(NtpDuration::FromMillis(1 + i), kDelay, true), Advice::kKeep) << i;
  }
  EXPECT_EQ(a.AddSample(NtpDuration::FromMillis(1), kDelay, true), Advice::kUp);
  EXPECT_EQ(a.counter(), 0);
}

TEST(PollAdvisor, JumpsBeyondTheGateAdviseDownAfterTwo) {
  PollAdvisor a;
  a.AddSample(NtpDuration::Zero(), kDelay, true);
  a.AddSample(NtpDuration::Zero(), kDelay, false);  // jitter 0: the gate is the delay, 10 ms
  EXPECT_EQ(a.AddSample(NtpDuration::FromMillis(50), kDelay, true), Advice::kKeep);
  EXPECT_EQ(a.counter(), -2);
  EXPECT_NEAR(a.jitter_s(), 0.025, 1e-9);  // sqrt(0.05² / 4)
  EXPECT_EQ(a.AddSample(NtpDuration::FromMillis(300), kDelay, true), Advice::kDown);
}

TEST(PollAdvisor, NonVotingSamplesOnlyUpdateTheJitter) {
  PollAdvisor a;
  a.AddSample(NtpDuration::Zero(), kDelay, false);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a.AddSample(NtpDuration::FromMillis(i % 2 ? 40 : 0), kDelay, false), Advice::kKeep);
  }
  EXPECT_EQ(a.counter(), 0);
  EXPECT_GT(a.jitter_s(), 0.02);
}

TEST(PollAdvisor, SteadyNoiseWithinItsJitterIsConsistent) {
  PollAdvisor a;
  int downs = 0;
  for (int i = 0; i < 40; ++i)
    downs += a.AddSample(NtpDuration::FromMillis(i % 2 ? 30 : 0), kDelay, true) == Advice::kDown;
  EXPECT_LE(downs, 1);  // only the first jump, before the jitter is known, can count against it
}

TEST(PollAdvisor, RestartForgetsThePreviousOffset) {
  PollAdvisor a;
  a.AddSample(NtpDuration::Zero(), kDelay, true);
  a.Restart();
  EXPECT_EQ(a.AddSample(NtpDuration::FromSeconds(100), kDelay, true), Advice::kKeep);
  EXPECT_EQ(a.counter(), 0);
}

}  // namespace
}  // namespace tempus::core::assoc
