// PollLoop: timers, descriptors (loopback UDP), Stop, deadlines and signals.
#include "io/poll_loop.h"

#include <poll.h>
#include <signal.h>

#include <array>
#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/udp_socket.h"

namespace tempus::io {
namespace {

using core::NtpDuration;

constexpr NtpDuration Ms(int ms) { return NtpDuration::FromRaw(ms * (NtpDuration::kUnitsPerSecond / 1000)); }

UdpSocket OpenLoopback() {
  auto s = UdpSocket::Open(*core::NetAddress::Parse("127.0.0.1"));
  TEMPUS_CHECK(s.has_value());
  return std::move(s).value();
}

void SendByte(UdpSocket& from, const UdpSocket& to) {
  const uint8_t b = 1;
  TEMPUS_CHECK(from.SendTo(std::span<const uint8_t>(&b, 1), to.local_address()).has_value());
}

TEST(PollLoop, TimersFireInDeadlineOrderThenInsertionOrder) {
  PollLoop loop;
  const core::MonoTime now = loop.Now();
  std::vector<std::string> fired;
  loop.AddTimer(now + Ms(30), [&] { fired.push_back("c"); });
  loop.AddTimer(now + Ms(10), [&] { fired.push_back("a"); });
  loop.AddTimer(now + Ms(20), [&] { fired.push_back("b1"); });
  loop.AddTimer(now + Ms(20), [&] { fired.push_back("b2"); });
  loop.AddTimer(now - Ms(5), [&] { fired.push_back("past"); });
  ASSERT_TRUE(loop.Run(now + NtpDuration::FromWholeSeconds(10)).has_value());
  EXPECT_EQ(fired, (std::vector<std::string>{"past", "a", "b1", "b2", "c"}));
  EXPECT_EQ(loop.pending_timers(), 0u);
  // Each timer ran no earlier than its deadline.
  EXPECT_GE(loop.Now(), now + Ms(30));
}

TEST(PollLoop, CancelledTimersDoNotFire) {
  PollLoop loop;
  const core::MonoTime now = loop.Now();
  int fired = 0;
  const auto keep = loop.AddTimer(now + Ms(2), [&] { ++fired; });
  const auto drop = loop.AddTimer(now + Ms(1), [&] { fired += 100; });
  // A timer may cancel another from its callback.
  PollLoop::TimerId later = 0;
  loop.AddTimer(now, [&] { EXPECT_TRUE(loop.CancelTimer(later)); });
  later = loop.AddTimer(now + Ms(3), [&] { fired += 1000; });
  EXPECT_TRUE(loop.CancelTimer(drop));
  EXPECT_FALSE(loop.CancelTimer(drop));
  ASSERT_TRUE(loop.Run(now + NtpDuration::FromWholeSeconds(10)).has_value());
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(loop.CancelTimer(keep));  // already ran
}

TEST(PollLoop, StopFromADescriptorCallbackEndsRun) {
  PollLoop loop;
  UdpSocket server = OpenLoopback();
  UdpSocket client = OpenLoopback();
  int calls = 0;
  loop.Watch(server.fd(), POLLIN, [&](short revents) {
    ++calls;
    EXPECT_TRUE(revents & POLLIN);
    std::array<uint8_t, 8> buf{};
    auto got = server.Receive(buf);
    EXPECT_TRUE(got.has_value() && got->has_value());
    loop.Stop();
  });
  bool late_fired = false;
  loop.AddTimer(loop.Now() + NtpDuration::FromWholeSeconds(30), [&] { late_fired = true; });
  SendByte(client, server);
  ASSERT_TRUE(loop.Run(loop.Now() + NtpDuration::FromWholeSeconds(30)).has_value());
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(late_fired);
  EXPECT_EQ(loop.pending_timers(), 1u);
}

TEST(PollLoop, StopBeforeRunReturnsAtOnce) {
  PollLoop loop;
  UdpSocket idle = OpenLoopback();
  loop.Watch(idle.fd(), POLLIN, [](short) { FAIL() << "nothing was sent"; });
  loop.Stop();
  ASSERT_TRUE(loop.Run(loop.Now() + NtpDuration::FromWholeSeconds(30)).has_value());
}

TEST(PollLoop, RunReturnsAtItsDeadline) {
  PollLoop loop;
  UdpSocket idle = OpenLoopback();
  loop.Watch(idle.fd(), POLLIN, [](short) { FAIL() << "nothing was sent"; });
  const core::MonoTime deadline = loop.Now() + Ms(20);
  ASSERT_TRUE(loop.Run(deadline).has_value());
  EXPECT_GE(loop.Now(), deadline);
}

TEST(PollLoop, RunWithNothingToWaitForReturns) {
  PollLoop loop;
  ASSERT_TRUE(loop.Run().has_value());
}

TEST(PollLoop, DispatchesEveryReadyDescriptorAndHonoursUnwatchDuringDispatch) {
  PollLoop loop;
  UdpSocket a = OpenLoopback();
  UdpSocket b = OpenLoopback();
  UdpSocket c = OpenLoopback();
  UdpSocket client = OpenLoopback();
  std::vector<char> seen;
  auto drain = [](UdpSocket& s) {
    std::array<uint8_t, 8> buf{};
    for (int i = 0; i < 8; ++i) {
      auto got = s.Receive(buf);
      if (!got.has_value() || !got->has_value()) break;
    }
  };
  loop.Watch(a.fd(), POLLIN, [&](short) {
    seen.push_back('a');
    drain(a);
  });
  loop.Watch(b.fd(), POLLIN, [&](short) {
    seen.push_back('b');
    drain(b);
  });
  loop.Watch(c.fd(), POLLIN, [&](short) {
    seen.push_back('c');
    drain(c);
  });
  SendByte(client, a);
  SendByte(client, b);
  // Stop once both were handled, however poll split them up; bounded by the deadline.
  loop.AddTimer(loop.Now() + Ms(1), [] {});
  int rounds = 0;
  while (seen.size() < 2 && rounds++ < 100) {
    ASSERT_TRUE(loop.Run(loop.Now() + Ms(20)).has_value());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<char>{'a', 'b'}));

