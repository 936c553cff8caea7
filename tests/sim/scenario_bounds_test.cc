// Hostile scenario numbers: every value is finite and bounded (sim/scenario.h), so that no file
// makes `tempus sim` run forever or exhaust memory; each refusal names FILE:LINE.
#include <string>

#include <gtest/gtest.h>

#include "sim/scenario.h"

namespace tempus::sim {
namespace {

// A valid one-node scenario with `extra` lines in its [node] and `sim` lines in [sim].
std::string Scn(const std::string& sim, const std::string& node = "") {
  return "[sim]\n" + sim + "\n[node a]\naddress = 10.0.0.1\n" + node + "\n";
}

std::string OnlyError(const std::string& text) {
  auto sc = ParseScenario(text, "x.scn");
  if (sc) {
    ADD_FAILURE() << "parsed:\n" << text;
    return "";
  }
  EXPECT_EQ(sc.error().size(), 1u) << text;
  return sc.error().front();
}

TEST(ScenarioBounds, AValidFileStillParses) { EXPECT_TRUE(ParseScenario(Scn("duration = 3600"), "x.scn")); }

TEST(ScenarioBounds, DurationMustBeFiniteAndBounded) {
  EXPECT_EQ(OnlyError(Scn("duration = 1e300")),
            "x.scn:2: expected a duration (seconds 0..100000000, e.g. 10, 1.5ms, 100us), got '1e300'");
  EXPECT_EQ(OnlyError(Scn("duration = nan")),
            "x.scn:2: expected a duration (seconds 0..100000000, e.g. 10, 1.5ms, 100us), got 'nan'");
  EXPECT_EQ(OnlyError(Scn("duration = inf")),
            "x.scn:2: expected a duration (seconds 0..100000000, e.g. 10, 1.5ms, 100us), got 'inf'");
  EXPECT_EQ(OnlyError(Scn("duration = 0")), "x.scn: expected a duration > 0 and at most 100000000 s, got 0");
}

TEST(ScenarioBounds, SamplesAreBounded) {
  EXPECT_EQ(OnlyError(Scn("duration = 3600\nsample_interval = 1ns")),
            "x.scn: expected at most 100000000 samples (duration / sample_interval), got 3600 s / 1e-09 s");
}

TEST(ScenarioBounds, NodeCountsAreBounded) {
  const std::string one = "[sim]\n[node a]\naddress = 10.9.0.1\n";
  EXPECT_EQ(OnlyError(one + "[nodes n 1..1000000000]\n"),
            "x.scn:4: expected at most 10000 nodes in all (1 so far), got '1..1000000000'");
  EXPECT_EQ(OnlyError(one + "[nodes n 1..1e300]\n"),
            "x.scn:4: expected a range of node numbers like 1..1000, got '1..1e300'");
  // Many headers add up: the total counts.
  const std::string two =
      "[sim]\nduration = 10\n[nodes g 1..5000]\naddress = 10.0.0.1\n[nodes h 1..5000]\naddress = 10.1.0.1\n";
  EXPECT_TRUE(ParseScenario(two, "x.scn"));
  EXPECT_EQ(OnlyError(two + "[node last]\n"),
            "x.scn:7: expected at most 10000 nodes in all (10000 so far), got '[node last]'");
}

TEST(ScenarioBounds, WorkIsBounded) {
  // 10,000 nodes for 1e6 s each is 1e10 node-seconds: days of wall time.
  EXPECT_EQ(OnlyError("[sim]\nduration = 1000000\nsample_interval = 100\n[nodes n 1..10000]\naddress = 10.0.0.1\n"),
            "x.scn: expected at most 1000000000 node-seconds (nodes x duration), got 10000 nodes x 1000000 s");
}

TEST(ScenarioBounds, StatsWindowMustNotBeEmpty) {
  EXPECT_EQ(OnlyError(Scn("duration = 100\nstats_from = 200")),
            "x.scn: expected stats_from (200 s) before the end of the run (100 s): the stats window would be empty");
  EXPECT_EQ(OnlyError(Scn("duration = 100\nstats_from = 50\nstats_to = 50")),
            "x.scn: expected stats_to (50 s) after stats_from (50 s): the stats window would be empty");
}

TEST(ScenarioBounds, NodeKnobsAreBounded) {
  EXPECT_EQ(OnlyError(Scn("duration = 10", "offset = 1e300")),
            "x.scn:5: expected an offset in seconds or LO..HI within ±1000000000 s, got '1e300'");
  EXPECT_EQ(OnlyError(Scn("duration = 10", "offset = -inf..0")),
            "x.scn:5: expected an offset in seconds or LO..HI within ±1000000000 s, got '-inf..0'");
  EXPECT_EQ(OnlyError(Scn("duration = 10", "freq = 1e9ppm")),
            "x.scn:5: expected a frequency error like 100ppm or LO..HI within ±100000 ppm, got '1e9ppm'");
  EXPECT_EQ(OnlyError(Scn("duration = 10", "wander = nan")),
            "x.scn:5: expected a wander in ppb/√s like 1ppb, 0..1000000, got 'nan'");
  EXPECT_EQ(OnlyError(Scn("duration = 10", "step = 5 1e300")),
            "x.scn:5: expected 'step = AT BY' (seconds, e.g. 5000 +0.5; AT 0..100000000, BY within ±1000000000), "
            "got '5 1e300'");
  EXPECT_EQ(OnlyError(Scn("duration = 10", "dies = 1e300")),
            "x.scn:5: expected a time (seconds 0..100000000, e.g. 10, 1.5ms, 100us), got '1e300'");
}

TEST(ScenarioBounds, LinkKnobsAreBounded) {
  const std::string base = Scn("duration = 10") + "[link a a]\n";
  EXPECT_EQ(OnlyError(base + "delay = 1e300\n"),
            "x.scn:7: expected delay (seconds 0..100, e.g. 10, 1.5ms, 100us), got '1e300'");
  EXPECT_EQ(OnlyError(base + "jitter = inf\n"),
            "x.scn:7: expected jitter (seconds 0..100, e.g. 10, 1.5ms, 100us), got 'inf'");
  EXPECT_EQ(OnlyError(base + "asymmetry = -1e9\n"),
            "x.scn:7: expected an asymmetry in seconds within ±100, got '-1e9'");
}

TEST(ScenarioBounds, SectionsAndLinesAreBounded) {
  std::string links = Scn("duration = 10");
  for (int i = 0; i <= 1000; ++i) links += "[link a a]\n";
  EXPECT_EQ(OnlyError(links), "x.scn:1006: expected at most 1000 sections of this kind, got '[link a a]'");
  // Each line of a 10,000-node section is stored 10,000 times: 101 lines are past the bound.
  std::string lines = "[sim]\nduration = 10\n[nodes n 1..10000]\naddress = 10.0.0.1\n";
  for (int i = 0; i < 101; ++i) lines += "tos minclock 1\n";
  EXPECT_EQ(OnlyError(lines),
            "x.scn:104: expected at most 1000000 lines in [node] sections in all (a line in [nodes] counts once per "
            "node)");
}

TEST(ScenarioBounds, ErrorsAreCappedAndHostileTextIsCut) {
  std::string text = "[sim]\n";
  for (int i = 0; i < 500; ++i) text += "junk\n";
  text += "[node a]\naddress = 10.0.0.1\n";
  auto sc = ParseScenario(text, "x.scn");
  ASSERT_FALSE(sc);
  ASSERT_EQ(sc.error().size(), kMaxScenarioErrors + 1);
  EXPECT_EQ(sc.error().back(), "x.scn: 400 more error(s) not shown");
  EXPECT_EQ(OnlyError(Scn("duration = " + std::string(5000, '9'))),
            "x.scn:2: expected a duration (seconds 0..100000000, e.g. 10, 1.5ms, 100us), got '" + std::string(80, '9') +
                "...'");
}

}  // namespace
}  // namespace tempus::sim
