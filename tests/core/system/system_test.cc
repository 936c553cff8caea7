#include "core/system/system.h"

#include <gtest/gtest.h>

#include "tests/core/system/system_fixture.h"

namespace tempus::core::system {

using discipline::ClockCommand;
using discipline::SetFrequency;
using discipline::SetSyncStatus;
using discipline::SlewClock;
using discipline::StepClock;

namespace {

TEST(System, StartsUnsynchronized) {
  System sys(Config(), kStart);
  EXPECT_FALSE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.Snapshot().stratum, kMaxStratum);
  EXPECT_FALSE(sys.system_peer());
}

TEST(System, OneGoodSourceBecomesTheSystemPeer) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  std::vector<ClockCommand> commands;
  Feed(sys, 1, 0.002, 2, 4, kStart, &commands);
  ASSERT_TRUE(sys.system_peer());
  EXPECT_EQ(*sys.system_peer(), 1u);
  const SystemSnapshot& s = sys.Snapshot();
  EXPECT_TRUE(s.synchronized());
  EXPECT_EQ(s.stratum, 3);
  EXPECT_EQ(s.refid.raw(), 0x0a000001u);  // the source's address
  EXPECT_GE(s.root_delay, NtpDuration::FromMicros(200));
  EXPECT_FALSE(commands.empty());
  bool status = false;
  for (const auto& c : commands) status |= std::holds_alternative<SetSyncStatus>(c);
  EXPECT_TRUE(status);
  EXPECT_EQ(sys.Sources()[0].tally, select::Tally::kSystemPeer);
}

TEST(System, NeverSelectsASourceSynchronizedToUs) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  // Its refid is our own address: a timing loop (RFC 5905 §13, chrony's test D).
  Feed(sys, 1, 0.002, 3, 6, kStart, nullptr, RefId::FromRaw(0x0a000005));
  EXPECT_FALSE(sys.system_peer());
  EXPECT_FALSE(sys.Snapshot().synchronized());
}

TEST(System, LocalFallbackServesTheLocalClock) {
  SystemConfig c = Config();
  c.local_stratum = 8;
  System sys(c, kStart);
  auto u = sys.OnTick(kStart + NtpDuration::FromWholeSeconds(1), kEpoch);
  EXPECT_TRUE(u.snapshot_changed);
  EXPECT_TRUE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.Snapshot().stratum, 8);
  EXPECT_EQ(sys.Snapshot().refid.AsDottedQuad(), "127.127.1.1");
  // A real source takes over.
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  Feed(sys, 1, 0.001, 1, 4, kStart);
  EXPECT_EQ(sys.Snapshot().stratum, 2);
}

TEST(System, OrphanParentOnlyAfterOrphanWait) {
  SystemConfig c = Config();
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::FromWholeSeconds(60);
  System sys(c, kStart);
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(30), kEpoch);
  EXPECT_FALSE(sys.Snapshot().synchronized());
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(61), kEpoch);
  EXPECT_TRUE(sys.orphan_parent());
  EXPECT_EQ(sys.Snapshot().stratum, 10);
  EXPECT_EQ(sys.Snapshot().refid.AsDottedQuad(), "127.0.0.1");
}

TEST(System, OrphanElectionFollowsOnlyLowerIds) {
  SystemConfig c = Config();  // self 10.0.0.5
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::Zero();
  {
    System sys(c, kStart);
    sys.AddSource(1, {}, RefId::FromRaw(0x0a000009));  // higher id, orphan parent
    Feed(sys, 1, 0.001, 10, 4, kStart);
    EXPECT_FALSE(sys.system_peer());
    EXPECT_TRUE(sys.orphan_parent());  // we are the lowest: we lead
  }
  {
    System sys(c, kStart);
    sys.AddSource(1, {}, RefId::FromRaw(0x0a000002));  // lower id: follow it
    Feed(sys, 1, 0.001, 10, 4, kStart);
    ASSERT_TRUE(sys.system_peer());
    EXPECT_EQ(sys.Snapshot().stratum, 11);
    EXPECT_FALSE(sys.orphan_parent());
  }
}

TEST(System, UpstreamBeatsOrphanLevelSources) {
  SystemConfig c = Config();
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::Zero();
  System sys(c, kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000002));  // orphan parent with a lower id
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000063));  // real upstream, stratum 2
  MonoTime t = Feed(sys, 1, 0.001, 10, 3, kStart);
  t = Feed(sys, 2, 0.001, 2, 4, t);
  ASSERT_TRUE(sys.system_peer());
  EXPECT_EQ(*sys.system_peer(), 2u);
  EXPECT_EQ(sys.Snapshot().stratum, 3);
  // Upstream lost: follow the orphan parent at once.
  (void)sys.SetReachable(2, false, t, kEpoch + (t - kStart));
  Feed(sys, 1, 0.001, 10, 2, t);
  ASSERT_TRUE(sys.system_peer());
  EXPECT_EQ(*sys.system_peer(), 1u);
  EXPECT_EQ(sys.Snapshot().stratum, 11);
}

