// The engine reads the clock once per event (Clock::Read) and the core works from that reading:
// no event of the client side reads the clock again, however much it does (a poll, a reply that
// feeds the filter, selection and the discipline, a step). A served request reads it once more,
// for the transmit stamp written as the last step before sending (engine/reply.h FinishReply).
#include <gtest/gtest.h>

#include "engine/node_fixture.h"

namespace tempus::engine {
namespace {

struct Delta {
  uint64_t instant, now, mono;
};

Delta Between(const FakeClock::Reads& before, const FakeClock::Reads& after) {
  return {after.instant - before.instant, after.now - before.now, after.mono - before.mono};
}

TEST(NodeClockReads, EveryEventReadsTheClockOnceAndAServedRequestOnceMore) {
  ServerClientSetup setup;
  setup.client_ahead = core::NtpDuration::FromSeconds(2);  // the client steps once
  ServerClientNodes t(std::move(setup));
  int timers = 0, replies = 0, served = 0;
  for (int step = 0; step < 600; ++step) {  // 60 s: the iburst, then 16 s polls
    t.client_clock.Advance(core::NtpDuration::FromMillis(100));
    t.server_clock.Advance(core::NtpDuration::FromMillis(100));
    if (t.client->NextDeadline() <= t.client_clock.Mono()) {
      const FakeClock::Reads before = t.client_clock.reads();
      t.client->OnTimer();
      const Delta d = Between(before, t.client_clock.reads());
      EXPECT_EQ(d.instant, 1u) << "timer at step " << step;
      EXPECT_EQ(d.now + d.mono, 0u) << "timer at step " << step;
      ++timers;
    }
    for (LoopNet::Datagram& dg : t.net.TakeQueued()) {
      if (dg.to == kFixtureServer) {
        const core::UnixTime server_rx = t.server_clock.Now();  // the kernel's stamp
        const FakeClock::Reads server_before = t.server_clock.reads();
        const uint64_t replied = t.server->server().stats().replied;
        t.server->OnDatagram(dg.bytes, dg.from, server_rx);
        const Delta sd = Between(server_before, t.server_clock.reads());
        ASSERT_EQ(t.server->server().stats().replied, replied + 1) << "request at step " << step;
        EXPECT_EQ(sd.instant, 1u) << "request at step " << step;
        EXPECT_EQ(sd.now, 1u) << "request at step " << step;  // the restamp of T3
        EXPECT_EQ(sd.mono, 0u) << "request at step " << step;
        ++served;
        for (LoopNet::Datagram& reply : t.net.TakeQueued()) {
          ASSERT_EQ(reply.to, kFixtureClient);
          const core::UnixTime rx = t.client_clock.Now();  // the kernel's stamp, not the Node's read
          const FakeClock::Reads before = t.client_clock.reads();
          t.client->OnDatagram(reply.bytes, reply.from, rx);
          const Delta d = Between(before, t.client_clock.reads());
          EXPECT_EQ(d.instant, 1u) << "reply at step " << step;
          EXPECT_EQ(d.now + d.mono, 0u) << "reply at step " << step;
          ++replies;
        }
      }
    }
  }
  EXPECT_GE(timers, 8);
  EXPECT_GE(replies, 8);
  EXPECT_EQ(served, replies);
  EXPECT_GE(t.client->steps(), 1u);  // the path with a step was taken
  EXPECT_TRUE(t.client->system().system_peer().has_value());
}

}  // namespace
}  // namespace tempus::engine
