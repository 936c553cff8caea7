// The server route through the engine: engine::Node::OnDatagram reads the clock once and maps the
// kernel's receive stamp, the core (core::node::Node -> core::server::Server) decides and builds
// the reply, and the engine restamps T3 with one more read as the last step (FinishReply).
#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/served_node.h"
#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::engine {
namespace {

using core::server::DropReason;

std::vector<uint8_t> Request() { return testdata::FromHex(testdata::kRequests[1].hex); }

TEST(NodeServe, UsesTheKernelStampOnTheClockScaleAndStampsTransmitLast) {
  ServedNode s;
  s.clock.set_kernel_offset(core::NtpDuration::FromMillis(250));
  s.clock.set_step_per_read(core::NtpDuration::FromMicros(7));
  const auto kernel_rx = core::UnixTime::FromParts(1795928139, 0);
  const core::UnixTime before = s.clock.Now();  // the test's read; the node's next read is 7 µs later
  auto reply = s.Ask(Request(), kServedClient, kernel_rx);
  ASSERT_TRUE(reply.has_value());
  auto p = core::Decode(*reply);
  ASSERT_TRUE(p);
  // T2 = kernel stamp + the clock's 250 ms offset from the kernel clock.
  EXPECT_EQ(p->header.receive_time, (kernel_rx + core::NtpDuration::FromMillis(250)).ToNtp());
  // T3 = a clock read after the event's own read (Read), so 2 reads after `before`.
  EXPECT_EQ(p->header.transmit_time, (before + core::NtpDuration::FromMicros(14)).ToNtp());
  EXPECT_EQ(p->header.stratum, 1);  // LOCAL stratum 1
  EXPECT_EQ(s.stats().replied, 1u);
}

TEST(NodeServe, ReadsTheClockOnceForTheEventAndOnceForTheTransmitStamp) {
  ServedNode s;
  const auto kernel_rx = core::UnixTime::FromParts(1795928139, 0);
  FakeClock::Reads before = s.clock.reads();
  ASSERT_TRUE(s.Ask(Request(), kServedClient, kernel_rx));
  FakeClock::Reads after = s.clock.reads();
  EXPECT_EQ(after.instant - before.instant, 1u);  // the event's read
  EXPECT_EQ(after.now - before.now, 1u);          // T3: the restamp
  EXPECT_EQ(after.mono - before.mono, 0u);
  // A dropped request is never restamped.
  before = s.clock.reads();
  ASSERT_FALSE(s.Ask(testdata::FromHex(testdata::kResponses[0].hex), core::NetAddress(), kernel_rx));
  after = s.clock.reads();
  EXPECT_EQ(after.instant - before.instant, 1u);
  EXPECT_EQ(after.now - before.now, 0u);
}

TEST(NodeServe, CountsDropsByReason) {
  ServedNode s;
  const uint64_t received = s.stats().received;
  EXPECT_FALSE(s.Ask(std::vector<uint8_t>(10, 0x23)));
  EXPECT_FALSE(s.Ask(testdata::FromHex(testdata::kResponses[0].hex)));  // mode 4 from no source of ours
  EXPECT_FALSE(s.Ask(std::vector<uint8_t>(48, 0x27)));                  // mode 7
  EXPECT_EQ(s.stats().received - received, 2u);  // a reply goes to the associations, not the server
  EXPECT_EQ(s.stats().replied, 0u);
  EXPECT_EQ(s.Dropped(DropReason::kTooShort), 1u);
  EXPECT_EQ(s.Dropped(DropReason::kPrivateMode), 1u);
}

TEST(NodeServe, ServesNothingWhenServeIsOff) {
  NodeConfig config;
  config.serve = false;
  ServedNode s(config);
  EXPECT_FALSE(s.Ask(Request()));
  EXPECT_EQ(s.stats().received, 0u);
}

}  // namespace
}  // namespace tempus::engine
