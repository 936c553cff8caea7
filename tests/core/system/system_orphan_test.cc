// Orphan mode (system.h): one parent, the reachable node with the lowest id, whatever `tos
// minsane`; children relay it; a node that loses its upstream holds down instead of following
// nodes that may be synchronized through it.
#include <gtest/gtest.h>

#include "core/system/system.h"
#include "tests/core/system/system_fixture.h"

namespace tempus::core::system {
namespace {

const RefId kParent = RefId::FromRaw(0x0a000002);       // 10.0.0.2: lower than ours (10.0.0.5)
const RefId kLower = RefId::FromRaw(0x0a000003);        // 10.0.0.3: lower too
const RefId kHigher = RefId::FromRaw(0x0a000009);       // 10.0.0.9
const RefId kOrphanRefId = RefId::FromRaw(0x7f000001);  // what a parent reports (127.0.0.1)

SystemConfig OrphanConfig(int min_sane) {
  SystemConfig c = Config();
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::Zero();
  c.select.min_sane = min_sane;
  c.select.min_clock = 3;
  return c;
}

select::Tally TallyOf(const System& sys, uint32_t id) {
  for (const SourceView& v : sys.Sources()) {
    if (v.id == id) return v.tally;
  }
  return select::Tally::kReject;
}

Refusal RefusalOf(const System& sys, uint32_t id) {
  for (const SourceView& v : sys.Sources()) {
    if (v.id == id) return v.refusal;
  }
  return Refusal::kNone;
}

// The cluster: with minsane 2 or 3 a node that hears the parent and one child of it
// (three masters) has fewer sane sources than minsane; it must follow the parent anyway, not
// become a second parent.
TEST(SystemOrphan, FollowsTheLowestParentWhateverMinsane) {
  for (int min_sane : {1, 2, 3}) {
    System sys(OrphanConfig(min_sane), kStart);
    sys.AddSource(1, {}, kParent);
    sys.AddSource(2, {}, kHigher);  // a child of the parent
    MonoTime t = kStart;
    for (int i = 0; i < 4; ++i) {
      t = Feed(sys, 1, 0.001, 10, 1, t, nullptr, kOrphanRefId);
      t = Feed(sys, 2, 0.0011, 11, 1, t, nullptr, kParent);
    }
    ASSERT_EQ(sys.system_peer(), 1u) << "minsane " << min_sane;
    EXPECT_FALSE(sys.orphan_parent()) << "minsane " << min_sane;
    EXPECT_EQ(sys.Snapshot().stratum, 11) << "minsane " << min_sane;
  }
}

// Only the lowest parent is a candidate: another parent with a lower id than ours is about to
// follow it, and following that one too would combine two free-running clocks.
TEST(SystemOrphan, OnlyTheLowestOfSeveralParentsIsFollowed) {
  System sys(OrphanConfig(1), kStart);
  sys.AddSource(1, {}, kLower);   // first in merit order on a tie (lower association id)
  sys.AddSource(2, {}, kParent);  // the lowest id
  MonoTime t = kStart;
  for (int i = 0; i < 4; ++i) {
    t = Feed(sys, 1, 0.001, 10, 1, t, nullptr, kOrphanRefId);
    t = Feed(sys, 2, 0.003, 10, 1, t, nullptr, kOrphanRefId);
  }
  EXPECT_EQ(sys.system_peer(), 2u);
  EXPECT_EQ(TallyOf(sys, 1), select::Tally::kReject);
}

// A node that does not hear the parent follows a child of it (one hop), not its own clock.
TEST(SystemOrphan, RelaysThroughAChildWhenTheParentIsNotHeard) {
  System sys(OrphanConfig(2), kStart);
  sys.AddSource(1, {}, kHigher);  // a child of kParent, which we do not hear
  Feed(sys, 1, 0.001, 11, 4, kStart, nullptr, kParent);
  ASSERT_EQ(sys.system_peer(), 1u);
  EXPECT_FALSE(sys.orphan_parent());
  EXPECT_EQ(sys.Snapshot().stratum, 12);
}

// The lowest id leads: its children (refid = us) are loops, and a grandchild stands for no
// parent (the election looks one hop deep), so nothing steers the parent's clock.
TEST(SystemOrphan, TheParentIsNotSteeredByItsChildren) {
  System sys(OrphanConfig(2), kStart);
  sys.AddSource(1, {}, kHigher);
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000007));
  sys.AddSource(3, {}, RefId::FromRaw(0x0a000008));
  MonoTime t = kStart;
  for (int i = 0; i < 4; ++i) {
    t = Feed(sys, 1, 0.002, 11, 1, t, nullptr, Config().self_id);
    t = Feed(sys, 2, 0.002, 11, 1, t, nullptr, Config().self_id);
    t = Feed(sys, 3, 0.002, 12, 1, t, nullptr, kHigher);
  }
  EXPECT_FALSE(sys.system_peer());
  EXPECT_TRUE(sys.orphan_parent());
  EXPECT_EQ(sys.Snapshot().stratum, 10);
}

