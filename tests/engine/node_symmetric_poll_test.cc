// Node and the poll of `peer` associations (RFC 5905 §A.5.5.7): when a peer's clock starts to
// settle and polls faster, both sides' transmits follow at once and every exchange is answered.
#include <gtest/gtest.h>

#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"

namespace tempus::engine {
namespace {

const core::NetAddress kA = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kB = *core::NetAddress::Parse("10.0.0.2:123");
const core::UnixTime kStart = core::UnixTime::FromParts(1795928139, 0);

core::AssociationConfig Peer(const core::NetAddress& address) {
  core::AssociationConfig a;
  a.address = address;
  a.mode = core::Mode::kSymmetricActive;
  a.minpoll = core::PollExp(6);  // the default: `peer ADDRESS`
  a.maxpoll = core::PollExp(10);
  return a;
}

// A and B `peer` each other; B's clock is 20 ms behind and must settle. A is the reference:
// stratum 1 (local), or with `orphan` both are orphan parents after 10 s until B hears A.
struct Peers {
  explicit Peers(bool orphan = false) {
    NodeConfig a_config, b_config;
    for (NodeConfig* c : {&a_config, &b_config}) {
      c->system.orphan_stratum = orphan ? 10 : core::kMaxStratum;
      c->system.orphan_wait = core::NtpDuration::FromWholeSeconds(10);
    }
    if (!orphan) a_config.system.local_stratum = 1;
    a_config.self_address = kA;
    a_config.sources.push_back(Peer(kB));
    b_config.self_address = kB;
    b_config.sources.push_back(Peer(kA));
    a = std::make_unique<Node>(a_config, a_clock, a_transport, random);
    b = std::make_unique<Node>(b_config, b_clock, b_transport, random);
    net.Attach(kA, a.get(), &a_clock);
    net.Attach(kB, b.get(), &b_clock);
    a->Start();
    b->Start();
  }

  FakeClock a_clock{kStart};
  FakeClock b_clock{kStart - core::NtpDuration::FromMillis(20)};
  LoopNet net;
  LoopNet::NetTransport a_transport{net, kA};
  LoopNet::NetTransport b_transport{net, kB};
  core::SeededRandom random{7};
  std::unique_ptr<Node> a;
  std::unique_ptr<Node> b;
};

// B, an orphan parent, selects A (the lower id) at its first sample: it leaves the role, settles
// (System::Settling) and polls every 16 s from then on. Its next transmit is due 16 s after its
// last, not on the 64 s schedule that the packet's later actions carried after the nested
// SetStartup (Node::Carry used to take that stale SetTimer).
TEST(NodeSymmetricPoll, APeerThatBeginsToSettlePollsFasterAtOnce) {
  Peers t(/*orphan=*/true);
  const core::Association& b_to_a = *t.b->associations().begin()->second;
  double last_send_s = 0, reachable_at_s = -1, first_send_after_s = -1;
  size_t sent = 0;
  for (int s = 1; s <= 400 && first_send_after_s < 0; ++s) {
    t.net.Run(1);
    if (t.b_transport.sizes().size() > sent) {
      sent = t.b_transport.sizes().size();
      if (reachable_at_s >= 0) first_send_after_s = s;
      else last_send_s = s;
    }
    if (reachable_at_s < 0 && b_to_a.reach() != 0) reachable_at_s = s;
  }
  ASSERT_GE(reachable_at_s, 0);
  ASSERT_GE(first_send_after_s, 0);
  EXPECT_EQ(b_to_a.hpoll().log2(), 4);
  EXPECT_LE(first_send_after_s - last_send_s, 16 * 1.125 + 1);
}

// While B settles it polls every 16 s, and A follows B's poll below its own minpoll of 64 s:
// every exchange gives B a sample and B settles within a few minutes. Before, A stayed at 64 s,
// three of B's four exchanges went unanswered, and settling took four times as long.
TEST(NodeSymmetricPoll, EveryExchangeOfASettlingPeerIsAnswered) {
  Peers t;
  const core::Association& b_to_a = *t.b->associations().begin()->second;
  for (int s = 0; s < 300 && b_to_a.stats().accepted == 0; ++s) t.net.Run(1);  // at 64 s polls
  ASSERT_TRUE(t.b->system().Settling());
  const uint64_t sent = b_to_a.stats().sent, accepted = b_to_a.stats().accepted;
  int seconds = 0;
  for (; seconds < 1200 && t.b->system().Settling(); ++seconds) t.net.Run(1);
  const uint64_t exchanges = b_to_a.stats().sent - sent;
  EXPECT_GE(exchanges, 5u);
  EXPECT_GE(b_to_a.stats().accepted - accepted + 1, exchanges);
  EXPECT_LE(seconds, 240);
}

}  // namespace
}  // namespace tempus::engine
