// The Node's statistics records: one PeerStatsRecord per accepted clock-filter output, one
// LoopStatsRecord per clock update, stamped with the node's clock (ntpd's peerstats/loopstats).
#include <algorithm>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "engine/node_fixture.h"

namespace tempus::engine {
namespace {

TEST(NodeStats, ReportsFilterOutputsAndClockUpdates) {
  std::vector<StatsRecord> records;
  ServerClientSetup setup;
  setup.client_ahead = core::NtpDuration::FromMillis(3);
  setup.client_stats = [&](const StatsRecord& r) { records.push_back(r); };
  ServerClientNodes t(std::move(setup));
  t.Run(40);
  int peers = 0, loops = 0;
  for (const StatsRecord& r : records) {
    if (const auto* p = std::get_if<PeerStatsRecord>(&r)) {
      ++peers;
      EXPECT_EQ(p->address, kFixtureServer);
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
  const uint64_t accepted = t.client->associations().at(1)->Snapshot().stats.accepted;
  EXPECT_GE(peers, 6);
  EXPECT_LE(static_cast<uint64_t>(peers), accepted);
  EXPECT_GE(loops, 1);
  EXPECT_LE(loops, peers);
  // The first sample: the request sent at Start() waits 100 ms for the first Pump, the reply
  // comes back at once, and the client is 3 ms ahead: δ = 0.1 s, θ = δ/2 − 0.003 s (RFC 5905 §8).
  const auto& first = std::get<PeerStatsRecord>(records.front());
  EXPECT_NEAR(first.delay.Seconds(), 0.1, 1e-6);
  EXPECT_NEAR(first.offset.Seconds(), 0.047, 1e-6);
  EXPECT_NEAR((first.when - kFixtureStart).Seconds(), 0.103, 1e-9) << "stamped before the clock update";
  // Once it follows the server, its status word says sys.peer (select code 6).
  const auto& latest =
      std::get<PeerStatsRecord>(*std::find_if(records.rbegin(), records.rend(), [](const StatsRecord& r) {
        return std::holds_alternative<PeerStatsRecord>(r);
      }));
  EXPECT_EQ((latest.status >> 8) & 0x7, 6);
}

}  // namespace
}  // namespace tempus::engine
