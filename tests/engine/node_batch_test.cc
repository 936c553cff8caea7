// Batches (engine::Node::BeginBatch/EndBatch): the datagrams of one wake-up of the daemon's loop
// share one clock reading, and their replies wait for EndBatch, which stamps them all (T3) from
// one more reading and hands them to the transport in one SendBatch.
#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/served_node.h"
#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::engine {
namespace {

std::vector<uint8_t> Request() { return testdata::FromHex(testdata::kRequests[1].hex); }

// Counts the SendBatch calls and what they carried.
class BatchSink final : public Transport {
 public:
  void Send(std::span<const uint8_t> bytes, const core::NetAddress& to) override {
    sent.emplace_back(bytes.begin(), bytes.end());
    sent_to.push_back(to);
  }
  void SendBatch(std::span<const Outgoing> batch) override {
    batches.push_back(batch.size());
    Transport::SendBatch(batch);
  }
  std::vector<std::vector<uint8_t>> sent;
  std::vector<core::NetAddress> sent_to;
  std::vector<size_t> batches;
};

struct BatchNode {
  BatchNode() {
    NodeConfig config;
    config.system.local_stratum = 1;
    node = std::make_unique<Node>(config, clock, transport, random);
    node->Start();
  }
  FakeClock clock{core::UnixTime::FromParts(1795928139, 0)};
  BatchSink transport;
  SeededRandom random{1};
  std::unique_ptr<Node> node;
};

TEST(NodeBatch, ReadsTheClockOnceForTheBatchAndOnceForItsTransmitStamps) {
  BatchNode b;
  b.clock.set_step_per_read(core::NtpDuration::FromMicros(5));
  const core::UnixTime kernel_rx = b.clock.Now();
  const FakeClock::Reads before = b.clock.reads();
  b.node->BeginBatch();
  std::vector<core::NetAddress> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(*core::NetAddress::Parse("127.0.0." + std::to_string(10 + i) + ":123"));
    b.node->OnDatagram(Request(), clients.back(), kernel_rx + core::NtpDuration::FromMicros(i));
  }
  EXPECT_TRUE(b.transport.sent.empty());  // the replies wait for the batch's end
  b.node->EndBatch();
  const FakeClock::Reads after = b.clock.reads();
  EXPECT_EQ(after.instant - before.instant, 1u);  // the batch's reading
  EXPECT_EQ(after.now - before.now, 1u);          // T3 for all five
  EXPECT_EQ(after.mono - before.mono, 0u);
  ASSERT_EQ(b.transport.batches, std::vector<size_t>{5});
  ASSERT_EQ(b.transport.sent.size(), 5u);
  EXPECT_EQ(b.transport.sent_to, clients);  // in order
  const auto first = core::Decode(b.transport.sent[0]);
  ASSERT_TRUE(first);
  for (size_t i = 0; i < 5; ++i) {
    const auto p = core::Decode(b.transport.sent[i]);
    ASSERT_TRUE(p);
    // Each its own T2 (the kernel stamp), all the one T3.
    EXPECT_EQ(p->header.receive_time, (kernel_rx + core::NtpDuration::FromMicros(static_cast<int64_t>(i))).ToNtp());
    EXPECT_EQ(p->header.transmit_time, first->header.transmit_time);
  }
  // Outside a batch, a request is answered at once, with its own two reads, as before.
  const FakeClock::Reads single = b.clock.reads();
  b.node->OnDatagram(Request(), clients[0], kernel_rx);
  EXPECT_EQ(b.transport.sent.size(), 6u);
  EXPECT_EQ(b.clock.reads().instant - single.instant, 1u);
  EXPECT_EQ(b.clock.reads().now - single.now, 1u);
}

TEST(NodeBatch, AFullBatchIsSentAndTheRestWaits) {
  BatchNode b;
  b.node->BeginBatch();
  for (int i = 0; i < 70; ++i) b.node->OnDatagram(Request(), kServedClient, b.clock.Now());
  EXPECT_EQ(b.transport.sent.size(), 64u);
  b.node->EndBatch();
  EXPECT_EQ(b.transport.sent.size(), 70u);
  EXPECT_EQ(b.transport.batches, (std::vector<size_t>{64, 6}));
  b.node->BeginBatch();  // an empty batch sends nothing
  b.node->EndBatch();
  EXPECT_EQ(b.transport.batches.size(), 2u);
}

}  // namespace
}  // namespace tempus::engine
