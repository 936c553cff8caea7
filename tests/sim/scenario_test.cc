// Scenario files, the stand-in ntp.conf reader, and whole runs: parsing, errors, replay, limits.
#include "sim/scenario.h"

#include <gtest/gtest.h>

#include "sim/node_config.h"
#include "sim/report.h"
#include "sim/simulation.h"

namespace tempus::sim {
namespace {

constexpr const char* kLan = R"(
[sim]
duration = 2000
seed = 3
stats_from = 1000

[node server]
address = 10.0.0.1
clock = perfect
local stratum 1

[nodes client 1..3]
address = 10.0.1.1
offset = -0.01..0.01
freq = 20ppm
wander = 1ppb
server server minpoll 4 maxpoll 4 iburst

[link * *]
delay = 100us
jitter = 50us

[limits client]
max = 1ms
)";

TEST(Scenario, ParsesGroupsAddressesAndUnits) {
  auto sc = ParseScenario(kLan, "lan.scn");
  ASSERT_TRUE(sc) << sc.error().front();
  ASSERT_EQ(sc->nodes.size(), 4u);
  EXPECT_EQ(sc->nodes[3].name, "client3");
  EXPECT_EQ(sc->nodes[3].address.ToString(), "10.0.1.3");
  EXPECT_EQ(sc->nodes[3].address.port(), 123);
  EXPECT_DOUBLE_EQ(sc->nodes[1].offset_s.lo, -0.01);
  EXPECT_DOUBLE_EQ(sc->nodes[1].freq_ppm.hi, 20);
  EXPECT_DOUBLE_EQ(sc->links[0].delay_s, 100e-6);
  EXPECT_EQ(sc->groups.at("client").size(), 3u);
  EXPECT_EQ(sc->nodes[2].config.size(), 1u);
  EXPECT_EQ(sc->nodes[2].config[0].line, 17);
  EXPECT_TRUE(sc->nodes[0].perfect);
}

TEST(Scenario, ReportsEveryErrorWithFileAndLine) {
  auto sc = ParseScenario("[sim]\nduration = soon\n[node a]\naddress = 10.0.0.1\nfreq = fast\n[link a b]\n", "x.scn");
  ASSERT_FALSE(sc);
  ASSERT_EQ(sc.error().size(), 3u);
  EXPECT_EQ(sc.error()[0], "x.scn:2: expected a duration (seconds 0..100000000, e.g. 10, 1.5ms, 100us), got 'soon'");
  EXPECT_EQ(sc.error()[1], "x.scn:5: expected a frequency error like 100ppm or LO..HI within ±100000 ppm, got 'fast'");
  EXPECT_EQ(sc.error()[2], "x.scn:6: expected a node or group name, got 'b'");
}

TEST(Scenario, ParsesSecondsWithUnits) {
  EXPECT_DOUBLE_EQ(*ParseSeconds("1.5ms"), 1.5e-3);
  EXPECT_DOUBLE_EQ(*ParseSeconds("100us"), 100e-6);
  EXPECT_DOUBLE_EQ(*ParseSeconds("+0.5"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseSeconds("-2s"), -2.0);
  EXPECT_FALSE(ParseSeconds("1 hour"));
}

TEST(NodeConfig, ReadsServerTosLocalAndTinker) {
  const NameResolver resolve = [](std::string_view name) -> std::optional<std::vector<core::NetAddress>> {
    if (name != "refs") return std::nullopt;
    return std::vector<core::NetAddress>{*core::NetAddress::Parse("10.0.0.1:123"),
                                         *core::NetAddress::Parse("10.0.0.2:123")};
  };
  auto c = BuildNodeConfig({{"server refs iburst minpoll 4 maxpoll 5 prefer", 1},
                            {"server 10.9.9.9 noselect", 2},
                            {"tos orphan 10 minsane 2", 3},
                            {"local stratum 5", 4},
                            {"tinker step 0.5 stepout 60", 5}},
                           "f", resolve);
  ASSERT_TRUE(c) << c.error().front();
  ASSERT_EQ(c->sources.size(), 3u);
  EXPECT_TRUE(c->sources[1].iburst && c->sources[1].prefer);
  EXPECT_EQ(c->sources[1].minpoll.log2(), 4);
  EXPECT_EQ(c->sources[1].maxpoll.log2(), 5);
  EXPECT_TRUE(c->sources[2].noselect);
  EXPECT_EQ(c->system.orphan_stratum, 10);
  EXPECT_EQ(c->system.select.min_sane, 2);
  EXPECT_EQ(c->system.local_stratum, 5);
  EXPECT_EQ(c->system.discipline.stepout, core::NtpDuration::FromWholeSeconds(60));
}

TEST(NodeConfig, ReportsParserAndNameErrorsWithFileLineAndColumn) {
  const NameResolver none = [](std::string_view) { return std::optional<std::vector<core::NetAddress>>(); };
  auto bad = BuildNodeConfig({{"server 10.0.0.1 minpoll 99", 9}}, "f.scn", none);
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().size(), 1u);
  EXPECT_TRUE(bad.error()[0].starts_with("f.scn:9:")) << bad.error()[0];
  auto unknown = BuildNodeConfig({{"server nowhere", 8}}, "f.scn", none);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error()[0], "f.scn:8:8: expected an IP address or the name of a node or group, got 'nowhere'");
  // As in tempusd, `peer` becomes a client association.
  auto peer = BuildNodeConfig({{"peer 10.0.0.1", 1}}, "f.scn", none);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->sources.size(), 1u);
}

