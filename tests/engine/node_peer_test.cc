// Node and symmetric mode (RFC 5905 §9.2): `peer` associations, passive (ephemeral) associations
// mobilized by an authenticated mode 1 packet (ntpd's `enable auth`), an unauthenticated peer
// answered in mode 2 without an association, restrict nopeer, the limit on ephemeral associations
// under a flood of spoofed mode 1 packets, their demobilization, and what mode 6 shows of them.
#include <gtest/gtest.h>

#include "core/server/restrict.h"
#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"

namespace tempus::engine {
namespace {

const core::NetAddress kA = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kB = *core::NetAddress::Parse("10.0.0.2:123");
const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);

core::assoc::AssociationConfig Peer(const core::NetAddress& address, std::optional<uint32_t> key = std::nullopt) {
  core::assoc::AssociationConfig a;
  a.address = address;
  a.mode = core::Mode::kSymmetricActive;
  a.minpoll = core::PollExp(4);
  a.maxpoll = core::PollExp(4);
  a.key_id = key;
  return a;
}

constexpr uint32_t kKey = 7;

std::vector<AuthKey> SharedKey() {
  const std::string secret = "peer-secret";
  std::vector<AuthKey> keys;
  keys.emplace_back(kKey, MacAlgorithm::kSha1, std::vector<uint8_t>(secret.begin(), secret.end()), true);
  return keys;
}

// A (stratum 1, `peer B`, with key `a_key`) and B (no configuration of A); B's clock is 300 ms
// behind. Both hold key 7, trusted.
struct Pair {
  explicit Pair(NodeConfig b_config = {}, std::optional<uint32_t> a_key = kKey) {
    NodeConfig a_config;
    a_config.system.local_stratum = 1;
    a_config.self_address = kA;
    a_config.sources.push_back(Peer(kB, a_key));
    a_config.keys = SharedKey();
    b_config.self_address = kB;
    b_config.keys = SharedKey();
    a = std::make_unique<Node>(a_config, a_clock, a_transport, random);
    b = std::make_unique<Node>(b_config, b_clock, b_transport, random);
    net.Attach(kA, a.get(), &a_clock);
    net.Attach(kB, b.get(), &b_clock);
    a->Start();
    b->Start();
  }

  void Run(double seconds) { net.Run(seconds); }

  uint64_t BDrops(core::server::DropReason r) const { return b->server().stats().dropped[static_cast<size_t>(r)]; }

