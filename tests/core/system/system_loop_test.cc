// RFC 5905 §A.5.1.1 fit()'s loop test (ntpd's TEST12) and the local clock's refid: a source at
// one of our own addresses, synchronized to us, or (while we follow a real upstream)
// synchronized to our own system peer is never selected, is marked, and is reported once.
#include <algorithm>

#include <gtest/gtest.h>

#include "core/system/system.h"
#include "tests/core/system/system_fixture.h"

namespace tempus::core::system {
namespace {

const RefId kUpstream = RefId::FromRaw(0x0a000001);  // 10.0.0.1
const RefId kSelf = RefId::FromRaw(0x0a000005);      // 10.0.0.5, as in Config()

// One sample of `offset_s` from `id`, 16 s after `t`; returns the new time and collects the
// update's newly reported loops.
MonoTime FeedOne(System& sys, uint32_t id, double offset_s, uint8_t stratum, RefId refid, MonoTime t,
                 std::vector<uint32_t>* loops = nullptr) {
  t += NtpDuration::FromWholeSeconds(16);
  SystemUpdate u = sys.OnMeasurement(id, Reply(offset_s, stratum, refid), t, PollExp(4), t, kEpoch + (t - kStart));
  if (loops) loops->insert(loops->end(), u.new_loops.begin(), u.new_loops.end());
  return t;
}

const SourceView& ViewOf(const std::vector<SourceView>& views, uint32_t id) {
  return *std::find_if(views.begin(), views.end(), [id](const SourceView& v) { return v.id == id; });
}

TEST(SystemLoop, OwnAddressIsNeverSelectedAndReportedOnce) {
  SystemConfig c = Config();
  c.local_stratum = 8;
  System sys(c, kStart);
  sys.AddSource(1, {.self = true}, kSelf);
  // It answers (as our own server would) with our local clock at stratum 8: a good-looking source.
  std::vector<uint32_t> loops;
  MonoTime t = kStart;
  for (int i = 0; i < 8; ++i) t = FeedOne(sys, 1, 0.0, 8, RefId::FromRaw(0x7f7f0101), t, &loops);
  EXPECT_FALSE(sys.system_peer());
  EXPECT_TRUE(sys.local_clock_peer());
  EXPECT_EQ(sys.Snapshot().stratum, 8);  // not 9 with our own refid
  EXPECT_TRUE(ViewOf(sys.Sources(), 1).loop);
  EXPECT_EQ(loops, std::vector<uint32_t>{1});  // once, however many selections ran
}

TEST(SystemLoop, SourceReportingAnotherOfOurAddressesIsALoop) {
  SystemConfig c = Config();
  c.own_ids = {RefId::FromRaw(0xc0a80105)};  // 192.168.1.5, our second interface
  System sys(c, kStart);
  sys.AddSource(1, {}, kUpstream);
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) t = FeedOne(sys, 1, 0.002, 3, RefId::FromRaw(0xc0a80105), t);
  EXPECT_FALSE(sys.system_peer());
  EXPECT_TRUE(ViewOf(sys.Sources(), 1).loop);
}

// A sibling that follows the same upstream as we do reports the refid we serve.
TEST(SystemLoop, SourceSynchronizedToOurSystemPeerIsALoopWhileWeFollowIt) {
  System sys(Config(), kStart);
  sys.AddSource(1, {}, kUpstream);
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000003));
  std::vector<uint32_t> loops;
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) {
    t = FeedOne(sys, 1, 0.001, 1, RefId::FromCode("GPS"), t, &loops);
    t = FeedOne(sys, 2, 0.0012, 2, kUpstream, t, &loops);
  }
  ASSERT_EQ(sys.system_peer(), 1u);
  ASSERT_EQ(sys.Snapshot().refid, kUpstream);
  const std::vector<SourceView> views = sys.Sources();
  EXPECT_FALSE(ViewOf(views, 1).loop);  // a stratum-1 refid is a code, never a loop
  EXPECT_TRUE(ViewOf(views, 2).loop);
  EXPECT_NE(ViewOf(views, 2).tally, select::Tally::kCandidate);
  EXPECT_EQ(loops, std::vector<uint32_t>{2});
}

// Serving the local clock (or as an orphan parent) the refid we serve is shared by other nodes:
// the served-refid test must not apply, or a cluster's fallback election breaks.
TEST(SystemLoop, ServedRefidTestOnlyWhileSynchronizedToAnUpstream) {
  SystemConfig c = Config();
  c.local_stratum = 10;
  System sys(c, kStart);
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(1), kEpoch);
  ASSERT_TRUE(sys.local_clock_peer());
  ASSERT_EQ(sys.Snapshot().refid, RefId::FromRaw(0x7f7f0101));
  // Another master of the cluster, also serving its local clock at stratum 8 with refid 127.127.1.1.
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000002));
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) t = FeedOne(sys, 1, 0.001, 8, RefId::FromRaw(0x7f7f0101), t);
  EXPECT_FALSE(ViewOf(sys.Sources(), 1).loop);
  EXPECT_EQ(sys.system_peer(), 1u);
  EXPECT_EQ(sys.Snapshot().stratum, 9);
}

TEST(SystemLoop, OrphanParentsRefidIsNotOurs) {
  SystemConfig c = Config();
  c.self_id = RefId::FromRaw(0x7f000001);  // a node at 127.0.0.1
  c.orphan_stratum = 10;
  c.orphan_wait = NtpDuration::Zero();
  System sys(c, kStart);
  sys.AddSource(1, {}, RefId::FromRaw(0x0a000002));  // an orphan parent (lower id) serving 127.0.0.1
  MonoTime t = kStart;
  for (int i = 0; i < 6; ++i) t = FeedOne(sys, 1, 0.001, 10, RefId::FromRaw(0x7f000001), t);
  EXPECT_FALSE(ViewOf(sys.Sources(), 1).loop);
  // Below the orphan stratum, the same refid means synchronized to us.
  sys.AddSource(2, {}, RefId::FromRaw(0x0a000003));
  for (int i = 0; i < 6; ++i) t = FeedOne(sys, 2, 0.001, 5, RefId::FromRaw(0x7f000001), t);
  EXPECT_TRUE(ViewOf(sys.Sources(), 2).loop);
}

TEST(SystemLocal, ServesTheConfiguredLocalRefid) {
  SystemConfig c = Config();
  c.local_stratum = 11;
  c.local_refid = RefId::FromRaw(0x7f7f0100);  // ntpd's LOCAL(0) at fudge stratum 10
  System sys(c, kStart);
  (void)sys.OnTick(kStart + NtpDuration::FromWholeSeconds(1), kEpoch);
  EXPECT_TRUE(sys.local_clock_peer());
  EXPECT_EQ(sys.Snapshot().stratum, 11);
  EXPECT_EQ(sys.Snapshot().refid.AsDottedQuad(), "127.127.1.0");
  sys.AddSource(1, {}, kUpstream);
  MonoTime t = kStart;
  for (int i = 0; i < 4; ++i) t = FeedOne(sys, 1, 0.001, 1, RefId::FromCode("GPS"), t);
  EXPECT_FALSE(sys.local_clock_peer());
  EXPECT_EQ(sys.system_peer(), 1u);
}

}  // namespace
}  // namespace tempus::core::system
