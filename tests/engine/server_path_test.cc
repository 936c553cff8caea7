#include "engine/server_path.h"

#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "testdata/hex.h"
#include "testdata/ntp_vectors.h"

namespace tempus::engine {
namespace {

core::system::SystemSnapshot Synced() {
  core::system::SystemSnapshot s;
  s.leap = core::Leap::kNoWarning;
  s.stratum = 2;
  return s;
}

TEST(ServerPath, UsesTheKernelStampOnTheClockScaleAndStampsTransmitLast) {
  FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
  clock.set_kernel_offset(core::NtpDuration::FromMillis(250));
  clock.set_step_per_read(core::NtpDuration::FromMicros(7));
  ServerPath path(clock);
  path.Publish(Synced());
  const auto kernel_rx = core::UnixTime::FromParts(1795928139, 0);
  auto reply = path.Handle(testdata::FromHex(testdata::kRequests[1].hex), kernel_rx);
  ASSERT_TRUE(reply.has_value());
  auto p = core::Decode(*reply);
  ASSERT_TRUE(p);
  // T2 = kernel stamp + the clock's 250 ms offset from the kernel clock.
  EXPECT_EQ(p->header.receive_time, (kernel_rx + core::NtpDuration::FromMillis(250)).ToNtp());
  // T3 = a clock read after building the reply.
  EXPECT_EQ(p->header.transmit_time, core::UnixTime::FromParts(1795928139, 0).ToNtp());
  EXPECT_EQ(p->header.stratum, 2);
  EXPECT_EQ(path.stats().replied, 1u);
}

TEST(ServerPath, WithoutKernelStampReadsTheClock) {
  FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
  clock.set_step_per_read(core::NtpDuration::FromMicros(5));
  ServerPath path(clock);
  path.Publish(Synced());
  auto reply = path.Handle(testdata::FromHex(testdata::kRequests[1].hex), std::nullopt);
  ASSERT_TRUE(reply);
  auto p = core::Decode(*reply);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.transmit_time - p->header.receive_time, core::NtpDuration::FromMicros(5));
}

// A FakeClock that counts its reads.
class CountingClock : public FakeClock {
 public:
  using FakeClock::FakeClock;
  core::UnixTime Now() override {
    ++now_reads;
    return FakeClock::Now();
  }
  core::MonoTime Mono() override {
    ++mono_reads;
    return FakeClock::Mono();
  }
  core::UnixTime FromKernelRealtime(core::UnixTime k) override {
    ++kernel_maps;
    return FakeClock::FromKernelRealtime(k);
  }
  int now_reads = 0, mono_reads = 0, kernel_maps = 0;
};

TEST(ServerPath, ReadsTheClockOnceForTheReceiveTimeAndOnceForTheTransmitStamp) {
  CountingClock clock(core::UnixTime::FromParts(1795928139, 0));
  ServerPath path(clock);
  path.Publish(Synced());
  const auto kernel_rx = core::UnixTime::FromParts(1795928139, 0);
  ASSERT_TRUE(path.Handle(testdata::FromHex(testdata::kRequests[1].hex), kernel_rx));
  EXPECT_EQ(clock.kernel_maps, 1);  // T2: the kernel stamp on the clock's scale
  EXPECT_EQ(clock.now_reads, 1);    // T3: the restamp
  EXPECT_EQ(clock.mono_reads, 1);   // the rate limiter's now
  // A dropped request is never restamped.
  ASSERT_FALSE(path.Handle(testdata::FromHex(testdata::kResponses[0].hex), kernel_rx));
  EXPECT_EQ(clock.now_reads, 1);
  // Without a kernel stamp, T2 is a read.
  ASSERT_TRUE(path.Handle(testdata::FromHex(testdata::kRequests[1].hex), std::nullopt));
  EXPECT_EQ(clock.now_reads, 3);
}

TEST(ServerPath, CountsDropsByReason) {
  FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
  ServerPath path(clock);
  path.Publish(Synced());
  EXPECT_FALSE(path.Handle(std::vector<uint8_t>(10, 0x23), std::nullopt));
  EXPECT_FALSE(path.Handle(testdata::FromHex(testdata::kResponses[0].hex), std::nullopt));
  EXPECT_EQ(path.stats().received, 2u);
  EXPECT_EQ(path.stats().replied, 0u);
  EXPECT_EQ(path.stats().dropped[static_cast<size_t>(core::server::DropReason::kTooShort)], 1u);
  EXPECT_EQ(path.stats().dropped[static_cast<size_t>(core::server::DropReason::kServerMode)], 1u);
}

}  // namespace
}  // namespace tempus::engine
