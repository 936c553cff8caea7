// The poll process of an Association (RFC 5905 §13): iburst and burst timing, the reach register,
// unreachability, poll growth, shrink and backoff, the system's poll advice, poll jitter.
#include "core/assoc/association.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/core/assoc/assoc_harness.h"

namespace tempus::core::assoc {
namespace {

using testing::Bench;
using testing::FakeRandom;
using testing::SecondsBetween;
using testing::TestConfig;

TEST(AssocPoll, FirstTimerCallSendsAtOnce) {
  Bench b(TestConfig());
  EXPECT_FALSE(b.assoc().next_poll().has_value());
  ASSERT_EQ(b.Fire().size(), 1u);
  EXPECT_EQ(b.send_times[0], b.now());
  ASSERT_TRUE(b.timer().has_value());
  // The timer first wakes at the reply deadline, then at the next poll.
  EXPECT_EQ(*b.timer(), b.now() + Association::kReplyTimeout);
  EXPECT_GT(*b.assoc().next_poll(), *b.timer());
}

TEST(AssocPoll, EarlyTimerOnlyRearms) {
  Bench b(TestConfig());
  b.Fire();
  const MonoTime deadline = *b.timer();
  b.Apply(b.assoc().OnTimer(deadline - NtpDuration::FromWholeSeconds(1), b.local_now()));
  EXPECT_EQ(b.sent.size(), 1u);
  EXPECT_EQ(*b.timer(), deadline);
}

TEST(AssocPoll, IburstSendsEightRequestsTwoSecondsApartThenPollsNormally) {
  Bench b(TestConfig(/*iburst=*/true));
  for (int i = 0; i < 8; ++i) b.Poll(/*answer=*/true);
  ASSERT_EQ(b.sent.size(), 8u);
  for (int i = 1; i < 8; ++i) EXPECT_DOUBLE_EQ(SecondsBetween(b.send_times[i - 1], b.send_times[i]), 2.0) << i;
  EXPECT_EQ(b.measurements.size(), 8u);
  EXPECT_EQ(b.reachable_events, 1);
  EXPECT_FALSE(b.assoc().Snapshot().in_burst);
  // A burst is one poll for the reach register.
  EXPECT_EQ(b.assoc().reach(), 0x01);

  b.Poll(true);  // the first normal poll: 64 s (plus jitter) after the last burst request
  ASSERT_EQ(b.sent.size(), 9u);
  const double gap = SecondsBetween(b.send_times[7], b.send_times[8]);
  EXPECT_GE(gap, 64.0);
  EXPECT_LE(gap, 72.0);
  EXPECT_EQ(b.assoc().reach(), 0x03);
  // No burst when reachable without `burst`: the next poll is again one request.
  b.Poll(true);
  EXPECT_GE(SecondsBetween(b.send_times[8], b.send_times[9]), 64.0);
}

TEST(AssocPoll, WithoutIburstEachPollIsOneRequest) {
  Bench b(TestConfig());
  b.Poll(false);
  b.Poll(false);
  ASSERT_EQ(b.sent.size(), 2u);
  EXPECT_GE(SecondsBetween(b.send_times[0], b.send_times[1]), 64.0);
}

TEST(AssocPoll, BurstSendsEightRequestsAtEveryReachablePoll) {
  AssociationConfig c = TestConfig();
  c.burst = true;
  Bench b(c);
  b.Poll(true);  // unreachable at the start and no iburst: a single request
  EXPECT_EQ(b.sent.size(), 1u);
  b.PollWholeBurst(true);
  EXPECT_EQ(b.sent.size(), 9u);
  b.PollWholeBurst(true);
  EXPECT_EQ(b.sent.size(), 17u);
  EXPECT_DOUBLE_EQ(SecondsBetween(b.send_times[15], b.send_times[16]), 2.0);
  EXPECT_EQ(b.assoc().reach(), 0x07);
}

TEST(AssocPoll, ReachRegisterRecordsTheLastEightPolls) {
  Bench b(TestConfig());
  const bool pattern[] = {true, false, true, true, false, false, true, false, true, true};
  uint32_t expected = 0;
  for (bool answer : pattern) {
    b.Poll(answer);
    expected = ((expected << 1) | (answer ? 1 : 0)) & 0xff;
    EXPECT_EQ(b.assoc().reach(), expected);
  }
  EXPECT_EQ(b.reachable_events, 1);
  EXPECT_EQ(b.unreachable_events, 0);
  EXPECT_EQ(b.assoc().Snapshot().missed_polls, 0);
}

TEST(AssocPoll, QuietAfterTwoUnansweredRequestsNotOne) {
  Bench b(TestConfig());
  for (int i = 0; i < 3; ++i) b.Poll(true);
  EXPECT_FALSE(b.assoc().quiet());
  b.Poll(false);  // one lost request: a lost packet, not a lost server
  EXPECT_FALSE(b.assoc().quiet());
  b.Poll(true);  // answered again
  b.Poll(false);
  EXPECT_FALSE(b.assoc().quiet());
  // The second unanswered request in a row: quiet once its reply deadline passed, long before
  // the next poll (and the reach register still shows the source as reachable).
  const auto sent = b.Fire();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(b.assoc().quiet());
  const MonoTime deadline = b.now() + Association::kReplyTimeout;
  ASSERT_EQ(b.timer(), deadline);
  b.Apply(b.assoc().OnTimer(deadline, b.local_now()));
  EXPECT_TRUE(b.assoc().quiet());
  EXPECT_NE(b.assoc().reach(), 0);
  EXPECT_EQ(b.timer(), b.assoc().next_poll());
  // Any answer ends it.
  b.Poll(true);
  EXPECT_FALSE(b.assoc().quiet());
}

TEST(AssocPoll, StartupPollsAQuarterOfMinpollOnlyWhileReachable) {
  Bench b(TestConfig());  // minpoll 6
  b.Apply(b.assoc().SetStartup(true, b.now()));
  b.Poll(false);  // not reachable yet: no faster polling toward a silent server
  b.Poll(false);
  EXPECT_GE(SecondsBetween(b.send_times[0], b.send_times[1]), 64.0);
  b.Poll(true);
  EXPECT_EQ(b.assoc().hpoll().log2(), 4);
  b.Poll(true);
  const double gap = SecondsBetween(b.send_times[2], b.send_times[3]);
  EXPECT_GE(gap, 16.0);
  EXPECT_LE(gap, 18.0);
  // Settled: back to minpoll.
  b.Apply(b.assoc().SetStartup(false, b.now()));
  EXPECT_EQ(b.assoc().hpoll().log2(), 6);
  b.Poll(true);
  EXPECT_GE(SecondsBetween(b.send_times[3], b.send_times[4]), 64.0);
}

TEST(AssocPoll, UnreachableAfterEightSilentPollsThenIburstAgain) {
  Bench b(TestConfig(/*iburst=*/true));
  b.PollWholeBurst(true);
  for (int i = 0; i < 7; ++i) b.Poll(true);
  EXPECT_EQ(b.assoc().reach(), 0xff);
  const size_t before = b.sent.size();

  for (int i = 0; i < 7; ++i) {
    b.Poll(false);
    EXPECT_EQ(b.unreachable_events, 0) << i;
    EXPECT_EQ(b.assoc().Snapshot().missed_polls, i) << i;  // counted when the next poll starts
  }
  EXPECT_EQ(b.assoc().reach(), 0x80);
  EXPECT_EQ(b.sent.size(), before + 7);  // single requests while reachable

  b.Poll(false);  // the eighth silent poll empties the register and starts a burst
  EXPECT_EQ(b.unreachable_events, 1);
  EXPECT_EQ(b.assoc().reach(), 0);
  EXPECT_FALSE(b.assoc().Snapshot().reachable);
  EXPECT_TRUE(b.assoc().Snapshot().in_burst);
  for (int i = 0; i < 7; ++i) b.Poll(false);
  ASSERT_EQ(b.sent.size(), before + 15);
  for (size_t i = before + 8; i < b.sent.size(); ++i) {
    EXPECT_DOUBLE_EQ(SecondsBetween(b.send_times[i - 1], b.send_times[i]), 2.0) << i;
  }
  // The server comes back during the next burst: reachable again, once.
  b.Poll(true);
  EXPECT_EQ(b.reachable_events, 2);
  EXPECT_EQ(b.assoc().reach(), 0x01);
}

TEST(AssocPoll, BacksOffTowardMaxpollWhileUnreachableAndResetsOnReply) {
  // Ten silent polls at minpoll first (ntpd's NTP_UNREACH): a server that comes up a minute or
  // two late is still polled at 64 s when it does.
  Bench b(TestConfig());
  std::vector<int> polls;
  for (int i = 0; i < 16; ++i) {
    b.Poll(false);
    polls.push_back(b.assoc().hpoll().log2());
  }
  EXPECT_EQ(polls, (std::vector<int>{6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 10, 10, 10}));
  for (size_t i = 1; i < b.send_times.size(); ++i) {
    const double interval = double(int64_t{1} << polls[i - 1]);
    const double gap = SecondsBetween(b.send_times[i - 1], b.send_times[i]);
    EXPECT_GE(gap, interval) << i;
    EXPECT_LE(gap, interval * 1.125) << i;
  }
  b.Poll(true);
  EXPECT_EQ(b.reachable_events, 1);
  EXPECT_EQ(b.assoc().hpoll().log2(), 6);
  ASSERT_FALSE(b.poll_changes.empty());
  EXPECT_EQ(b.poll_changes.back().new_poll.log2(), 6);
  // The pending poll moved to 64 s after the last request, not 1024 s.
  EXPECT_LT(SecondsBetween(b.send_times.back(), *b.timer()), 72.0);
}

TEST(AssocPoll, GrowsWhileSamplesAreSteadyAndStopsAtMaxpoll) {
  AssociationConfig c = TestConfig();
  c.minpoll = PollExp(4);
  c.maxpoll = PollExp(7);
  Bench b(c);
  int last = 4;
  std::vector<int> seen;
  for (int i = 0; i < 30; ++i) {
    b.Poll(true);
    const int p = b.assoc().hpoll().log2();
    EXPECT_GE(p, last);  // steady samples never shrink the poll
    EXPECT_LE(p, 7);
    last = p;
    seen.push_back(p);
  }
  EXPECT_EQ(last, 7);
  // One step per kLimit consistent votes. The first sample has nothing to compare with, and the
  // poll that casts the deciding vote already reports the new exponent.
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 4), PollAdvisor::kLimit);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 5), PollAdvisor::kLimit);
}

