// Two core::node::Nodes exchanging packets with plain values: no engine, no socket, no clock.
// Each node's clock is a number the test moves; the test carries the Nodes' actions itself
// (packets to the other node, clock commands onto its number). What the engine does in tempusd
// and in the simulator, here in twenty lines.
#include <gtest/gtest.h>

#include <deque>
#include <variant>

#include "core/node/node.h"
#include "core/random.h"

namespace tempus::core::node {
namespace {

const NetAddress kA = *NetAddress::Parse("10.0.0.1:123");
const NetAddress kB = *NetAddress::Parse("10.0.0.2:123");
const UnixTime kEpoch = UnixTime::FromParts(1795928139, 0);

AssociationConfig Peer(const NetAddress& address) {
  AssociationConfig a;
  a.address = address;
  a.mode = Mode::kSymmetricActive;
  a.minpoll = PollExp(4);
  a.maxpoll = PollExp(4);
  return a;
}

// One node and its clock: an offset from true time (seconds), moved only by the node's commands.
struct Host {
  Host(const NetAddress& self, const NetAddress& peer, double offset_s, int local_stratum, uint64_t seed)
      : random(seed), offset(NtpDuration::FromSeconds(offset_s)), node(Config(self, peer, local_stratum), random,
                                                                      nullptr, -20, MonoTime()) {}

  static NodeConfig Config(const NetAddress& self, const NetAddress& peer, int local_stratum) {
    NodeConfig c;
    c.self_address = self;
    c.sources.push_back(Peer(peer));
    c.system.local_stratum = local_stratum;
    return c;
  }

  Instant At(NtpDuration true_time) const {
    return {MonoTime::FromSinceOrigin(true_time), kEpoch + true_time + offset};
  }

  SeededRandom random;
  NtpDuration offset;
  double rate = 0.0;  // the commanded frequency correction (estimate + slew), s/s
  Node node;
  uint64_t steps = 0, packets = 0;
};

struct Packet {
  std::array<uint8_t, kHeaderSize> bytes;
  NetAddress from, to;
};

// Carries `actions` of `host`: packets into `wire`, clock commands onto its offset.
void Carry(Host& host, const NetAddress& self, const NodeActions& actions, std::deque<Packet>& wire) {
  for (const NodeAction& action : actions) {
    if (const auto* send = std::get_if<SendPacket>(&action)) {
      wire.push_back({send->bytes, self, send->to});
      ++host.packets;
    } else if (const auto* apply = std::get_if<ApplyClock>(&action)) {
      if (const auto* step = std::get_if<StepClock>(&apply->command)) {
        host.offset = host.offset + step->offset;
        ++host.steps;
      } else if (const auto* f = std::get_if<SetFrequency>(&apply->command)) {
        host.rate = (f->freq_ppm + f->slew_ppm) * 1e-6;
      }
    }
  }
}

TEST(NodePair, ASymmetricPeerFollowsAStratumOnePeerWithoutTheEngine) {
  Host a(kA, kB, 0.0, 1, 1);     // LOCAL stratum 1: the reference
  Host b(kB, kA, 0.250, 0, 2);   // 250 ms ahead
  std::deque<Packet> wire;
  NtpDuration t;
  Carry(a, kA, a.node.Start(a.At(t)), wire);
  Carry(b, kB, b.node.Start(b.At(t)), wire);
  const NtpDuration tick = NtpDuration::FromMillis(100);
  const NtpDuration one_way = NtpDuration::FromMicros(200);
  for (int i = 0; i < 6000; ++i) {  // 600 s
    t = t + tick;
    for (Host* h : {&a, &b}) {
      h->offset = h->offset + NtpDuration::FromSeconds(h->rate * tick.Seconds());
      if (h->node.NextDeadline() <= h->At(t).mono) Carry(*h, h == &a ? kA : kB, h->node.OnTimer(h->At(t)), wire);
    }
    while (!wire.empty()) {
      const Packet p = wire.front();
      wire.pop_front();
      Host& to = p.to == kA ? a : b;
      const Instant rx = to.At(t + one_way);
      Carry(to, p.to, to.node.OnPacket(p.bytes, p.from, rx.local, rx), wire);
    }
  }
  ASSERT_TRUE(b.node.system().system_peer().has_value());
  EXPECT_EQ(b.node.associations().at(*b.node.system().system_peer())->config().address, kA);
  EXPECT_EQ(b.node.system().Snapshot().stratum, 2);
  EXPECT_LT(b.offset.Abs().Seconds(), 0.001) << "b is " << b.offset.Seconds() << " s off";
  EXPECT_GE(b.steps, 1u);  // 250 ms is beyond the step threshold
  EXPECT_TRUE(a.node.system().local_clock_peer());  // a stays on its local clock, never follows b
  EXPECT_EQ(a.steps, 0u);
  EXPECT_GT(a.packets, 30u);
  EXPECT_GT(b.packets, 30u);
}

}  // namespace
}  // namespace tempus::core::node