  FakeClock a_clock{kStart};
  FakeClock b_clock{kStart - core::NtpDuration::FromMillis(300)};
  LoopNet net;
  LoopNet::NetTransport a_transport{net, kA};
  LoopNet::NetTransport b_transport{net, kB};
  SeededRandom random{5};
  std::unique_ptr<Node> a;
  std::unique_ptr<Node> b;
};

// A mode 1 packet as a peer at `from` would send it first.
std::vector<uint8_t> ModeOne(uint64_t xmt, int8_t poll = 6) {
  core::Header h;
  h.mode = core::Mode::kSymmetricActive;
  h.leap = core::Leap::kUnsynchronized;
  h.poll = poll;
  h.transmit_time = core::NtpTimestamp::FromRaw(xmt);
  std::vector<uint8_t> bytes(core::kHeaderSize);
  core::EncodeHeader(h, bytes);
  return bytes;
}

TEST(NodePeer, AuthenticatedModeOneMobilizesAPassivePeerThatSynchronizesToIt) {
  Pair t;
  t.Run(120);
  ASSERT_EQ(t.b->ephemeral_count(), 1u);
  ASSERT_EQ(t.b->associations().size(), 1u);
  const auto& [id, passive] = *t.b->associations().begin();
  EXPECT_EQ(passive->config().mode, core::Mode::kSymmetricPassive);
  EXPECT_EQ(passive->config().address, kA);
  EXPECT_EQ(passive->config().key_id, kKey);  // the key the mobilizing packet was signed with
  EXPECT_EQ(passive->stats().Rejected(core::assoc::AssocReject::kAuthFailed), 0u);
  for (size_t n : t.b_transport.sizes()) EXPECT_EQ(n, 48u + 24u);  // B signs what it sends A
  EXPECT_EQ(t.b->system().system_peer(), id);
  EXPECT_EQ(t.b->system().Snapshot().stratum, 2);
  // B stepped its clock to A's (300 ms), and A measures B as a reachable peer, not a server.
  EXPECT_GE(t.b->steps(), 1u);
  const core::assoc::Association& active = *t.a->associations().at(1);
  EXPECT_NE(active.reach(), 0);
  EXPECT_GT(active.stats().accepted, 3u);
  ASSERT_TRUE(active.Snapshot().last_measurement);
  EXPECT_NEAR(active.Snapshot().last_measurement->offset.Seconds(), 0.0, 0.002);
  EXPECT_EQ(active.Snapshot().last_measurement->server.mode, core::Mode::kSymmetricPassive);
  // A is stratum 1 (local); it never follows its stratum-2 peer that follows it (a loop).
  EXPECT_EQ(t.a->system().Snapshot().stratum, 1);

  // Mode 6: hmode 2 (ntpq's `t` column) and no "configured" bit for the ephemeral association.
  const core::report::NodeSnapshot v = t.b->Snapshot();
  ASSERT_EQ(v.sources.size(), 1u);
  EXPECT_EQ(v.sources[0].association.config.mode, core::Mode::kSymmetricPassive);
  EXPECT_EQ(core::control::PeerStatusWord(v.sources[0], true) & 0x8000, 0);
  const core::report::NodeSnapshot va = t.a->Snapshot();
  EXPECT_EQ(va.sources[0].association.config.mode, core::Mode::kSymmetricActive);
  EXPECT_NE(core::control::PeerStatusWord(va.sources[0], false) & 0x8000, 0);
}

// ntpd's AM_NEWPASS with `enable auth`: B answers A's unauthenticated mode 1 packets in mode 2
// (A may follow B) but keeps no association: nothing of A's can reach B's selection.
TEST(NodePeer, UnauthenticatedModeOneGetsModeTwoRepliesAndNoAssociation) {
  Pair t({}, std::nullopt);
  t.Run(120);
  EXPECT_EQ(t.b->ephemeral_count(), 0u);
  EXPECT_EQ(t.b->ephemeral_mobilized(), 0u);
  EXPECT_TRUE(t.b->associations().empty());
  EXPECT_FALSE(t.b->system().Snapshot().synchronized());
  EXPECT_EQ(t.b->steps(), 0u);  // B's clock stays 300 ms behind: A did not move it
  EXPECT_GT(t.BDrops(core::server::DropReason::kUnauthenticatedPeer), 5u);
  for (size_t n : t.b_transport.sizes()) EXPECT_EQ(n, 48u);  // mode 2 replies, never larger
  // A hears B's replies (which pass A's on-wire tests; B is unsynchronized, so they give A no
  // sample yet: tests 6 and 7).
  const core::assoc::Association& active = *t.a->associations().at(1);
  EXPECT_NE(active.reach(), 0);
  EXPECT_GT(active.stats().Rejected(core::assoc::AssocReject::kUnsynchronized), 5u);
  // ntpq sysstats: declined.
  EXPECT_GT(core::report::SysStats(t.b->Snapshot()).declined, 5u);
}

TEST(NodePeer, DisableAuthMobilizesUnauthenticatedPeers) {
  NodeConfig b;
  b.authenticate_peers = false;
  Pair t(b, std::nullopt);
  t.Run(120);
  ASSERT_EQ(t.b->ephemeral_count(), 1u);
  EXPECT_FALSE(t.b->associations().begin()->second->config().key_id);
  EXPECT_EQ(t.b->system().system_peer(), t.b->associations().begin()->first);
}

TEST(NodePeer, PassivePeerGoesWhenTheActivePeerStops) {
  Pair t;
  t.Run(60);
  ASSERT_EQ(t.b->ephemeral_count(), 1u);
  ASSERT_TRUE(t.a->RemoveSource(1));  // A stops talking to B
  t.Run(16 * 12);
  EXPECT_EQ(t.b->ephemeral_count(), 0u);
  EXPECT_TRUE(t.b->associations().empty());
  EXPECT_FALSE(t.b->system().system_peer());
}

TEST(NodePeer, NopeerDropsUnauthenticatedModeOneWithoutAnswer) {
  NodeConfig b;
  core::server::RestrictRule rule =
      core::server::RestrictRule::Default(core::NetAddress::Family::kIPv4,
                                          static_cast<uint32_t>(core::server::Restrict::kNoPeer));
  b.access.restricts.push_back(rule);
  Pair t(b, std::nullopt);
  t.Run(120);
  EXPECT_EQ(t.b->ephemeral_count(), 0u);
  EXPECT_TRUE(t.b->associations().empty());
  EXPECT_GT(t.BDrops(core::server::DropReason::kRestricted), 5u);
  EXPECT_EQ(t.a->associations().at(1)->reach(), 0);  // nothing came back
  EXPECT_EQ(t.a->associations().at(1)->stats().received, 0u);
}

TEST(NodePeer, ConfiguredPeerIsNotSubjectToNopeer) {
  NodeConfig b;
  b.access.restricts.push_back(
      core::server::RestrictRule::Default(core::NetAddress::Family::kIPv4,
                                          static_cast<uint32_t>(core::server::Restrict::kNoPeer)));
  b.sources.push_back(Peer(kA));
  Pair t(b, std::nullopt);
  t.Run(120);
  EXPECT_EQ(t.b->ephemeral_count(), 0u);
  EXPECT_NE(t.b->associations().at(1)->reach(), 0);
  EXPECT_NE(t.a->associations().at(1)->reach(), 0);
  EXPECT_EQ(t.b->system().system_peer(), 1u);
}

// With `enable auth` a spoofed flood mobilizes nothing, and is logged for a bounded number of
// sources only.
TEST(NodePeer, SpoofedModeOneFloodMobilizesNothing) {
  std::vector<std::string> logs;
  NodeConfig b_config;
  b_config.self_address = kB;
  FakeClock clock{kStart};
  LoopNet net;
  LoopNet::NetTransport transport{net, kB};
  SeededRandom random{5};
  Node b(b_config, clock, transport, random, [&logs](const std::string& m) { logs.push_back(m); });
  b.Start();
  for (uint32_t i = 0; i < 1000; ++i) {
    const core::NetAddress spoofed = core::NetAddress::IPv4(0xc6336400 + i, 123);
    b.OnDatagram(ModeOne(0x1234567800000000ull + i, 3), spoofed, clock.Now());
    b.OnDatagram(ModeOne(0x1234567900000000ull + i, 3), spoofed, clock.Now());  // twice each
  }
  EXPECT_EQ(b.ephemeral_mobilized(), 0u);
  EXPECT_TRUE(b.associations().empty());
  EXPECT_EQ(b.server().stats().dropped[static_cast<size_t>(core::server::DropReason::kUnauthenticatedPeer)], 2000u);
  EXPECT_EQ(transport.sizes().size(), 2000u);  // a 48-byte mode 2 reply each
  size_t peer_lines = 0;
  for (const auto& l : logs) peer_lines += l.find("without a valid MAC") != std::string::npos;
  EXPECT_EQ(peer_lines, static_cast<size_t>(core::node::OncePerSource::kBurst));  // not one per packet or source
}

TEST(NodePeer, SpoofedModeOneFloodIsBoundedAndItsAssociationsGo) {
  NodeConfig b;
  b.max_ephemeral = 3;
  b.authenticate_peers = false;  // the limit is what bounds them then
  Pair t(b);
  t.a->RemoveSource(1);  // only the spoofed packets reach B
  for (uint32_t i = 0; i < 50; ++i) {
    const core::NetAddress spoofed = core::NetAddress::IPv4(0xc6336400 + i, 123);
    t.b->OnDatagram(ModeOne(0x1234567800000000ull + i, 3), spoofed, t.b_clock.Now());
  }
  EXPECT_EQ(t.b->ephemeral_count(), 3u);
  EXPECT_EQ(t.b->ephemeral_mobilized(), 3u);
  EXPECT_EQ(t.BDrops(core::server::DropReason::kPeerLimit), 47u);
  // A mode 2 from an unknown address never mobilizes anything.
  std::vector<uint8_t> mode2 = ModeOne(0x99);
  mode2[0] = static_cast<uint8_t>((mode2[0] & ~7) | 2);
  t.b->OnDatagram(mode2, core::NetAddress::IPv4(0xc6336500, 123), t.b_clock.Now());
  EXPECT_EQ(t.BDrops(core::server::DropReason::kSymmetricMode), 1u);
  // Nobody answers: after their probation (a few polls of 8 s) they are gone, and a new peer
  // can be mobilized again.
  t.Run(8 * 9);
  EXPECT_EQ(t.b->ephemeral_count(), 0u);
  EXPECT_TRUE(t.b->associations().empty());
  t.b->OnDatagram(ModeOne(0x4242424200000000ull), core::NetAddress::IPv4(0xc6336600, 123), t.b_clock.Now());
  EXPECT_EQ(t.b->ephemeral_count(), 1u);
}

}  // namespace
}  // namespace tempus::engine
