// System: each source's refusal (why it is not used), the system's, and the panic policy.
#include <gtest/gtest.h>

#include "core/system/system.h"
#include "tests/core/system/system_fixture.h"

namespace tempus::core::system {

using discipline::ClockCommand;
using discipline::StepClock;

namespace {

const RefId kSelf = RefId::FromRaw(0x0a000005);  // Config()'s self_id

UnixTime LocalAt(MonoTime t) { return kEpoch + (t - kStart); }

Refusal RefusalOfSource(const System& sys, uint32_t id) {
  for (const SourceView& v : sys.Sources()) {
    if (v.id == id) return v.refusal;
  }
  return Refusal::kNone;
}

const StepClock* FindStep(const std::vector<ClockCommand>& commands) {
  for (const ClockCommand& c : commands) {
    if (const auto* s = std::get_if<StepClock>(&c)) return s;
  }
  return nullptr;
}

// ntpd -g (Debian's and CentOS's default): at start any offset is stepped, once.
TEST(SystemPanic, AtStartAnyOffsetIsSteppedOnce) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  std::vector<ClockCommand> commands;
  FeedReplies(sys, 1, Reply(-2000.0, 1), 1, kStart, &commands);
  ASSERT_NE(FindStep(commands), nullptr);
  EXPECT_NEAR(FindStep(commands)->offset.Seconds(), -2000.0, 1e-6);
  EXPECT_EQ(sys.refusal(), Refusal::kNone);
}

// An explicit `tinker panic N` (allow_panic_at_start off) refuses from the start, and says so.
TEST(SystemPanic, ExplicitPanicLimitRefusesAtStart) {
  SystemConfig c = Config();
  c.discipline.allow_panic_at_start = false;
  System sys(c, kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  std::vector<ClockCommand> commands;
  FeedReplies(sys, 1, Reply(-2000.0, 1), 4, kStart, &commands);
  EXPECT_EQ(FindStep(commands), nullptr);
  EXPECT_FALSE(sys.system_peer());
  EXPECT_FALSE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.refusal(), Refusal::kPanic);
  ASSERT_TRUE(sys.panic_offset());
  EXPECT_NEAR(sys.panic_offset()->Seconds(), -2000.0, 1e-6);
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kPanic);
  EXPECT_NE(sys.Sources()[0].tally, select::Tally::kSystemPeer);
}

// After start, an offset beyond panic is refused: no system peer, unsynchronized (not serving
// the old time as good), and the refusal says why; once the sources agree again it follows them.
TEST(SystemPanic, AfterStartAJumpIsRefusedUntilTheOffsetIsBack) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  MonoTime t = FeedReplies(sys, 1, Reply(0.002, 1), 8, kStart);
  ASSERT_EQ(sys.system_peer(), 1u);
  ASSERT_TRUE(sys.Snapshot().synchronized());
  std::vector<ClockCommand> commands;
  // Ten samples: the clock filter then holds only jumped ones (mixed, their spread makes λ exceed
  // maxdist, and the source is refused for that meanwhile).
  t = FeedReplies(sys, 1, Reply(1500.0, 1), 10, t, &commands);
  EXPECT_EQ(FindStep(commands), nullptr);
  EXPECT_FALSE(sys.system_peer());
  EXPECT_FALSE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.Snapshot().stratum, kMaxStratum);
  EXPECT_EQ(sys.refusal(), Refusal::kPanic);
  ASSERT_TRUE(sys.panic_offset());
  EXPECT_NEAR(sys.panic_offset()->Seconds(), 1500.0, 1e-3);
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kPanic);
  // A tick changes nothing: still refused, no fallback to a local clock.
  (void)sys.OnTick(t + NtpDuration::FromWholeSeconds(8), LocalAt(t));
  EXPECT_FALSE(sys.system_peer());
  EXPECT_EQ(sys.refusal(), Refusal::kPanic);

  // The source comes back: once its clock filter no longer mixes in the jumped samples (their
  // spread makes λ exceed maxdist meanwhile), it is followed again.
  t = FeedReplies(sys, 1, Reply(0.001, 1), 8, t);
  EXPECT_EQ(sys.system_peer(), 1u);
  EXPECT_TRUE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.refusal(), Refusal::kNone);
  EXPECT_FALSE(sys.panic_offset());
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kNone);
}

