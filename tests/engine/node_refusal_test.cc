// engine::Node: a clock far off at start is stepped once and says so; after start an offset beyond
// the panic threshold is refused, logged once and reported (mode 6 `reason`, `offset`); each
// source's refusal is logged once when it appears or changes, not per packet.
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/control/control.h"
#include "engine/node.h"
#include "engine/node_fixture.h"

namespace tempus::engine {

using core::discipline::StepClock;

namespace {

// Collects a node's log lines. (The fixture's first exchange has 100 ms of delay one way and none
// the other: its offset is 50 ms off, hence -1999.95 s for a clock 2000 s ahead.)
struct Lines {
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  NodeLog Sink() const {
    return [l = lines](const std::string& m) { l->push_back(m); };
  }
  // Lines that match the regular expression `pattern` somewhere.
  int Count(const std::string& pattern) const {
    const std::regex re(pattern);
    int n = 0;
    for (const std::string& l : *lines) n += std::regex_search(l, re) ? 1 : 0;
    return n;
  }
};

double StepsOf(const FakeClock& clock) {
  double sum = 0;
  for (const auto& c : clock.applied()) {
    if (const auto* s = std::get_if<StepClock>(&c)) sum += s->offset.Seconds();
  }
  return sum;
}

TEST(NodePanic, AClock2000SecondsAheadIsSteppedOnceAtStartAndSaysSo) {
  Lines log;
  ServerClientSetup setup;
  setup.client_ahead = core::NtpDuration::FromWholeSeconds(2000);
  setup.client_log = log.Sink();
  ServerClientNodes t(setup);
  t.Run(120);
  EXPECT_NEAR(StepsOf(t.client_clock), -2000.0, 0.01);
  EXPECT_EQ(log.Count(R"(clock stepped by -(1999\.9|2000\.0)\d* s)"), 1) << "with the size";
  EXPECT_EQ(log.Count("beyond the panic threshold of 1000 s: allowed once at start"), 1);
  EXPECT_TRUE(t.client->system().Snapshot().synchronized());
  EXPECT_EQ(t.client->system().refusal(), core::system::Refusal::kNone);
}

TEST(NodePanic, ExplicitTinkerPanicRefusesAtStartLogsOnceAndReports) {
  Lines log;
  ServerClientSetup setup;
  setup.client_ahead = core::NtpDuration::FromWholeSeconds(2000);
  setup.client.system.discipline.allow_panic_at_start = false;  // `tinker panic 1000`
  setup.client_log = log.Sink();
  ServerClientNodes t(setup);
  t.Run(300);
  EXPECT_EQ(StepsOf(t.client_clock), 0.0);
  EXPECT_FALSE(t.client->system().Snapshot().synchronized());
  EXPECT_FALSE(t.client->system().system_peer());
  EXPECT_EQ(log.Count(R"(not synchronized: offset -(1999\.9|2000\.0)\d* s is beyond the panic threshold)"), 1);
  EXPECT_EQ(log.Count(R"(beyond the panic threshold \(1000 s\): refused)"), 1);
  const core::report::NodeSnapshot v = t.client->Snapshot();
  EXPECT_EQ(v.refusal, core::system::Refusal::kPanic);
  ASSERT_TRUE(v.panic_offset);
  EXPECT_NEAR(v.panic_offset->Seconds(), -2000.0, 0.01);
  EXPECT_FALSE(v.system_peer);
  ASSERT_EQ(v.sources.size(), 1u);
  EXPECT_EQ(core::control::RefusalOf(v.sources[0]), core::system::Refusal::kPanic);
}

// The reference's clock jumps 1500 s after the client synchronized: refused (not followed, not
// served as synchronized), logged once however many samples come, reported; when it jumps back
// the client follows it again.
TEST(NodePanic, AJumpBeyondPanicAfterStartIsRefusedLoggedOnceAndReported) {
  Lines log;
  ServerClientSetup setup;
  setup.client_log = log.Sink();
  ServerClientNodes t(setup);
  t.Run(120);
  ASSERT_TRUE(t.client->system().Snapshot().synchronized());
  const double stepped = StepsOf(t.client_clock);
  ASSERT_TRUE(t.server_clock.Apply(StepClock{core::NtpDuration::FromWholeSeconds(1500)}).has_value());
  t.Run(300);
  EXPECT_EQ(StepsOf(t.client_clock), stepped) << "no step towards the jumped source";
  EXPECT_FALSE(t.client->system().Snapshot().synchronized());
  EXPECT_FALSE(t.client->system().system_peer());
  EXPECT_EQ(t.client->system().refusal(), core::system::Refusal::kPanic);
  EXPECT_EQ(log.Count(R"(not synchronized: offset \+1500\.0\d* s is beyond the panic threshold)"), 1);
  EXPECT_EQ(log.Count("no system peer"), 1);
  const core::report::NodeSnapshot v = t.client->Snapshot();
  ASSERT_TRUE(v.panic_offset);
  EXPECT_NEAR(v.panic_offset->Seconds(), 1500.0, 0.01);

  ASSERT_TRUE(t.server_clock.Apply(StepClock{core::NtpDuration::FromWholeSeconds(-1500)}).has_value());
  t.Run(300);  // the jumped samples must leave the clock filter first
  EXPECT_TRUE(t.client->system().Snapshot().synchronized());
  EXPECT_EQ(t.client->system().refusal(), core::system::Refusal::kNone);
  EXPECT_GE(log.Count("^system peer 10.0.0.1:123"), 2);
}

// A chain reference -> middle -> client. The reference jumps 1500 s: the middle refuses it
// (panic) and answers unsynchronized (LI = 3); the client stops following the middle on its older
// samples (ntpd's peer_unfit) and says why once, not at every reply.
TEST(NodeRefusal, AServerThatBecomesUnsynchronizedIsDroppedAndExplainedOnce) {
  Lines log;
  const core::NetAddress reference_address = *core::NetAddress::Parse("10.0.0.3:123");
  ServerClientSetup setup;  // the fixture's server is the middle node
  setup.server.sources.push_back(FastSource(reference_address));
  setup.client_log = log.Sink();
  ServerClientNodes t(setup);
  FakeClock reference_clock(kFixtureStart);
  LoopNet::NetTransport reference_transport(t.net, reference_address);
  SeededRandom reference_random(3);
  NodeConfig rc;
  rc.system.local_stratum = 1;
  rc.self_address = reference_address;
  Node reference(rc, reference_clock, reference_transport, reference_random);
  t.net.Attach(reference_address, &reference, &reference_clock);
  reference.Start();
  t.Run(200);
  ASSERT_EQ(t.server->system().Snapshot().stratum, 2);
  ASSERT_EQ(t.client->system().system_peer(), 1u);

  ASSERT_TRUE(reference_clock.Apply(StepClock{core::NtpDuration::FromWholeSeconds(1500)}).has_value());
  t.Run(200);
  ASSERT_EQ(t.server->system().refusal(), core::system::Refusal::kPanic);
  EXPECT_FALSE(t.client->system().system_peer());
  EXPECT_EQ(t.client->associations().at(1)->refusal(), core::system::Refusal::kUnsynchronized);
  EXPECT_GE(t.client->associations().at(1)->stats().Rejected(core::assoc::AssocReject::kUnsynchronized), 3u);
  EXPECT_EQ(log.Count(R"(source 10\.0\.0\.1:123: not used: it is not synchronized \(leap indicator 3\))"), 1);
  const core::report::NodeSnapshot v = t.client->Snapshot();
  ASSERT_EQ(v.sources.size(), 1u);
  EXPECT_EQ(core::control::RefusalOf(v.sources[0]), core::system::Refusal::kUnsynchronized);
}

TEST(NodeRefusal, AKissRateIsLoggedOnceAndShown) {
  Lines log;
  ServerClientSetup setup;
  setup.server.access.restricts = {
      core::server::RestrictRule::Default(core::NetAddress::Family::kIPv4,
                                          static_cast<uint32_t>(core::server::Restrict::kLimited) |
                                              static_cast<uint32_t>(core::server::Restrict::kKod))};
  setup.client_log = log.Sink();
  ServerClientNodes t(setup);
  t.Run(10);  // the iburst's 2 s spacing is over the server's limits; the next poll is at 16 s
  EXPECT_EQ(t.client->associations().at(1)->stats().Rejected(core::assoc::AssocReject::kKissRate), 1u);
  EXPECT_EQ(log.Count("source 10\\.0\\.0\\.1:123: sent kiss-o'-death RATE"), 1);
  const core::report::NodeSnapshot v = t.client->Snapshot();
  ASSERT_EQ(v.sources.size(), 1u);
  EXPECT_EQ(core::control::RefusalOf(v.sources[0]), core::system::Refusal::kKissRate);
}

}  // namespace
}  // namespace tempus::engine
