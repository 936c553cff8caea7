#include "obs/prometheus.h"

#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/fake_clock.h"
#include "engine/loop_net.h"
#include "engine/node_fixture.h"

namespace tempus::obs {
namespace {

using engine::FakeClock;
using engine::LoopNet;
using engine::Node;

const core::NetAddress kServer = *core::NetAddress::Parse("10.0.0.1:123");
const core::NetAddress kClient = *core::NetAddress::Parse("10.0.0.2:123");

// The metrics of a client synchronized to a stratum-1 server (3 ms apart) for 40 s.
std::string SyncedClientMetrics() {
  engine::ServerClientSetup setup;
  setup.client_ahead = core::NtpDuration::FromMillis(3);
  engine::ServerClientNodes t(std::move(setup));
  t.Run(40);
  return RenderPrometheus(t.client->Snapshot(), "0.1.0-test");
}

TEST(Prometheus, ReportsSystemSourcesAndServer) {
  const std::string text = SyncedClientMetrics();
  EXPECT_NE(text.find("tempus_build_info{version=\"0.1.0-test\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_system_synchronized 1\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_system_stratum 2\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_source_selection{source=\"10.0.0.1:123\",state=\"system_peer\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_source_stratum{source=\"10.0.0.1:123\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_server_drops_total{reason=\"too_short\"} 0\n"), std::string::npos);
}

// Why: each source's refusal and the system's, one-hot, with a bounded set of reasons.
TEST(Prometheus, SaysWhyASourceAndTheSystemAreRefused) {
  const std::string synced = SyncedClientMetrics();
  EXPECT_NE(synced.find("tempus_system_refusal{reason=\"none\"} 1\n"), std::string::npos);
  EXPECT_NE(synced.find("tempus_source_refusal{source=\"10.0.0.1:123\",reason=\"none\"} 1\n"), std::string::npos);

  engine::ServerClientSetup setup;
  setup.client_ahead = core::NtpDuration::FromMillis(3);
  engine::ServerClientNodes t(std::move(setup));
  t.Run(60);
  ASSERT_TRUE(t.server_clock.Apply(core::discipline::StepClock{core::NtpDuration::FromWholeSeconds(1500)}).has_value());
  t.Run(240);  // the reference jumped beyond the panic threshold: refused, once its clock filter
               // holds only jumped samples (before, their spread with the older ones exceeds maxdist)
  const std::string text = RenderPrometheus(t.client->Snapshot(), "0.1.0-test");
  EXPECT_NE(text.find("tempus_system_synchronized 0\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_system_refusal{reason=\"panic\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_source_refusal{source=\"10.0.0.1:123\",reason=\"panic\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("state=\"system_peer\""), std::string::npos);
}

TEST(Prometheus, CountsModeSixRequestsDropsAndBytes) {
  FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
  LoopNet net;
  LoopNet::NetTransport t(net, kServer);
  SeededRandom r(1);
  engine::NodeConfig c;
  c.control_limit.client_burst = 3;
  c.control_limit.client_per_second = 0;
  Node node(c, clock, t, r);
  const std::vector<uint8_t> readvar = {0x16, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};  // ntpq rv
  const auto loopback = *core::NetAddress::Parse("127.0.0.1:40000");
  for (int i = 0; i < 5; ++i) node.OnDatagram(readvar, loopback, clock.Now());
  node.OnDatagram(readvar, kClient, clock.Now());  // not loopback: restricted
  const std::string text = RenderPrometheus(node.Snapshot(), "0.1.0-test");
  EXPECT_NE(text.find("tempus_control_requests_total 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tempus_control_answered_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_control_drops_total{reason=\"client_rate\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_control_drops_total{reason=\"restricted\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tempus_control_bytes_total{direction=\"in\"} 72\n"), std::string::npos);
  EXPECT_EQ(text.find("tempus_control_bytes_total{direction=\"out\"} 0\n"), std::string::npos);
}

// The LOCAL clock (`server 127.127.1.0` + `fudge ... stratum 10`, or `local stratum 11`) is a
// source like the others, labelled by its address as `ntpq rv` shows it (srcadr 127.127.1.0; the
// alert rules of dist/prometheus leave 127.127.* sources out of "no reachable source").
TEST(Prometheus, ListsTheLocalClockAmongTheSources) {
  engine::ServerClientSetup setup;
  setup.client.system.local_stratum = 11;
  setup.client.system.local_unit = 0;
  engine::ServerClientNodes t(std::move(setup));
  t.client->OnTimer();  // before the server answers, the local clock serves
  std::string text = RenderPrometheus(t.client->Snapshot(), "0.1.0-test");
  const auto has = [&text](std::string_view family, std::string_view extra, std::string_view value) {
    const std::string line = fmt::format("{}{{source=\"127.127.1.0:123\"{}}} {}\n", family, extra, value);
    return text.find(line) != std::string::npos;
  };
  EXPECT_TRUE(has("tempus_source_selection", ",state=\"system_peer\"", "1")) << text;
  EXPECT_TRUE(has("tempus_source_stratum", "", "10"));
  EXPECT_TRUE(has("tempus_source_offset_seconds", "", "0"));
  EXPECT_TRUE(has("tempus_source_reach", "", "1"));
  EXPECT_TRUE(has("tempus_source_poll_seconds", "", "64"));
  EXPECT_TRUE(has("tempus_source_refusal", ",reason=\"none\"", "1"));
  t.Run(60);  // the stratum-1 server takes over; the local clock stays listed, rejected
  text = RenderPrometheus(t.client->Snapshot(), "0.1.0-test");
  EXPECT_NE(text.find("tempus_source_selection{source=\"10.0.0.1:123\",state=\"system_peer\"} 1\n"), std::string::npos)
      << text;
  EXPECT_TRUE(has("tempus_source_selection", ",state=\"reject\"", "1"));
}

// clock observe's report of the uncorrected system clock, from Clock::SystemClockOffset(); absent
// for the other clocks.
TEST(Prometheus, SystemClockOffsetOnlyForAClockThatReportsIt) {
  class ObservingClock final : public FakeClock {
   public:
    using FakeClock::FakeClock;
    std::optional<core::NtpDuration> SystemClockOffset() override { return core::NtpDuration::FromMillis(-250); }
  };
  LoopNet net;
  LoopNet::NetTransport t(net, kServer);
  SeededRandom r(1);
  FakeClock plain(core::UnixTime::FromParts(1795928139, 0));
  const std::string without = RenderPrometheus(Node({}, plain, t, r).Snapshot(), "0.1.0-test");
  EXPECT_EQ(without.find("tempus_system_clock_offset_seconds"), std::string::npos);
  ObservingClock observing(core::UnixTime::FromParts(1795928139, 0));
  const std::string with = RenderPrometheus(Node({}, observing, t, r).Snapshot(), "0.1.0-test");
  EXPECT_NE(with.find("# TYPE tempus_system_clock_offset_seconds gauge\ntempus_system_clock_offset_seconds -0.25\n"),
            std::string::npos)
      << with;
}

// The exposition format, strictly: every sample belongs to the family announced just before it
// by HELP and TYPE, names and labels are well formed, values are numbers, counters end in _total.
TEST(Prometheus, FollowsTheTextExpositionFormat) {
  const std::string text = SyncedClientMetrics();
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.]+(e[-+]?[0-9]+)?|[+-]Inf|NaN))");
  std::istringstream in(text);
  std::string line, family, kind;
  std::set<std::string> seen;
  int samples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      family = m[1];
      EXPECT_TRUE(seen.insert(family).second) << "family twice: " << family;
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], family);
      kind = m[2];
      if (kind == "counter") {
        EXPECT_TRUE(family.ends_with("_total")) << family;
      }
    } else {
      ASSERT_TRUE(std::regex_match(line, m, sample)) << "bad line: " << line;
      EXPECT_EQ(m[1], family) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 20);
}

}  // namespace
}  // namespace tempus::obs
