// The system tick of an idle node (core::node::Node::NextDeadline, System::TickWanted): a node
// synchronized to its sources, with nothing pending, arms no deadline before its next poll (the
// polls run selection anyway), so that tempusd wakes for its polls alone (issue 12 item 5); while
// the tick has work (the start-up wait, no source followed) it still comes every NodeConfig::tick.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/random.h"
#include "core/node/node.h"
#include "core/wire/codec.h"

namespace tempus::core::node {
namespace {

const UnixTime kEpoch = UnixTime::FromParts(1795928139, 0);
constexpr int kServers = 3;

NetAddress Address(int i) { return *NetAddress::Parse("10.0.0." + std::to_string(i) + ":123"); }

// A node on a perfect clock (true time = its time): the sim of node_pair_test without drift.
struct Host {
  Host(int index, NodeConfig config) : self(Address(index)), random(static_cast<uint64_t>(index)) {
    config.self_address = self;
    node = std::make_unique<Node>(config, random, nullptr, -20, MonoTime());
  }
  NetAddress self;
  SeededRandom random;
  std::unique_ptr<Node> node;
};

Instant At(NtpDuration t) { return {MonoTime::FromSinceOrigin(t), kEpoch + t}; }

struct Packet {
  std::vector<uint8_t> bytes;
  NetAddress from, to;
};

void Carry(const Host& h, const NodeActions& actions, Instant now, std::vector<Packet>& wire) {
  for (const NodeAction& action : actions) {
    if (const auto* send = std::get_if<SendPacket>(&action)) {
      wire.push_back({{send->bytes.begin(), send->bytes.end()}, h.self, send->to});
    } else if (const auto* reply = std::get_if<Reply>(&action)) {
      Packet p{{reply->bytes.begin(), reply->bytes.end()}, h.self, reply->to};
      if (reply->restamp) StampTransmit(p.bytes, now.local.ToNtp());
      wire.push_back(std::move(p));
    }
  }
}

struct Net {
  Net() {
    NodeConfig client;
    for (int i = 1; i <= kServers; ++i) {
      assoc::AssociationConfig a;
      a.address = Address(i);
      a.mode = Mode::kClient;
      a.minpoll = PollExp(6);
      a.maxpoll = PollExp(6);
      client.sources.push_back(a);
      NodeConfig server;
      server.system.local_stratum = 1;
      hosts.push_back(std::make_unique<Host>(i, server));
    }
    hosts.push_back(std::make_unique<Host>(100, client));
    for (auto& h : hosts) Carry(*h, h->node->Start(At({})), At({}), wire);
  }
  Host& client() { return *hosts.back(); }
  // One step of 100 ms: due timers, then every datagram delivered 1 ms later.
  void Step() {
    t = t + NtpDuration::FromMillis(100);
    for (auto& h : hosts) {
      if (h->node->NextDeadline() <= At(t).mono) {
        if (h.get() == &client()) {
          // A wake-up for neither a poll nor a correction's end: the tick's, or a stale timer's.
          const auto end = h->node->system().CorrectionEnd();
          if (NextPoll() > At(t).mono && !(end && *end <= At(t).mono)) ++idle_wakeups;
        }
        Carry(*h, h->node->OnTimer(At(t)), At(t), wire);
      }
    }
    while (!wire.empty()) {
      const Packet p = wire.front();
      wire.erase(wire.begin());
      for (auto& h : hosts) {
        if (h->self != p.to) continue;
        const Instant rx = At(t + NtpDuration::FromMillis(1));
        Carry(*h, h->node->OnDatagram({p.bytes, p.from, rx.local, h->self}, rx), rx, wire);
      }
    }
  }
  // The earliest poll deadline of the client's associations.
  MonoTime NextPoll() {
    std::optional<MonoTime> next;
    for (const auto& [id, a] : client().node->associations()) {
      if (auto w = a->NextWake(); w && (!next || *w < *next)) next = *w;
    }
    return next.value_or(MonoTime());
  }

  std::vector<std::unique_ptr<Host>> hosts;
  std::vector<Packet> wire;
  NtpDuration t;
  int idle_wakeups = 0;  // the client's
};

TEST(NodeIdleTick, ASynchronizedNodeArmsNothingBeforeItsNextPoll) {
  Net net;
  // The start-up wait (120 s) ticks every 8 s.
  while (net.t < NtpDuration::FromWholeSeconds(60)) net.Step();
  EXPECT_LE(net.client().node->NextDeadline(), At(net.t).mono + NtpDuration::FromWholeSeconds(8));
  while (net.t < NtpDuration::FromWholeSeconds(1200)) net.Step();
  ASSERT_TRUE(net.client().node->system().system_peer().has_value());
  int checked = 0;
  const int idle_before = net.idle_wakeups;
  while (net.t < NtpDuration::FromWholeSeconds(3000)) {
    net.Step();
    const Node& node = *net.client().node;
    const MonoTime next_poll = net.NextPoll();
    if (auto end = node.system().CorrectionEnd(); end && *end < next_poll) continue;  // pending: a correction
    ASSERT_TRUE(node.system().system_peer().has_value());
    EXPECT_EQ(node.NextDeadline(), next_poll) << "at " << net.t.Seconds() << " s";
    ++checked;
  }
  EXPECT_GT(checked, 1000);
  // Before: the tick every 8 s, and each poll's reply deadline (4 s after it) though answered.
  EXPECT_EQ(net.idle_wakeups - idle_before, 0);
}

}  // namespace
}  // namespace tempus::core::node