Report RunLan(uint64_t seed) {
  auto sc = ParseScenario(kLan, "lan.scn");
  sc->seed = seed;
  auto sim = Simulation::Create(*sc);
  EXPECT_TRUE(sim);
  return (*sim)->Run();
}

TEST(Simulation, SameSeedReplaysExactly) {
  const Report a = RunLan(3), b = RunLan(3), c = RunLan(4);
  ASSERT_EQ(a.nodes.size(), 4u);
  EXPECT_EQ(a.events, b.events);
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    EXPECT_EQ(a.nodes[i].rms_s, b.nodes[i].rms_s);
    EXPECT_EQ(a.nodes[i].final_offset_s, b.nodes[i].final_offset_s);
  }
  EXPECT_NE(a.nodes[1].final_offset_s, c.nodes[1].final_offset_s);
}

TEST(Simulation, ClientsSyncAndLimitsAreChecked) {
  auto sc = ParseScenario(kLan, "lan.scn");
  auto sim = Simulation::Create(*sc);
  ASSERT_TRUE(sim);
  const Report r = (*sim)->Run();
  EXPECT_FALSE(r.nodes[0].in_stats);  // the perfect reference
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_LT(r.nodes[i].max_abs_s, 1e-3) << r.nodes[i].name;
    EXPECT_GT(r.nodes[i].samples, 900u);
    EXPECT_EQ(r.nodes[i].system_peers, std::vector<std::string>{"server"});
  }
  EXPECT_TRUE(CheckLimits(*sc, r).empty());
  sc->limits[0].max_s = 1e-9;  // impossible: every client fails
  EXPECT_EQ(CheckLimits(*sc, r).size(), 3u);
}

TEST(Simulation, PartitionCutsAndDeathSilence) {
  auto sc = ParseScenario(std::string(kLan) + "[partition]\nnodes = server\nfrom = 100\nto = 200\n", "lan.scn");
  ASSERT_TRUE(sc);
  sc->nodes[0].dies_at_s = 1500;
  auto sim = Simulation::Create(*sc);
  ASSERT_TRUE(sim);
  const Report r = (*sim)->Run();
  EXPECT_GT(r.network.cut, 0u);
  EXPECT_GT(r.network.unroutable, 0u);  // requests to the dead server
  EXPECT_FALSE(r.nodes[0].alive);
  EXPECT_TRUE(r.nodes[1].lost_peer);
}

