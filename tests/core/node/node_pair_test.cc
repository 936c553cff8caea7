// Two core::node::Nodes exchanging packets with plain values: no engine, no socket, no clock.
// Each node's clock is a number the test moves; the test carries the Nodes' actions itself
// (packets and replies to the other node, clock commands onto its number). What the engine does
// in tempusd and in the simulator, here in thirty lines: symmetric peers, a client and its
// server, and ntpq's mode 6 answered by the core.
#include <gtest/gtest.h>

#include <deque>
#include <variant>

#include "base/random.h"
#include "core/node/node.h"
#include "core/wire/codec.h"
#include "core/wire/mode6.h"

namespace tempus::core::node {
namespace {

using assoc::AssociationConfig;
using discipline::SetFrequency;
using discipline::StepClock;

const NetAddress kA = *NetAddress::Parse("10.0.0.1:123");
const NetAddress kB = *NetAddress::Parse("10.0.0.2:123");
const NetAddress kNtpq = *NetAddress::Parse("10.0.0.3:40000");
const UnixTime kEpoch = UnixTime::FromParts(1795928139, 0);

AssociationConfig Source(const NetAddress& address, Mode mode) {
  AssociationConfig a;
  a.address = address;
  a.mode = mode;
  a.minpoll = PollExp(4);
  a.maxpoll = PollExp(4);
  return a;
}

// One node and its clock: an offset from true time (seconds), moved only by the node's commands.
struct Host {
  // `peer`: a source of mode `mode`; Mode::kReserved: none.
  Host(const NetAddress& address, const NetAddress& peer, Mode mode, double offset_s, int local_stratum, uint64_t seed)
      : self(address),
        random(seed),
        offset(NtpDuration::FromSeconds(offset_s)),
        node(Config(address, peer, mode, local_stratum), random, nullptr, -20, MonoTime()) {}

  static NodeConfig Config(const NetAddress& self, const NetAddress& peer, Mode mode, int local_stratum) {
    NodeConfig c;
    c.self_address = self;
    if (mode != Mode::kReserved) c.sources.push_back(Source(peer, mode));
    c.system.local_stratum = local_stratum;
    c.control_from_any = true;  // ntpq from kNtpq
    return c;
  }

  Instant At(NtpDuration true_time) const {
    return {MonoTime::FromSinceOrigin(true_time), kEpoch + true_time + offset};
  }

