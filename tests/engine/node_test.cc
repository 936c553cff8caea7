#include "engine/node.h"

#include <gtest/gtest.h>

#include "engine/fake_clock.h"
#include "engine/loop_net.h"

namespace tempus::engine {
namespace {

const core::NetAddress kServer = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kClient = *core::NetAddress::Parse("10.0.0.2:123");
const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);

// A stratum-1 server node and a client node whose clock is 50 ms ahead, on a LoopNet.
struct TwoNodes {
  FakeClock server_clock{kStart};
  FakeClock client_clock{kStart + core::NtpDuration::FromMillis(50)};
  LoopNet net;
  LoopNet::NetTransport server_transport{net, kServer};
  LoopNet::NetTransport client_transport{net, kClient};
  core::SeededRandom server_random{1};
  core::SeededRandom client_random{2};
  std::unique_ptr<Node> server;
  std::unique_ptr<Node> client;

  TwoNodes() {
    NodeConfig s;
    s.system.local_stratum = 1;
    s.self_address = kServer;
    server = std::make_unique<Node>(s, server_clock, server_transport, server_random);
    NodeConfig c;
    core::AssociationConfig a;
    a.address = kServer;
    a.iburst = true;
    a.minpoll = core::PollExp(4);
    a.maxpoll = core::PollExp(4);
    c.sources.push_back(a);
    c.self_address = kClient;
    client = std::make_unique<Node>(c, client_clock, client_transport, client_random);
    net.Attach(kServer, server.get(), &server_clock);
    net.Attach(kClient, client.get(), &client_clock);
    server->Start();
    client->Start();
  }

  // Advances both clocks by `seconds` in steps of 100 ms, running timers and the network.
  void Run(double seconds) {
    for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
      server_clock.Advance(core::NtpDuration::FromMillis(100));
      client_clock.Advance(core::NtpDuration::FromMillis(100));
      if (server->NextDeadline() <= server_clock.Mono()) server->OnTimer();
      if (client->NextDeadline() <= client_clock.Mono()) client->OnTimer();
      net.Pump();
    }
  }
};

TEST(Node, ClientSynchronizesToALocalReference) {
  TwoNodes t;
  t.Run(60);
  ASSERT_TRUE(t.client->system().system_peer().has_value());
  EXPECT_EQ(*t.client->system().system_peer(), 1u);
  EXPECT_TRUE(t.client->system().Snapshot().synchronized());
  EXPECT_EQ(t.client->system().Snapshot().stratum, 2);
  EXPECT_EQ(t.client->system().Snapshot().refid.AsDottedQuad(), "10.0.0.1");
  // The 50 ms were removed: FakeClock applies steps (slews are recorded only).
  bool corrected = false;
  for (const auto& c : t.client_clock.applied()) {
    if (const auto* s = std::get_if<core::StepClock>(&c)) corrected |= std::abs(s->offset.Seconds() + 0.05) < 1e-3;
    if (const auto* s = std::get_if<core::SlewClock>(&c)) corrected |= std::abs(s->offset.Seconds() + 0.05) < 1e-3;
  }
  EXPECT_TRUE(corrected);
  EXPECT_GE(t.server->server().stats().replied, 8u);  // the iburst
  EXPECT_GE(t.client->packets_sent(), 8u);
}

TEST(Node, IgnoresRepliesFromStrangers) {
  TwoNodes t;
  t.Run(5);
  const uint64_t accepted = t.client->associations().at(1)->stats().accepted;
  // A server-mode packet from an address that is not a source changes nothing.
  std::array<uint8_t, 48> bogus{};
  bogus[0] = 0x24;
  t.client->OnDatagram(bogus, *core::NetAddress::Parse("10.9.9.9:123"), t.client_clock.Now());
  EXPECT_EQ(t.client->associations().at(1)->stats().accepted, accepted);
}

}  // namespace
}  // namespace tempus::engine