// Two nodes that do not hear each other both serve their own clock at the orphan stratum: the
// report counts the parents at each sample and the limits catch the split.
TEST(Simulation, OrphanParentsAreCountedAndLimited) {
  auto sc = ParseScenario(R"(
[sim]
duration = 600
stats_from = 100

[nodes n 1..2]
address = 10.0.1.1
tos orphan 10 orphanwait 30

[limits]
orphan_parents = 1
orphan_split = 60s
)",
                          "orphan.scn");
  ASSERT_TRUE(sc) << sc.error().front();
  EXPECT_EQ(sc->limits[0].orphan_parents, 1);
  EXPECT_DOUBLE_EQ(*sc->limits[0].orphan_split_s, 60.0);
  auto sim = Simulation::Create(*sc);
  ASSERT_TRUE(sim);
  const Report r = (*sim)->Run();
  EXPECT_EQ(r.max_orphan_parents, 2);
  EXPECT_DOUBLE_EQ(r.orphan_split_s, 501.0);  // every sample of the window, 100..600 s
  EXPECT_DOUBLE_EQ(r.nodes[0].orphan_parent_s, 501.0);
  const auto failures = CheckLimits(*sc, r);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0], "orphan.scn:10: 2 orphan parents at once > 1 (two or more for 501 s)");
  EXPECT_EQ(failures[1], "orphan.scn:10: two or more orphan parents at once for 501 s > 60 s (at most 2 at once)");
  auto bad = ParseScenario("[limits]\norphan_parents = 1.5\n", "b.scn");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error()[0], "b.scn:2: expected a number of nodes >= 0, got '1.5'");
}

// A jump of the client's clock: the report says when it served as synchronized, how many steps
// it made, its largest frequency and how long it took to be within 1 ms after the jump; the
// limits check each.
TEST(Simulation, StepsFrequencySyncAndRecoveryAreReportedAndLimited) {
  auto sc = ParseScenario(std::string(kLan) + R"(
[node jumper]
address = 10.0.2.1
freq = 20ppm
step = 1000 -0.5
server server minpoll 4 maxpoll 4

[limits jumper]
steps = 0
max_freq = 1
synced = 1s
recover_1ms = 1s
)",
                          "jump.scn");
  ASSERT_TRUE(sc) << sc.error().front();
  ASSERT_EQ(sc->limits.size(), 2u);
  EXPECT_EQ(sc->limits[1].steps, 0);
  EXPECT_DOUBLE_EQ(*sc->limits[1].max_freq_ppm, 1.0);
  auto sim = Simulation::Create(*sc);
  ASSERT_TRUE(sim);
  const Report r = (*sim)->Run();
  const NodeReport& j = r.nodes.back();
  EXPECT_GE(j.steps, 1u);  // the jump
  EXPECT_NEAR(j.max_freq_ppm, 20.0, 5.0);
  ASSERT_TRUE(j.synced_s);
  EXPECT_LT(*j.synced_s, 200.0);
  ASSERT_TRUE(j.recover_1ms_s);
  EXPECT_GT(*j.recover_1ms_s, 1.0);
  EXPECT_LT(*j.recover_1ms_s, 120.0);
  EXPECT_EQ(CheckLimits(*sc, r).size(), 4u);  // each of the four jumper limits
  auto bad = ParseScenario("[limits]\nsteps = -1\nmax_freq = x\n", "b.scn");
  ASSERT_FALSE(bad);
  ASSERT_GE(bad.error().size(), 2u);
  EXPECT_EQ(bad.error()[0], "b.scn:2: expected a number of steps >= 0, got '-1'");
  EXPECT_EQ(bad.error()[1], "b.scn:3: expected a frequency in ppm >= 0, got 'x'");
}

}  // namespace
}  // namespace tempus::sim
