// The Node with a leap table: the reply's LI, the clock's leap bits and mode 6's leap view.
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "engine/node.h"
#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::engine {
namespace {

class RecordingTransport : public Transport {
 public:
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
    sent.emplace_back(std::vector<uint8_t>(bytes.begin(), bytes.end()), to);
  }
  std::vector<std::pair<std::vector<uint8_t>, core::NetAddress>> sent;
};

const core::NetAddress kClient = core::NetAddress::IPv4({127, 0, 0, 1}, 40123);
const core::UnixTime kDec31Noon2016 = core::UnixTime::FromParts(1483185600, 0);

core::LeapTable Table() {
  core::LeapTable t;
  t.entries = {{2272060800, 10}, {3644697600, 36}, {3692217600, 37}};
  t.expires = 3707596800;  // 2017-06-28
  return t;
}

// The LI of the node's reply to a client request.
std::optional<core::Leap> ReplyLeap(Node& node, FakeClock& clock, RecordingTransport& transport) {
  transport.sent.clear();
  node.OnDatagram(testdata::FromHex(testdata::kRequests[1].hex), kClient, clock.Now());
  for (const auto& [bytes, to] : transport.sent) {
    if (to != kClient) continue;
    auto p = core::Decode(bytes);
    if (p) return p->header.leap;
  }
  return std::nullopt;
}

TEST(NodeLeap, LocalReferenceAnnouncesTheTablesLeapOnTheWireAndToTheClock) {
  NodeConfig config;
  config.system.local_stratum = 8;
  config.system.leap_table = Table();
  FakeClock clock{kDec31Noon2016};
  RecordingTransport transport;
  SeededRandom random{1};
  Node node(config, clock, transport, random);
  node.Start();
  ASSERT_EQ(node.system().Snapshot().stratum, 8);
  EXPECT_EQ(ReplyLeap(node, clock, transport), core::Leap::kInsertSecond);
  std::optional<core::Leap> kernel;
  for (const auto& c : clock.applied()) {
    if (const auto* s = std::get_if<core::discipline::SetSyncStatus>(&c)) kernel = s->leap;
  }
  EXPECT_EQ(kernel, core::Leap::kInsertSecond);
  const core::report::NodeSnapshot view = node.Snapshot();
  ASSERT_TRUE(view.leap_table);
  EXPECT_EQ(view.leap_table->tai_utc, 36);
  EXPECT_EQ(view.leap_table->last_leap, 3692217600);
  EXPECT_EQ(view.leap_table->expires, 3707596800);

  // A reread leapfile that is gone: no table, no announcement, nothing in mode 6.
  node.SetLeapTable(std::nullopt);
  EXPECT_EQ(ReplyLeap(node, clock, transport), core::Leap::kNoWarning);
  EXPECT_FALSE(node.Snapshot().leap_table);
}

}  // namespace
}  // namespace tempus::engine