TEST(AssocPoll, ShrinksTowardMinpollWhenOffsetsJump) {
  AssociationConfig c = TestConfig();
  c.minpoll = PollExp(4);
  c.maxpoll = PollExp(8);
  Bench b(c);
  for (int i = 0; i < 40 && b.assoc().hpoll().log2() < 8; ++i) b.Poll(true);
  ASSERT_EQ(b.assoc().hpoll().log2(), 8);
  // The offset now jumps by 4× more each poll (50 ms, 150 ms, 600 ms, ...) with a 10 ms round
  // trip: each jump is beyond 4× the jitter so far, so every vote is inconsistent.
  int last = 8;
  int64_t extra_ms = 50;
  for (int i = 0; i < 8; ++i, extra_ms *= 4) {
    for (const SendRequest& r : b.Fire()) b.Deliver(b.Reply(r, NtpDuration::FromMillis(extra_ms)));
    const int p = b.assoc().hpoll().log2();
    EXPECT_LE(p, last);
    EXPECT_GE(p, 4);
    last = p;
  }
  EXPECT_EQ(last, 4);
}

TEST(AssocPoll, SystemPollLimitsHpollWithinTheRange) {
  Bench b(TestConfig());
  for (int i = 0; i < 20 && b.assoc().hpoll().log2() < 8; ++i) b.Poll(true);
  ASSERT_EQ(b.assoc().hpoll().log2(), 8);
  const MonoTime before = *b.timer();

  b.Apply(b.assoc().SetSystemPoll(PollExp(7), b.now()));
  EXPECT_EQ(b.assoc().hpoll().log2(), 7);
  EXPECT_EQ(b.poll_changes.back().old_poll.log2(), 8);
  EXPECT_LT(*b.timer(), before);  // the pending poll moved earlier
  EXPECT_GE(SecondsBetween(b.send_times.back(), *b.timer()), 128.0);

  b.Apply(b.assoc().SetSystemPoll(PollExp(3), b.now()));
  EXPECT_EQ(b.assoc().hpoll().log2(), 6);  // clamped to minpoll
  b.Apply(b.assoc().SetSystemPoll(PollExp(17), b.now()));
  EXPECT_EQ(b.assoc().hpoll().log2(), 8);  // the source's own advice is the limit again
  b.Poll(true);
  EXPECT_EQ(b.sent.back().bytes[2], 8);  // the request's poll field is hpoll
}