  // A callback that unwatches another ready descriptor keeps it from being called.
  seen.clear();
  loop.Watch(a.fd(), POLLIN, [&](short) {
    seen.push_back('a');
    drain(a);
    loop.Unwatch(b.fd());
    loop.Unwatch(c.fd());
  });
  loop.Watch(b.fd(), POLLIN, [&](short) {
    seen.push_back('b');
    drain(b);
    loop.Unwatch(a.fd());
    loop.Unwatch(c.fd());
  });
  SendByte(client, a);
  SendByte(client, b);
  // Wait until both are readable, so one poll reports both.
  pollfd both[2] = {{a.fd(), POLLIN, 0}, {b.fd(), POLLIN, 0}};
  for (int i = 0; i < 100 && poll(both, 2, 20) < 2; ++i) {
  }
  ASSERT_TRUE(loop.Run(loop.Now() + Ms(20)).has_value());
  EXPECT_EQ(seen.size(), 1u);
}

TEST(PollLoop, SignalsRunTheirCallbackFromTheLoop) {
  struct sigaction before {};
  ASSERT_EQ(sigaction(SIGHUP, nullptr, &before), 0);
  {
    PollLoop loop;
    std::vector<int> got;
    ASSERT_TRUE(loop.HandleSignals({SIGHUP, SIGTERM, SIGINT},
                                   [&](int signal) {
                                     got.push_back(signal);
                                     if (signal == SIGTERM) loop.Stop();
                                   })
                    .has_value());
    loop.AddTimer(loop.Now(), [] { raise(SIGHUP); });
    loop.AddTimer(loop.Now() + Ms(5), [] { raise(SIGTERM); });
    bool late_fired = false;
    loop.AddTimer(loop.Now() + NtpDuration::FromWholeSeconds(30), [&] { late_fired = true; });
    ASSERT_TRUE(loop.Run(loop.Now() + NtpDuration::FromWholeSeconds(30)).has_value());
    EXPECT_EQ(got, (std::vector<int>{SIGHUP, SIGTERM}));
    EXPECT_FALSE(late_fired);
    EXPECT_TRUE(loop.polls_wake_pipe());  // the kernel's poll: the pipe closes the race
  }
  // The loop gave the signal back.
  struct sigaction after {};
  ASSERT_EQ(sigaction(SIGHUP, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

// An LD_PRELOAD simulator's poll, as clknetsim's: a descriptor it does not know (the signal
// self-pipe) is reported readable at once, and simulated time moves only while poll waits with
// nothing ready. After 1000 calls it stops the loop, so a loop that never waits ends the test.
class SimulatedPoll {
 public:
  core::MonoTime Now() const { return now_; }
  void Bind(PollLoop* loop) { loop_ = loop; }
  int Poll(pollfd* fds, nfds_t count, int timeout_ms) {
    if (++calls_ > 1000) {
      loop_->Stop();
      return 0;
    }
    int ready = 0;
    for (nfds_t i = 0; i < count; ++i) {
      fds[i].revents = (fds[i].events & POLLIN) != 0 ? POLLIN : 0;
      if (fds[i].revents != 0) ++ready;
    }
    if (ready > 0) return ready;
    TEMPUS_CHECK(timeout_ms >= 0);
    waits_.push_back(timeout_ms);
    if (on_wait) {
      // What happens during this wait: a signal, and either EINTR or a wait to its end.
      const std::function<int()> event = std::move(on_wait);
      on_wait = nullptr;
      if (event() < 0) return -1;
    }
    now_ += Ms(timeout_ms);
    return 0;
  }
  int calls() const { return calls_; }
  const std::vector<int>& waits() const { return waits_; }
  std::function<int()> on_wait;  // runs in the next wait; -1 (errno set) interrupts it

 private:
  PollLoop* loop_ = nullptr;
  core::MonoTime now_ = core::MonoTime::FromNanos(1000);
  int calls_ = 0;
  std::vector<int> waits_;
};

TEST(PollLoop, AnInterposedPollThatReportsTheSelfPipeReadableStillWaits) {
  SimulatedPoll sim;
  PollLoop loop([&] { return sim.Now(); }, [&](pollfd* f, nfds_t n, int t) { return sim.Poll(f, n, t); });
  sim.Bind(&loop);
  ASSERT_TRUE(loop.HandleSignals({SIGHUP}, [](int) {}).has_value());
  const core::MonoTime start = sim.Now();
  bool fired = false;
  loop.AddTimer(start + NtpDuration::FromWholeSeconds(10), [&] {
    fired = true;
    loop.Stop();
  });
  ASSERT_TRUE(loop.Run(start + NtpDuration::FromWholeSeconds(60)).has_value());
  EXPECT_TRUE(fired) << "simulated time stood still: " << sim.calls() << " polls, " << sim.waits().size() << " waits";
  EXPECT_GE(sim.Now(), start + NtpDuration::FromWholeSeconds(10));
  EXPECT_LT(sim.Now(), start + NtpDuration::FromWholeSeconds(10) + Ms(5));
  // Without the pipe, a wait is at most a second, so a signal that slips in before it is seen soon.
  for (int w : sim.waits()) EXPECT_LE(w, 1000);
  EXPECT_LE(sim.calls(), 12);
}

TEST(PollLoop, AnInterposedPollStillDeliversSignals) {
  SimulatedPoll sim;
  PollLoop loop([&] { return sim.Now(); }, [&](pollfd* f, nfds_t n, int t) { return sim.Poll(f, n, t); });
  sim.Bind(&loop);
  std::vector<int> got;
  core::MonoTime raised;
  ASSERT_TRUE(loop.HandleSignals({SIGHUP, SIGTERM},
                                 [&](int signal) {
                                   got.push_back(signal);
                                   if (signal == SIGTERM) loop.Stop();
                                   if (signal != SIGHUP) return;
                                   // A signal that lands just before poll and does not interrupt it.
                                   sim.on_wait = [&] {
                                     raised = sim.Now();
                                     raise(SIGTERM);
                                     return 0;
                                   };
                                 })
                  .has_value());
  // The first: raised inside the wait, which returns EINTR (clknetsim's SIGTERM at the end of a run).
  sim.on_wait = [] {
    raise(SIGHUP);
    errno = EINTR;
    return -1;
  };
  bool late_fired = false;
  loop.AddTimer(sim.Now() + NtpDuration::FromWholeSeconds(100), [&] { late_fired = true; });
  ASSERT_TRUE(loop.Run(sim.Now() + NtpDuration::FromWholeSeconds(200)).has_value());
  EXPECT_EQ(got, (std::vector<int>{SIGHUP, SIGTERM}));
  EXPECT_FALSE(late_fired);
  EXPECT_LE(sim.Now() - raised, NtpDuration::FromWholeSeconds(1));
}

TEST(PollLoop, InjectedClockDrivesTimers) {
  // A fake monotonic clock that moves 100 ms per reading (it must advance, as real time does).
  const core::MonoTime base = core::MonoTime::FromNanos(1000);
  core::MonoTime fake = base;
  PollLoop loop([&] {
    const core::MonoTime now = fake;
    fake += Ms(100);
    return now;
  });
  std::vector<int> fired;
  loop.AddTimer(base - Ms(1), [&] {
    fired.push_back(1);
    fake += Ms(1000);
  });
  loop.AddTimer(base + Ms(500), [&] { fired.push_back(2); });
  loop.AddTimer(base + Ms(5000), [&] { fired.push_back(3); });
  // The first timer jumps the fake clock past the second; the third lies beyond the deadline.
  ASSERT_TRUE(loop.Run(base + Ms(1500)).has_value());
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  EXPECT_EQ(loop.pending_timers(), 1u);
}

}  // namespace
}  // namespace tempus::io