// Fewer upstreams than minsane: the orphan election decides before this node may lead, so it
// follows a lower parent instead of becoming a second one; with no lower parent it leads.
TEST(SystemOrphan, TooFewUpstreamsFollowALowerParent) {
  {
    System sys(OrphanConfig(2), kStart);
    sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));  // the one upstream left
    sys.AddSource(2, {}, kParent);
    MonoTime t = kStart;
    for (int i = 0; i < 4; ++i) {
      t = Feed(sys, 1, 0.001, 1, 1, t, nullptr, RefId::FromCode("GPS"));
      t = Feed(sys, 2, 0.001, 10, 1, t, nullptr, kOrphanRefId);
    }
    ASSERT_EQ(sys.system_peer(), 2u);
    EXPECT_FALSE(sys.orphan_parent());
    EXPECT_EQ(sys.Snapshot().stratum, 11);
  }
  {
    System sys(OrphanConfig(2), kStart);
    sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));
    sys.AddSource(2, {}, kHigher);  // a parent with a higher id: we lead
    MonoTime t = kStart;
    for (int i = 0; i < 4; ++i) {
      t = Feed(sys, 1, 0.001, 1, 1, t, nullptr, RefId::FromCode("GPS"));
      t = Feed(sys, 2, 0.001, 10, 1, t, nullptr, kOrphanRefId);
    }
    EXPECT_FALSE(sys.system_peer());
    EXPECT_TRUE(sys.orphan_parent());
  }
}

// At a cold start every node becomes a parent when orphanwait runs out. One that then selects a
// lower parent stops serving at the orphan stratum at once, before its frequency is known (it
// is unsynchronized until then), so the cluster never shows two parents for long.
TEST(SystemOrphan, AParentThatFollowsLeavesTheRoleAtOnce) {
  System sys(OrphanConfig(2), kStart);
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(1), kEpoch);
  ASSERT_TRUE(sys.orphan_parent());
  sys.AddSource(1, {}, kParent);
  Feed(sys, 1, 0.01, 10, 1, kStart + NtpDuration::FromWholeSeconds(1), nullptr, kOrphanRefId);
  ASSERT_EQ(sys.system_peer(), 1u);
  EXPECT_FALSE(sys.orphan_parent());
  EXPECT_NE(sys.Snapshot().stratum, 10);
}

// Synchronized at stratum 2, the upstream falls quiet. A node at stratum 3 may be synchronized
// through us (its news up to a poll old): following it would start a cycle whose strata climb.
// Hold-down: only sources at our stratum or lower until it ends; the upstream itself (stratum
// 1) and a node at stratum 2 with another upstream remain usable.
TEST(SystemOrphan, HoldDownAfterTheUpstreamFallsQuiet) {
  System sys(OrphanConfig(1), kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000001));  // the upstream
  sys.AddSource(2, {}, kLower);                      // a node at stratum 3
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) {
    t = Feed(sys, 1, 0.001, 1, 1, t, nullptr, RefId::FromCode("GPS"));
    t = Feed(sys, 2, 0.0012, 3, 1, t, nullptr, RefId::FromRaw(0x0a000004));
  }
  ASSERT_EQ(sys.system_peer(), 1u);
  ASSERT_EQ(sys.Snapshot().stratum, 2);
  const NtpDuration hold = sys.RecommendedPoll().Interval().Scaled(System::kHoldDownPolls);
  (void)sys.SetQuiet(1, true, t, kEpoch + (t - kStart));
  t = Feed(sys, 2, 0.0012, 3, 1, t, nullptr, RefId::FromRaw(0x0a000004));
  EXPECT_FALSE(sys.system_peer());
  EXPECT_TRUE(sys.orphan_parent());
  EXPECT_EQ(RefusalOf(sys, 2), Refusal::kLoop);  // said why (ntpd's TEST12)
  // Another node at stratum 2 (a different upstream) is followed.
  sys.AddSource(3, {}, RefId::FromRaw(0x0a000006));
  t = Feed(sys, 3, 0.0012, 2, 4, t, nullptr, RefId::FromRaw(0x0a000063));
  EXPECT_EQ(sys.system_peer(), 3u);
  sys.RemoveSource(3);
  // After the hold-down, the stratum-3 node is usable again.
  const MonoTime end = t + hold;
  while (t < end) t = Feed(sys, 2, 0.0012, 3, 1, t, nullptr, RefId::FromRaw(0x0a000004));
  t = Feed(sys, 2, 0.0012, 3, 1, t, nullptr, RefId::FromRaw(0x0a000004));
  EXPECT_EQ(sys.system_peer(), 2u);
}

// A node synchronized to a server we hear to be silent has not noticed yet: not followed,
// whether or not that server was our system peer.
TEST(SystemOrphan, ASourceOfAQuietServerIsNotFollowed) {
  System sys(OrphanConfig(1), kStart);
  const RefId quiet_server = RefId::FromRaw(0x0a000001);
  sys.AddSource(1, {}, quiet_server);
  SourceFlags prefer;
  prefer.prefer = true;
  sys.AddSource(2, prefer, RefId::FromRaw(0x0a000007));  // another upstream, our system peer
  sys.AddSource(3, {}, kLower);                          // synchronized to the quiet one
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) {
    t = Feed(sys, 1, 0.001, 1, 1, t, nullptr, RefId::FromCode("GPS"));
    t = Feed(sys, 2, 0.001, 1, 1, t, nullptr, RefId::FromCode("GPS"));
    t = Feed(sys, 3, 0.001, 2, 1, t, nullptr, quiet_server);
  }
  ASSERT_EQ(sys.system_peer(), 2u);
  ASSERT_NE(TallyOf(sys, 3), select::Tally::kReject);
  (void)sys.SetQuiet(1, true, t, kEpoch + (t - kStart));
  t = Feed(sys, 3, 0.001, 2, 1, t, nullptr, quiet_server);
  EXPECT_EQ(TallyOf(sys, 3), select::Tally::kReject);
  ASSERT_TRUE(sys.system_peer());
}

}  // namespace
}  // namespace tempus::core::system