TEST(AssocPoll, JitterIsBoundedAndSpreadsPolls) {
  SeededRandom random(42);
  AssociationConfig c = TestConfig();
  c.maxpoll = PollExp(6);
  Bench b(c, &random);
  for (int i = 0; i < 200; ++i) b.Poll(i == 0);
  double lo = 1e9, hi = 0;
  for (size_t i = 1; i < b.send_times.size(); ++i) {
    const double gap = SecondsBetween(b.send_times[i - 1], b.send_times[i]);
    lo = std::min(lo, gap);
    hi = std::max(hi, gap);
  }
  EXPECT_GE(lo, 64.0);
  EXPECT_LE(hi, 64.0 * (1 + Association::kPollJitterFraction));
  EXPECT_GT(hi - lo, 6.0);  // the jitter is really used (200 draws over an 8 s window)
}

TEST(AssocPoll, ExtremeRandomValuesStayInBounds) {
  FakeRandom all_ones(~uint64_t{0}, 0);
  Bench b(TestConfig(), &all_ones);
  b.Poll(false);
  b.Poll(false);
  ASSERT_EQ(b.sent.size(), 2u);
  const double gap = SecondsBetween(b.send_times[0], b.send_times[1]);
  EXPECT_GE(gap, 64.0);
  EXPECT_LE(gap, 72.0);
  EXPECT_NE(b.sent[0].cookie, b.sent[1].cookie);  // a constant Random still gives fresh cookies
  EXPECT_FALSE(b.sent[1].cookie.IsZero());
}

}  // namespace
}  // namespace tempus::core::assoc