  NetAddress self;
  SeededRandom random;
  NtpDuration offset;
  double rate = 0.0;  // the commanded frequency correction (estimate + slew), s/s
  Node node;
  uint64_t steps = 0, packets = 0, replies = 0;
};

struct Packet {
  std::vector<uint8_t> bytes;
  NetAddress from, to;
};

// Carries `actions` of `host`, an event at `now`: packets and replies into `wire` (a reply
// restamped with the host's clock, as the engine does), clock commands onto its offset.
void Carry(Host& host, const NodeActions& actions, Instant now, std::deque<Packet>& wire) {
  for (const NodeAction& action : actions) {
    if (const auto* send = std::get_if<SendPacket>(&action)) {
      wire.push_back({{send->bytes.begin(), send->bytes.end()}, host.self, send->to});
      ++host.packets;
    } else if (const auto* reply = std::get_if<Reply>(&action)) {
      EXPECT_FALSE(reply->sign_key);  // no keys here
      Packet p{{reply->bytes.begin(), reply->bytes.end()}, host.self, reply->to};
      if (reply->restamp) StampTransmit(p.bytes, now.local.ToNtp());
      wire.push_back(std::move(p));
      ++host.replies;
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

// RunPair: runs `a` and `b` for `seconds`: timers every 100 ms, each datagram delivered 200 µs later to the
// node it is for; datagrams to any other address are kept in `elsewhere`.
void RunPair(Host& a, Host& b, double seconds, std::deque<Packet>& wire, std::vector<Packet>* elsewhere = nullptr) {
  const NtpDuration tick = NtpDuration::FromMillis(100);
  const NtpDuration one_way = NtpDuration::FromMicros(200);
  for (NtpDuration t; t < NtpDuration::FromSeconds(seconds);) {
    t = t + tick;
    for (Host* h : {&a, &b}) {
      h->offset = h->offset + NtpDuration::FromSeconds(h->rate * tick.Seconds());
      if (h->node.NextDeadline() <= h->At(t).mono) Carry(*h, h->node.OnTimer(h->At(t)), h->At(t), wire);
    }
    while (!wire.empty()) {
      const Packet p = wire.front();
      wire.pop_front();
      if (p.to != a.self && p.to != b.self) {
        if (elsewhere != nullptr) elsewhere->push_back(p);
        continue;
      }
      Host& to = p.to == a.self ? a : b;
      const Instant rx = to.At(t + one_way);
      Carry(to, to.node.OnDatagram({p.bytes, p.from, rx.local, to.self}, rx), rx, wire);
    }
  }
}

TEST(NodePair, ASymmetricPeerFollowsAStratumOnePeerWithoutTheEngine) {
  Host a(kA, kB, Mode::kSymmetricActive, 0.0, 1, 1);    // LOCAL stratum 1: the reference
  Host b(kB, kA, Mode::kSymmetricActive, 0.250, 0, 2);  // 250 ms ahead
  std::deque<Packet> wire;
  Carry(a, a.node.Start(a.At({})), a.At({}), wire);
  Carry(b, b.node.Start(b.At({})), b.At({}), wire);
  RunPair(a, b, 600, wire);
  ASSERT_TRUE(b.node.system().system_peer().has_value());
  EXPECT_EQ(b.node.associations().at(*b.node.system().system_peer())->config().address, kA);
  EXPECT_EQ(b.node.system().Snapshot().stratum, 2);
  EXPECT_LT(b.offset.Abs().Seconds(), 0.001) << "b is " << b.offset.Seconds() << " s off";
  EXPECT_GE(b.steps, 1u);                           // 250 ms is beyond the step threshold
  EXPECT_TRUE(a.node.system().local_clock_peer());  // a stays on its local clock, never follows b
  EXPECT_EQ(a.steps, 0u);
  EXPECT_GT(a.packets, 30u);
  EXPECT_GT(b.packets, 30u);
}

// A client and its server, and ntpq asking the server: the server side (core::server::Server and
// core::control::ControlServer inside the Node) answers with Reply actions.
TEST(NodePair, AClientFollowsItsServerAndNtpqIsAnsweredWithoutTheEngine) {
  Host server(kA, kB, Mode::kReserved, 0.0, 1, 1);   // no sources; LOCAL stratum 1
  Host client(kB, kA, Mode::kClient, -0.080, 0, 2);  // 80 ms behind
  std::deque<Packet> wire;
  Carry(server, server.node.Start(server.At({})), server.At({}), wire);
  Carry(client, client.node.Start(client.At({})), client.At({}), wire);
  RunPair(server, client, 300, wire);
  ASSERT_TRUE(client.node.system().system_peer().has_value());
  EXPECT_EQ(client.node.system().Snapshot().stratum, 2);
  EXPECT_LT(client.offset.Abs().Seconds(), 0.001) << "the client is " << client.offset.Seconds() << " s off";
  EXPECT_GT(server.replies, 10u);
  EXPECT_EQ(server.node.server().stats().replied, server.replies);
  EXPECT_EQ(server.packets, 0u);  // a server without sources sends only replies

  // ntpq's READSTAT: the server's one source is its LOCAL clock.
  wire.push_back({mode6::EncodeRequest(mode6::Opcode::kReadStatus, 7, 0), kNtpq, kA});
  std::vector<Packet> to_ntpq;
  RunPair(server, client, 1, wire, &to_ntpq);
  ASSERT_EQ(to_ntpq.size(), 1u);
  const auto answer = mode6::Decode(to_ntpq[0].bytes);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->header.sequence, 7);
  const auto list = mode6::ParseStatusList(answer->data);
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->size(), 1u);
  EXPECT_EQ(server.node.Snapshot(server.At({})).counters.control.answered, 1u);
  EXPECT_EQ(report::SysStats(server.node.Snapshot(server.At({}))).control_requests, 1u);
}

}  // namespace
}  // namespace tempus::core::node