// ntpd's peer_unfit: a server whose last reply says it has no time (LI = 3, stratum 16, test 7)
// is not followed on its older samples either.
TEST(SystemRefusal, AServerThatSaysItIsUnsynchronizedIsNotFollowed) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  MonoTime t = FeedReplies(sys, 1, Reply(0.002, 1), 8, kStart);
  ASSERT_EQ(sys.system_peer(), 1u);
  (void)sys.SetAssociationRefusal(1, Refusal::kUnsynchronized, t, LocalAt(t));
  EXPECT_FALSE(sys.system_peer());
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kUnsynchronized);
  EXPECT_EQ(sys.refusal(), Refusal::kUnsynchronized);  // the only source: its reason is the system's
  // A kiss RATE leaves its samples usable; a new measurement clears any verdict.
  (void)sys.SetAssociationRefusal(1, Refusal::kKissRate, t, LocalAt(t));
  EXPECT_EQ(sys.system_peer(), 1u);
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kKissRate);
  (void)sys.SetAssociationRefusal(1, Refusal::kUnsynchronized, t, LocalAt(t));
  FeedReplies(sys, 1, Reply(0.002, 1), 1, t);
  EXPECT_EQ(sys.system_peer(), 1u);
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kNone);
}

TEST(SystemRefusal, SelectionSaysWhyEachSourceIsNotUsed) {
  SystemConfig c = Config();
  System sys(c, kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000002));
  sys.AddSource(3, {}, RefId::FromRaw(0x0a000003));
  sys.AddSource(4, {}, RefId::FromRaw(0x0a000004));                               // synchronized to us
  sys.AddSource(5, SourceFlags{false, true, false}, RefId::FromRaw(0x0a000006));  // noselect
  sys.AddSource(6, {}, RefId::FromRaw(0x0a000007));                               // never answers
  sys.AddSource(7, {}, RefId::FromRaw(0x0a000008));                               // λ beyond maxdist
  Measurement far = Reply(0.001, 2);
  far.server.root_dispersion = NtpShort::FromDuration(NtpDuration::FromSeconds(1.4));
  far.server.root_delay = NtpShort::FromDuration(NtpDuration::FromSeconds(0.4));
  MonoTime t = kStart;
  for (int round = 0; round < 6; ++round) {
    t = FeedReplies(sys, 1, Reply(0.0010, 1), 1, t);
    t = FeedReplies(sys, 2, Reply(1.0, 1), 1, t);  // one second off
    t = FeedReplies(sys, 3, Reply(0.0012, 1), 1, t);
    t = FeedReplies(sys, 4, Reply(0.0011, 3, kSelf), 1, t);
    t = FeedReplies(sys, 5, Reply(0.0011, 1), 1, t);
    t = FeedReplies(sys, 7, far, 1, t);
  }
  EXPECT_EQ(RefusalOfSource(sys, 2), Refusal::kFalseticker);
  EXPECT_EQ(RefusalOfSource(sys, 4), Refusal::kLoop);
  EXPECT_EQ(RefusalOfSource(sys, 5), Refusal::kNoSelect);
  EXPECT_EQ(RefusalOfSource(sys, 6), Refusal::kUnreachable);
  EXPECT_EQ(RefusalOfSource(sys, 7), Refusal::kDistance);
  ASSERT_TRUE(sys.system_peer());
  EXPECT_EQ(RefusalOfSource(sys, *sys.system_peer()), Refusal::kNone);
  EXPECT_EQ(sys.refusal(), Refusal::kNone);
}

TEST(SystemRefusal, FewerTruechimersThanMinsane) {
  SystemConfig c = Config();
  c.select.min_sane = 2;
  System sys(c, kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000002));
  FeedReplies(sys, 1, Reply(0.001, 1), 6, kStart);
  EXPECT_FALSE(sys.system_peer());
  EXPECT_EQ(RefusalOfSource(sys, 1), Refusal::kTooFewSources);
  EXPECT_EQ(RefusalOfSource(sys, 2), Refusal::kUnreachable);
  EXPECT_EQ(sys.refusal(), Refusal::kTooFewSources);
}

}  // namespace
}  // namespace tempus::core::system
