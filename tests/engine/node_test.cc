#include "engine/node.h"

#include <gtest/gtest.h>

#include "engine/node_fixture.h"

namespace tempus::engine {

using core::discipline::StepClock;

namespace {

// A stratum-1 server node and a client node whose clock is 50 ms ahead, on a LoopNet.
using TwoNodes = ServerClientNodes;

TEST(Node, ClientSynchronizesToALocalReference) {
  TwoNodes t;
  t.Run(60);
  ASSERT_TRUE(t.client->system().system_peer().has_value());
  EXPECT_EQ(*t.client->system().system_peer(), 1u);
  EXPECT_TRUE(t.client->system().Snapshot().synchronized());
  EXPECT_EQ(t.client->system().Snapshot().stratum, 2);
  EXPECT_EQ(t.client->system().Snapshot().refid.AsDottedQuad(), "10.0.0.1");
  // The 50 ms were removed: FakeClock applies steps (frequencies are recorded only).
  bool corrected = false;
  for (const auto& c : t.client_clock.applied()) {
    if (const auto* s = std::get_if<StepClock>(&c)) corrected |= std::abs(s->offset.Seconds() + 0.05) < 1e-3;
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
