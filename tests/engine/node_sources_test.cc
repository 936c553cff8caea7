// Node::AddSource / RemoveSource: what a configuration reload and pool replacement rely on.
#include <gtest/gtest.h>

#include "engine/node_fixture.h"

namespace tempus::engine {
namespace {

const core::NetAddress kServerA = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kServerB = *core::NetAddress::Parse("10.0.0.3:123");
const core::NetAddress kClient = *core::NetAddress::Parse("10.0.0.2:123");
const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);

// Two stratum-1 servers; the client starts with A only.
struct Cluster {
  FakeClock a_clock{kStart};
  FakeClock b_clock{kStart};
  FakeClock client_clock{kStart + core::NtpDuration::FromMillis(20)};
  LoopNet net;
  LoopNet::NetTransport a_transport{net, kServerA};
  LoopNet::NetTransport b_transport{net, kServerB};
  LoopNet::NetTransport client_transport{net, kClient};
  SeededRandom random{7};
  std::unique_ptr<Node> a;
  std::unique_ptr<Node> b;
  std::unique_ptr<Node> client;

  Cluster() {
    NodeConfig s;
    s.system.local_stratum = 1;
    s.self_address = kServerA;
    a = std::make_unique<Node>(s, a_clock, a_transport, random);
    s.self_address = kServerB;
    b = std::make_unique<Node>(s, b_clock, b_transport, random);
    NodeConfig c;
    c.sources.push_back(FastSource(kServerA));
    c.self_address = kClient;
    client = std::make_unique<Node>(c, client_clock, client_transport, random);
    net.Attach(kServerA, a.get(), &a_clock);
    net.Attach(kServerB, b.get(), &b_clock);
    net.Attach(kClient, client.get(), &client_clock);
    a->Start();
    b->Start();
    client->Start();
  }

  void Run(double seconds) { net.Run(seconds); }
};

TEST(NodeSources, AddedSourceStartsAndTheOldOneKeepsItsState) {
  Cluster t;
  t.Run(40);
  const core::assoc::Association& old = *t.client->associations().at(1);
  const uint8_t reach = old.reach();
  const uint64_t accepted = old.stats().accepted;
  ASSERT_NE(reach, 0);
  ASSERT_GT(accepted, 0u);

  auto id = t.client->AddSource(FastSource(kServerB));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 2u);
  // The same object, untouched by the addition.
  EXPECT_EQ(&old, t.client->associations().at(1).get());
  EXPECT_EQ(old.reach(), reach);
  EXPECT_EQ(old.stats().accepted, accepted);
  EXPECT_EQ(t.client->system().system_peer(), std::optional<uint32_t>(1));

  t.Run(20);  // the new one is polled right away (iburst)
  EXPECT_NE(t.client->associations().at(2)->reach(), 0);
  EXPECT_GT(t.client->associations().at(2)->stats().accepted, 0u);
  EXPECT_GT(old.stats().accepted, accepted);
}

TEST(NodeSources, RefusesADuplicateAddressAndAnInvalidConfig) {
  Cluster t;
  EXPECT_FALSE(t.client->AddSource(FastSource(kServerA)).has_value());
  core::assoc::AssociationConfig bad = FastSource(kServerB);
  bad.version = 9;
  EXPECT_FALSE(t.client->AddSource(bad).has_value());
  EXPECT_EQ(t.client->associations().size(), 1u);
}

TEST(NodeSources, RemovingTheSystemPeerMovesToTheOther) {
  Cluster t;
  ASSERT_TRUE(t.client->AddSource(FastSource(kServerB)).has_value());
  t.Run(40);
  ASSERT_TRUE(t.client->system().system_peer().has_value());
  const uint32_t peer = *t.client->system().system_peer();
  EXPECT_TRUE(t.client->RemoveSource(peer));
  EXPECT_FALSE(t.client->RemoveSource(peer));
  EXPECT_EQ(t.client->associations().count(peer), 0u);
  EXPECT_NE(t.client->system().system_peer(), std::optional<uint32_t>(peer));
  const uint64_t sent = t.client->packets_sent();
  t.Run(40);
  ASSERT_TRUE(t.client->system().system_peer().has_value());
  EXPECT_NE(*t.client->system().system_peer(), peer);
  // Only the remaining association polls: two polls of 16 s in 40 s, not four.
  EXPECT_LE(t.client->packets_sent() - sent, 3u);
  // Datagrams from the removed source are now strangers' and ignored.
  const core::NetAddress removed = peer == 1 ? kServerA : kServerB;
  std::array<uint8_t, 48> reply{};
  reply[0] = 0x24;
  t.client->OnDatagram(reply, removed, t.client_clock.Now());
}

}  // namespace
}  // namespace tempus::engine
