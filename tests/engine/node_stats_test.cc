// The Node's statistics records: one PeerStatsRecord per accepted clock-filter output, one
// LoopStatsRecord per clock update, stamped with the node's clock (ntpd's peerstats/loopstats).
#include <algorithm>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "core/random.h"
#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node.h"

namespace tempus::engine {
namespace {

const core::NetAddress kServer = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kClient = *core::NetAddress::Parse("10.0.0.2:123");

TEST(NodeStats, ReportsFilterOutputsAndClockUpdates) {
  const auto start = core::UnixTime::FromParts(1795928139, 0);
  FakeClock sc(start), cc(start + core::NtpDuration::FromMillis(3));
  LoopNet net;
  LoopNet::NetTransport st(net, kServer), ct(net, kClient);
  core::SeededRandom sr(1), cr(2);
  NodeConfig s;
  s.system.local_stratum = 1;
  NodeConfig c;
  core::AssociationConfig a;
  a.address = kServer;
  a.iburst = true;
  a.minpoll = core::PollExp(4);
  a.maxpoll = core::PollExp(4);
  c.sources.push_back(a);
  Node server(s, sc, st, sr), client(c, cc, ct, cr);
  std::vector<StatsRecord> records;
  client.SetStatsObserver([&](const StatsRecord& r) { records.push_back(r); });
  net.Attach(kServer, &server, &sc);
  net.Attach(kClient, &client, &cc);
  server.Start();
  client.Start();
  for (int i = 0; i < 400; ++i) {
    sc.Advance(core::NtpDuration::FromMillis(100));
    cc.Advance(core::NtpDuration::FromMillis(100));
    if (server.NextDeadline() <= sc.Mono()) server.OnTimer();
    if (client.NextDeadline() <= cc.Mono()) client.OnTimer();
    net.Pump();
  }
  int peers = 0, loops = 0;
  for (const StatsRecord& r : records) {
    if (const auto* p = std::get_if<PeerStatsRecord>(&r)) {
      ++peers;
      EXPECT_EQ(p->address, kServer);
      EXPECT_GT(p->delay.Seconds(), 0.0);
      EXPECT_GT(p->dispersion.Seconds(), 0.0);
      EXPECT_NE(p->status & 0x8000, 0) << "configured";
    } else {
      const auto& l = std::get<LoopStatsRecord>(r);
      ++loops;
      EXPECT_GT(peers, 0) << "a clock update follows a sample";
      EXPECT_GE(l.time_constant, 4);
    }
  }
  // Every sample the filter accepted is a line: no more than the replies, and most of them.
  const uint64_t accepted = client.associations().at(1)->Snapshot().stats.accepted;
  EXPECT_GE(peers, 6);
  EXPECT_LE(static_cast<uint64_t>(peers), accepted);
  EXPECT_GE(loops, 1);
  EXPECT_LE(loops, peers);
  // The first sample: the request sent at Start() waits 100 ms for the first Pump, the reply
  // comes back at once, and the client is 3 ms ahead: δ = 0.1 s, θ = δ/2 − 0.003 s (RFC 5905 §8).
  const auto& first = std::get<PeerStatsRecord>(records.front());
  EXPECT_NEAR(first.delay.Seconds(), 0.1, 1e-6);
  EXPECT_NEAR(first.offset.Seconds(), 0.047, 1e-6);
  EXPECT_NEAR((first.when - start).Seconds(), 0.103, 1e-9) << "stamped before the clock update";
  // Once it follows the server, its status word says sys.peer (select code 6).
  const auto& latest = std::get<PeerStatsRecord>(*std::find_if(records.rbegin(), records.rend(), [](const StatsRecord& r) {
    return std::holds_alternative<PeerStatsRecord>(r);
  }));
  EXPECT_EQ((latest.status >> 8) & 0x7, 6);
}

}  // namespace
}  // namespace tempus::engine
