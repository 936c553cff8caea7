// Batches (engine::Node::BeginBatch/EndBatch): the datagrams of one wake-up of the daemon's loop
// share one clock reading, and their replies wait for EndBatch, which stamps them all (T3) from
// one more reading and hands them to the transport in one SendBatch.
#include <algorithm>
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
    for (const Outgoing& o : batch) routes.push_back(o.route);
    Transport::SendBatch(batch);
  }
  std::vector<uint64_t> routes;  // Outgoing::route of each datagram of every batch
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

// The daemon reads the batch's clock before its recvmmsg, so a datagram can arrive (kernel stamp,
// T2) after the batch's reading: its reply's T3 must still not be earlier than its T2 (a client
// would see a negative server time). T3 is read at EndBatch, after every datagram arrived.
TEST(NodeBatch, AReplyStampedAfterTheBatchsReadingHasItsT3NotBeforeItsT2) {
  BatchNode b;
  b.clock.set_step_per_read(core::NtpDuration::FromMicros(5));
  b.node->BeginBatch();
  const core::UnixTime after_reading = b.clock.Now() - core::NtpDuration::FromMicros(2);  // 3 µs past it
  b.node->OnDatagram(Request(), kServedClient, after_reading);
  b.node->EndBatch();
  ASSERT_EQ(b.transport.sent.size(), 1u);
  const auto reply = core::Decode(b.transport.sent[0]);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.receive_time, after_reading.ToNtp());
  EXPECT_GE(core::UnixTime::FromNtp(reply->header.transmit_time, after_reading),
            core::UnixTime::FromNtp(reply->header.receive_time, after_reading));
}

// The host's route token of a request (OnDatagram's `route`) reaches the transport with its
// reply, for the transport to send it back the way it came; a reply of the general route has none.
TEST(NodeBatch, ARepliesRouteIsItsRequests) {
  BatchNode b;
  std::vector<uint8_t> nak = Request();  // a crypto-NAK from the client: the general route
  nak.resize(core::kHeaderSize + 4, 0);
  b.node->BeginBatch();
  b.node->OnDatagram(Request(), kServedClient, b.clock.Now(), std::nullopt, (uint64_t{3} << 32) | 77);
  b.node->OnDatagram(nak, kServedClient, b.clock.Now(), std::nullopt, 78);
  b.node->OnDatagram(Request(), kServedClient, b.clock.Now());
  b.node->EndBatch();
  EXPECT_EQ(b.transport.routes, (std::vector<uint64_t>{(uint64_t{3} << 32) | 77, 0, 0}));
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

// The batch's lean route (Node::ServeInBatch -> core TryServe -> Server::HandlePlain) answers a
// plain request with the bytes and counters of the general route (OnDatagram outside a batch),
// T3 aside; what it does not take (a MAC'd request, a mode 4 packet) still goes the general way.
TEST(NodeBatch, TheLeanRouteAnswersAsTheGeneralRoute) {
  BatchNode lean;
  BatchNode general;
  const core::UnixTime rx = lean.clock.Now();
  std::vector<uint8_t> v1 = Request();
  v1[0] = static_cast<uint8_t>((v1[0] & 0xc0) | (1 << 3));  // NTPv1, mode 0
  std::vector<uint8_t> mode4 = Request();
  mode4[0] = static_cast<uint8_t>((mode4[0] & 0xf8) | 4);
  std::vector<uint8_t> nak = Request();  // a crypto-NAK from the client: answered with one
  nak.resize(core::kHeaderSize + 4, 0);
  const std::vector<std::vector<uint8_t>> requests{Request(), v1, mode4, nak};
  lean.node->BeginBatch();
  for (const auto& r : requests) lean.node->OnDatagram(r, kServedClient, rx);
  lean.node->EndBatch();
  for (const auto& r : requests) general.node->OnDatagram(r, kServedClient, rx);
  ASSERT_EQ(lean.transport.sent.size(), 3u);
  ASSERT_EQ(general.transport.sent.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    std::vector<uint8_t> a = lean.transport.sent[i];
    std::vector<uint8_t> b = general.transport.sent[i];
    ASSERT_EQ(a.size(), b.size());
    std::fill_n(a.begin() + 40, 8, uint8_t{0});  // T3: each route's own reading
    std::fill_n(b.begin() + 40, 8, uint8_t{0});
    EXPECT_EQ(a, b) << "reply " << i;
  }
  const auto& ls = lean.node->server().stats();
  const auto& gs = general.node->server().stats();
  EXPECT_EQ(ls.received, gs.received);
  EXPECT_EQ(ls.replied, gs.replied);
  EXPECT_EQ(ls.TotalDropped(), gs.TotalDropped());
  const core::report::Counters ln = lean.node->Snapshot().counters.node;
  const core::report::Counters gn = general.node->Snapshot().counters.node;
  EXPECT_EQ(ln.received, gn.received);
  EXPECT_EQ(ln.version1, gn.version1);
  EXPECT_EQ(ln.version1_zero, gn.version1_zero);
}

// A wake-up that only served time requests moved no deadline: the host skips asking
// NextDeadline (TakeDeadlineMayHaveMoved false); any other datagram may have, and says so.
TEST(NodeBatch, OnlyServedRequestsLeaveTheDeadlineWhereItWas) {
  BatchNode b;
  (void)b.node->TakeDeadlineMayHaveMoved();  // Start armed the polls
  const core::MonoTime deadline = b.node->NextDeadline();
  b.node->BeginBatch();
  for (int i = 0; i < 3; ++i) b.node->OnDatagram(Request(), kServedClient, b.clock.Now());
  b.node->EndBatch();
  EXPECT_EQ(b.transport.sent.size(), 3u);
  EXPECT_FALSE(b.node->TakeDeadlineMayHaveMoved());
  EXPECT_EQ(b.node->NextDeadline(), deadline);
  std::vector<uint8_t> mode4 = Request();  // not a request: the core's general route
  mode4[0] = static_cast<uint8_t>((mode4[0] & 0xf8) | 4);
  b.node->BeginBatch();
  b.node->OnDatagram(Request(), kServedClient, b.clock.Now());
  b.node->OnDatagram(mode4, kServedClient, b.clock.Now());
  b.node->EndBatch();
  EXPECT_TRUE(b.node->TakeDeadlineMayHaveMoved());
  EXPECT_FALSE(b.node->TakeDeadlineMayHaveMoved());  // taken
}

}  // namespace
}  // namespace tempus::engine
