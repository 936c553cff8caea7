#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "core/wire/mode6.h"
#include "engine/fake_clock.h"
#include "engine/node.h"

namespace tempus::engine {
namespace {

using core::mode6::Opcode;

struct Sent {
  std::vector<uint8_t> bytes;
  core::NetAddress to;
};

class RecordingTransport : public Transport {
 public:
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
    sent.push_back({std::vector<uint8_t>(bytes.begin(), bytes.end()), to});
  }
  std::vector<Sent> sent;
};

struct Fixture {
  explicit Fixture(NodeConfig config = {}) : node(WithSource(std::move(config)), clock, transport, random) {}
  static NodeConfig WithSource(NodeConfig config) {
    core::assoc::AssociationConfig source;
    source.address = core::NetAddress::IPv4({127, 0, 0, 2}, 123);
    config.sources.push_back(source);
    return config;
  }
  FakeClock clock{core::UnixTime::FromParts(1795928139, 0)};
  RecordingTransport transport;
  SeededRandom random{1};
  Node node;
};

const core::NetAddress kLoopback = core::NetAddress::IPv4({127, 0, 0, 1}, 40000);
const core::NetAddress kRemote = core::NetAddress::IPv4({192, 0, 2, 7}, 40000);

TEST(NodeControl, AnswersNtpqFromLoopbackOnly) {
  Fixture f;
  const auto request = core::mode6::EncodeRequest(Opcode::kReadStatus, 5, 0);
  f.node.OnDatagram(request, kRemote, f.clock.Now());
  EXPECT_TRUE(f.transport.sent.empty());
  f.node.OnDatagram(request, kLoopback, f.clock.Now());
  ASSERT_EQ(f.transport.sent.size(), 1u);
  EXPECT_EQ(f.transport.sent[0].to, kLoopback);
  auto m = core::mode6::Decode(f.transport.sent[0].bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->header.sequence, 5);
  auto list = core::mode6::ParseStatusList(m->data);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].association_id, 1);                                        // the Node's association id
  const core::report::Counters view = core::report::SysStats(f.node.Snapshot());  // ntpq sysstats
  EXPECT_EQ(view.control_requests, 2u);
  EXPECT_EQ(view.restricted, 1u);
  EXPECT_EQ(view.old_version, 2u);  // ntpq's VN=2
}

TEST(NodeControl, ConfigCanOpenOrCloseTheControlPath) {
  NodeConfig open;
  open.control_from_any = true;
  Fixture f(open);
  const auto request = core::mode6::EncodeRequest(Opcode::kReadVariables, 1, 0);
  f.node.OnDatagram(request, kRemote, f.clock.Now());
  EXPECT_EQ(f.transport.sent.size(), 1u);

  NodeConfig closed;
  closed.control = false;
  Fixture g(closed);
  g.node.OnDatagram(request, kLoopback, g.clock.Now());
  EXPECT_TRUE(g.transport.sent.empty());
}

TEST(NodeControl, AnswersEvenWhenNotServingTimeAndNeverAnswersResponses) {
  NodeConfig quiet;
  quiet.serve = false;
  Fixture f(quiet);
  auto request = core::mode6::EncodeRequest(Opcode::kReadVariables, 1, 1);
  f.node.OnDatagram(request, kLoopback, f.clock.Now());
  // The default peer variables (with the filter stages) take two fragments, as from NTPsec.
  const size_t answer = f.transport.sent.size();
  ASSERT_EQ(answer, 2u);
  auto m = core::mode6::Decode(f.transport.sent[0].bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->header.association_id, 1);
  EXPECT_FALSE(m->header.error);
  EXPECT_TRUE(m->header.more);
  // Feeding our own answer back is dropped (no loop).
  for (size_t i = 0; i < answer; ++i) f.node.OnDatagram(f.transport.sent[i].bytes, kLoopback, f.clock.Now());
  EXPECT_EQ(f.transport.sent.size(), answer);
}

// The rate limit and access rules are core::control::ControlServer's (tests/core/control); here,
// that the Node routes mode 6 through it and that sysstats and Prometheus read its one counter set.
TEST(NodeControl, FloodIsLimitedAndSysstatsReadTheControlServersCounters) {
  Fixture f;
  const auto request = core::mode6::EncodeRequest(Opcode::kReadVariables, 1, 0);
  // 10 s of 1000 requests per second from one loopback address, and 1000 from a remote one.
  for (int ms = 0; ms < 10'000; ++ms) {
    f.node.OnDatagram(request, kLoopback, f.clock.Now());
    f.clock.Advance(core::NtpDuration::FromNanos(1'000'000));
  }
  for (int i = 0; i < 1000; ++i) f.node.OnDatagram(request, kRemote, f.clock.Now());
  const core::report::ControlStats st = f.node.Snapshot().counters.control;
  using core::report::ControlDrop;
  EXPECT_EQ(st.requests, 11'000u);
  EXPECT_EQ(st.Dropped(ControlDrop::kRestricted), 1000u);
  EXPECT_GT(st.Dropped(ControlDrop::kClientRate), 9000u);
  EXPECT_EQ(st.answered, 10'000u - st.Dropped(ControlDrop::kClientRate));
  EXPECT_EQ(st.datagrams_sent, f.transport.sent.size());
  const core::report::Counters c = core::report::SysStats(f.node.Snapshot());  // ntpq sysstats
  EXPECT_EQ(c.control_requests, st.requests);
  EXPECT_EQ(c.limited, st.Dropped(ControlDrop::kClientRate));
  EXPECT_EQ(c.restricted, st.Dropped(ControlDrop::kRestricted));
  EXPECT_EQ(c.received, 11'000u);
}

}  // namespace
}  // namespace tempus::engine