TEST(System, HoldoverKeepsTheVariablesWithoutFallback) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  MonoTime t = Feed(sys, 1, 0.001, 2, 4, kStart);
  ASSERT_TRUE(sys.Snapshot().synchronized());
  const NtpTimestamp reftime = sys.Snapshot().reference_time;
  (void)sys.SetReachable(1, false, t, kEpoch + (t - kStart));
  EXPECT_FALSE(sys.system_peer());
  EXPECT_EQ(sys.Snapshot().stratum, 3);  // still serving, ageing from the reference time
  EXPECT_EQ(sys.Snapshot().reference_time, reftime);
}

// Feeds sources 1..n one sample each per 64 s round, as if our clock were 0.1 s ahead and
// 100 ppm fast (and never corrected); returns every command issued.
std::vector<ClockCommand> FastClockRounds(System& sys, uint32_t n, int rounds) {
  std::vector<ClockCommand> commands;
  for (int round = 0; round < rounds; ++round) {
    for (uint32_t id = 1; id <= n; ++id) {
      const MonoTime t = kStart + NtpDuration::FromSeconds(round * 64.0 + id);
      const double offset = -0.1 - 100e-6 * (t - kStart).Seconds();
      auto u = sys.OnMeasurement(id, Reply(offset, 1), t, PollExp(6), t, kEpoch + (t - kStart));
      commands.insert(commands.end(), u.commands.begin(), u.commands.end());
    }
  }
  return commands;
}

TEST(System, TheFirstStepUsesEverySourcesSamplesForTheFrequency) {
  System sys(Config(), kStart);
  for (uint32_t id = 1; id <= 3; ++id) sys.AddSource(id, {}, RefId::FromRaw(0x0a000000 + id));
  const std::vector<ClockCommand> commands = FastClockRounds(sys, 3, 2);
  const StepClock* step = nullptr;
  const SetFrequency* freq = nullptr;
  for (const ClockCommand& c : commands) {
    if (!step) step = std::get_if<StepClock>(&c);
    if (!freq) freq = std::get_if<SetFrequency>(&c);
  }
  ASSERT_NE(step, nullptr);
  ASSERT_NE(freq, nullptr);  // set together with the step, from the samples of all three
  EXPECT_NEAR(freq->freq_ppm, -100.0, 0.1);
  EXPECT_TRUE(sys.Snapshot().synchronized());
}

TEST(System, SynchronizedOnlyOnceTheFrequencyIsMeasured) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  const std::vector<ClockCommand> first = FastClockRounds(sys, 1, 1);
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(std::holds_alternative<StepClock>(first.back()));
  // Stepped, but running off at 100 ppm: not a time to serve to others yet.
  EXPECT_FALSE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.Snapshot().stratum, kMaxStratum);
  (void)FastClockRounds(sys, 1, 2);
  EXPECT_TRUE(sys.Snapshot().synchronized());
  EXPECT_EQ(sys.Snapshot().stratum, 2);
}

TEST(System, SettlingUntilTheFrequencyIsKnownFromEnoughSamples) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  EXPECT_TRUE(sys.Settling());  // not synchronized
  // A clock 20 ppm fast, sampled every 16 s and corrected as commanded.
  double phase = 0.05, freq = 0.0, slew = 0.0;
  MonoTime t = kStart;
  int settled_at = -1;
  const auto apply = [&](const std::vector<ClockCommand>& commands) {
    for (const ClockCommand& c : commands) {
      if (auto* st = std::get_if<StepClock>(&c)) phase += st->offset.Seconds();
      if (auto* f = std::get_if<SetFrequency>(&c)) {
        freq = f->freq_ppm * 1e-6;
        slew = f->slew_ppm * 1e-6;
      }
    }
  };
  for (int i = 0; i < 30 && settled_at < 0; ++i) {
    const MonoTime next = t + NtpDuration::FromWholeSeconds(16);
    if (const auto end = sys.CorrectionEnd(); end && *end <= next) {  // the correction's timer
      phase += (20e-6 + freq + slew) * (*end - t).Seconds();
      t = *end;
      apply(sys.EndCorrection(t).commands);
    }
    phase += (20e-6 + freq + slew) * (next - t).Seconds();
    t = next;
    apply(sys.OnMeasurement(1, Reply(-phase, 1), t, PollExp(4), t, kEpoch + (t - kStart)).commands);
    if (!sys.Settling()) settled_at = i;
  }
  // Needs at least kSettleMinSamples samples spanning kSettleSpanSeconds; ends by kSettleSamples.
  EXPECT_GE(settled_at + 1, System::kSettleMinSamples);
  EXPECT_LE(settled_at + 1, System::kSettleSamples);
  EXPECT_TRUE(sys.Snapshot().synchronized());
  EXPECT_NEAR(freq * 1e6, -20.0, System::kSettledPpm);
}

