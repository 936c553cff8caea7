// The attack of issue 10 item 1: five hosts 5 s ahead send symmetric active (mode 1) packets to a
// node that has two good servers. Without authentication they must not become sources: before
// the fix each got a passive association, outvoted the two servers (marked falsetickers) and the
// node stepped its clock +5 s, then served it.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"

namespace tempus::engine {
namespace {

const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);
const core::NetAddress kVictim = *core::NetAddress::Parse("10.0.0.10:123");

core::NetAddress Address(uint32_t host) { return core::NetAddress::IPv4(0x0a000000 + host, 123); }

core::assoc::AssociationConfig Source(const core::NetAddress& address, core::Mode mode) {
  core::assoc::AssociationConfig a;
  a.address = address;
  a.mode = mode;
  a.iburst = mode == core::Mode::kClient;
  a.minpoll = core::PollExp(4);
  a.maxpoll = core::PollExp(4);
  return a;
}

struct Host {
  Host(LoopNet& net, const core::NetAddress& address, core::NtpDuration ahead, NodeConfig config, uint64_t seed)
      : clock(kStart + ahead), transport(net, address), random(seed) {
    config.self_address = address;
    node = std::make_unique<Node>(config, clock, transport, random);
    net.Attach(address, node.get(), &clock);
  }
  FakeClock clock;
  LoopNet::NetTransport transport;
  SeededRandom random;
  std::unique_ptr<Node> node;
};

TEST(PeerAttack, UnauthenticatedPeersAheadDoNotMoveTheClock) {
  LoopNet net;
  std::vector<std::unique_ptr<Host>> hosts;
  NodeConfig victim;
  victim.sources = {Source(Address(1), core::Mode::kClient), Source(Address(2), core::Mode::kClient)};
  hosts.push_back(std::make_unique<Host>(net, kVictim, core::NtpDuration(), victim, 1));
  for (uint32_t s = 1; s <= 2; ++s) {  // two good stratum-1 servers
    NodeConfig server;
    server.system.local_stratum = 1;
    hosts.push_back(std::make_unique<Host>(net, Address(s), core::NtpDuration(), server, 10 + s));
  }
  for (uint32_t a = 1; a <= 5; ++a) {  // five "peers" 5 s ahead, stratum 1, no key
    NodeConfig attacker;
    attacker.system.local_stratum = 1;
    attacker.sources = {Source(kVictim, core::Mode::kSymmetricActive)};
    attacker.sources[0].noselect = true;  // they keep their own time
    hosts.push_back(
        std::make_unique<Host>(net, Address(100 + a), core::NtpDuration::FromWholeSeconds(5), attacker, 20 + a));
  }
  for (auto& h : hosts) h->node->Start();
  net.Run(900);  // beyond the 300 s stepout

  const Node& v = *hosts[0]->node;
  EXPECT_EQ(v.associations().size(), 2u);  // only its servers
  EXPECT_EQ(v.ephemeral_mobilized(), 0u);
  ASSERT_TRUE(v.system().system_peer());
  EXPECT_LE(*v.system().system_peer(), 2u);
  for (const core::discipline::ClockCommand& c : hosts[0]->clock.applied()) {
    if (const auto* step = std::get_if<core::discipline::StepClock>(&c)) {
      EXPECT_LT(step->offset.Seconds(), 1.0);
    }
  }
  // Its clock is the servers' (true time), and that is what it serves.
  EXPECT_NEAR((hosts[0]->clock.Now() - hosts[1]->clock.Now()).Seconds(), 0.0, 0.01);
  EXPECT_TRUE(v.system().Snapshot().synchronized());
  EXPECT_EQ(v.system().Snapshot().stratum, 2);
  EXPECT_GE(v.server().stats().dropped[static_cast<size_t>(core::server::DropReason::kUnauthenticatedPeer)], 5u);
}

}  // namespace
}  // namespace tempus::engine