// Issue 13 item 3: once the clock has been updated, a new sample of any combined source updates
// it again (as chrony updates its reference on every selected source's sample), not only the
// system peer's: with two servers polled in turn the clock is corrected twice per poll.
TEST(System, ACombinedSourcesSampleUpdatesTheClock) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000002));
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) {  // both answer, 8 s apart
    t += NtpDuration::FromWholeSeconds(8);
    (void)sys.OnMeasurement(1, Reply(0.0, 1), t, PollExp(4), t, kEpoch + (t - kStart));
    t += NtpDuration::FromWholeSeconds(8);
    (void)sys.OnMeasurement(2, Reply(0.0, 1), t, PollExp(4), t, kEpoch + (t - kStart));
  }
  ASSERT_TRUE(sys.system_peer());
  const uint32_t other = *sys.system_peer() == 1 ? 2 : 1;
  ASSERT_EQ(sys.Sources()[other - 1].tally, select::Tally::kCandidate);
  const int updates = sys.discipline_state().updates;
  t += NtpDuration::FromWholeSeconds(8);
  const SystemUpdate u = sys.OnMeasurement(other, Reply(20e-6, 1), t, PollExp(4), t, kEpoch + (t - kStart));
  EXPECT_EQ(sys.discipline_state().updates, updates + 1);
  ASSERT_TRUE(u.loop.has_value());
  bool frequency = false;
  for (const ClockCommand& c : u.commands) frequency |= std::holds_alternative<SetFrequency>(c);
  EXPECT_TRUE(frequency);
  EXPECT_GT(sys.discipline_state().offset.Seconds(), 0.0);  // its +20 µs moved the estimate
}

TEST(System, FalsetickerAmongThreeIsNeverTheSystemPeer) {
  SystemConfig c = Config();
  System sys(c, kStart);
  for (uint32_t id = 1; id <= 3; ++id) sys.AddSource(id, {}, RefId::FromRaw(0x0a000000 + id));
  MonoTime t = kStart;
  for (int round = 0; round < 6; ++round) {
    t = Feed(sys, 1, 0.0010, 1, 1, t);
    t = Feed(sys, 2, 1.0, 1, 1, t);  // one second off
    t = Feed(sys, 3, 0.0012, 1, 1, t);
  }
  ASSERT_TRUE(sys.system_peer());
  EXPECT_NE(*sys.system_peer(), 2u);
  for (const auto& v : sys.Sources()) {
    if (v.id == 2) {
      EXPECT_EQ(v.tally, select::Tally::kFalseticker);
    }
  }
}

}  // namespace
}  // namespace tempus::core::system

namespace tempus::core::system {
namespace {

// ntpd's sys_refid test: while the upstream we follow is quiet, a source that still reports it
// as its refid has not noticed either; following it would start a cycle. Once the upstream is
// unreachable, such a source is usable again (it may really still reach it).
TEST(System, SiblingOfAQuietSystemPeerIsNotFollowed) {
  SystemConfig c = Config();
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::Zero();
  System sys(c, kStart);
  const RefId upstream = RefId::FromRaw(0x0a000001);
  sys.AddSource(1, {}, upstream);
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000003));  // a sibling node, lower id than ours
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) {
    t = Feed(sys, 1, 0.001, 1, 1, t, nullptr, RefId::FromCode("GPS"));
    t = Feed(sys, 2, 0.0012, 2, 1, t, nullptr, upstream);
  }
  ASSERT_EQ(sys.system_peer(), 1u);
  const UnixTime now = kEpoch + (t - kStart);
  (void)sys.SetQuiet(1, true, t, now);
  EXPECT_FALSE(sys.system_peer());  // not the sibling at stratum 2
  EXPECT_TRUE(sys.orphan_parent());
  EXPECT_EQ(sys.Snapshot().stratum, 10);
  (void)sys.SetReachable(1, false, t, now);
  t = Feed(sys, 2, 0.0012, 2, 1, t, nullptr, upstream);
  EXPECT_EQ(sys.system_peer(), 2u);
  EXPECT_EQ(sys.Snapshot().stratum, 3);
}

}  // namespace
}  // namespace tempus::core::system
