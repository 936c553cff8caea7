// UdpSocket::ReceiveMany and SendMany: recvmmsg/sendmmsg with the kernel stamp and destination
// address of every datagram, and the one-datagram path a platform without the batch calls gets
// (clknetsim has no sendmmsg; a seccomp filter or an old kernel may refuse either).
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "io/udp_socket.h"

namespace tempus::io {
namespace {

using core::NetAddress;

int refused_recv_calls = 0;
int refused_send_calls = 0;
int RefuseRecvmmsg(int, mmsghdr*, unsigned int, int, timespec*) {
  ++refused_recv_calls;
  errno = ENOSYS;
  return -1;
}
int RefuseSendmmsg(int, mmsghdr*, unsigned int, int) {
  ++refused_send_calls;
  errno = ENOSYS;
  return -1;
}

bool WaitReadableFor(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) == 1;
}
bool WaitReadable(int fd) { return WaitReadableFor(fd, 2000); }

std::vector<uint8_t> Payload(int i) {
  const std::string s = "datagram " + std::to_string(i);
  return {s.begin(), s.end()};
}

// Server `options` on a wildcard address (so that the destination address is reported): the
// client sends it 5 datagrams to `loopback` (127.0.0.1, or ::1 with `wildcard` ::), the server
// reads them in one ReceiveMany and answers each with one SendMany from the address it was
// reached at; the client reads the 5 answers.
void ExchangeFive(const UdpOptions& options, bool batched_after_receive, bool batched_after_send,
                  const char* wildcard = "0.0.0.0", const char* loopback = "127.0.0.1") {
  auto server = UdpSocket::Open(*NetAddress::Parse(wildcard), options);
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  auto client = UdpSocket::Open(*NetAddress::Parse(loopback));
  if (!client.has_value() && NetAddress::Parse(loopback)->is_v6()) GTEST_SKIP() << "no IPv6 loopback";
  ASSERT_TRUE(client.has_value());
  const NetAddress target = NetAddress::Parse(loopback)->WithPort(server->local_address().port());
  std::vector<uint8_t> storage(8 * 64);
  std::array<std::span<uint8_t>, 8> buffers;
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i] = std::span(storage).subspan(i * 64, 64);
  std::array<Datagram, 8> slots;
  // The first socket on the machine that asks for software receive stamps turns the kernel's
  // stamping on through deferred work (net_enable_timestamp schedules netstamp_work), so a
  // datagram that arrives before that work ran has no stamp: CI saw one of the five without. The
  // daemon falls back to the time after recvmsg for such a datagram; here, probe (bounded: 50
  // probes, 20 ms apart) until a stamp arrives, then every one of the five must carry its own.
  bool stamping = false;
  for (int probe = 0; probe < 50 && !stamping; ++probe) {
    ASSERT_TRUE(client->SendTo(Payload(99), target).has_value());
    if (!WaitReadable(server->fd())) continue;
    auto got = server->ReceiveMany(buffers, slots);
    ASSERT_TRUE(got.has_value()) << got.error().ToString();
    for (size_t i = 0; i < *got; ++i) stamping = stamping || slots[i].kernel_rx.has_value();
    if (!stamping) usleep(20'000);
  }
  EXPECT_TRUE(stamping) << "no SO_TIMESTAMPING receive stamp in 50 probes";
  while (WaitReadableFor(server->fd(), 0)) {  // late probes must not take the five's slots
    auto got = server->ReceiveMany(buffers, slots);
    ASSERT_TRUE(got.has_value()) << got.error().ToString();
  }
  slots = {};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->SendTo(Payload(i), target).has_value());
  ASSERT_TRUE(WaitReadable(server->fd()));
  // Only the client's datagrams count: a test in another process may send to a port it just
  // freed, which the kernel can give this server (UdpSocketTest's closed port).
  const auto ours = [&](size_t upto) {
    std::vector<size_t> index;
    for (size_t i = 0; i < upto; ++i) {
      if (slots[i].from == client->local_address()) index.push_back(i);
    }
    return index;
  };
  size_t total = 0;
  for (int tries = 0; tries < 50 && total < slots.size() && ours(total).size() < 5; ++tries) {
    auto got = server->ReceiveMany(std::span(buffers).subspan(total), std::span(slots).subspan(total));
    ASSERT_TRUE(got.has_value()) << got.error().ToString();
    total += *got;
    // Loopback hands a datagram over in a softirq, which a loaded machine can defer past the
    // sender's return: wait (bounded) rather than spin through the tries.
    if (*got == 0 && !WaitReadable(server->fd())) break;
  }
  const std::vector<size_t> mine = ours(total);
  ASSERT_EQ(mine.size(), 5u);
  EXPECT_EQ(server->batched(), batched_after_receive);
  std::vector<Outgoing> answers;
  for (size_t k = 0; k < mine.size(); ++k) {
    const size_t i = mine[k];
    const Datagram& d = slots[i];
    EXPECT_EQ(std::vector<uint8_t>(buffers[i].begin(), buffers[i].begin() + static_cast<long>(d.size)),
              Payload(static_cast<int>(k)));
    ASSERT_TRUE(d.local.has_value());
    EXPECT_EQ(*d.local, target);
    // Every datagram keeps its own kernel receive stamp (SO_TIMESTAMPING), in arrival order.
    ASSERT_TRUE(d.kernel_rx.has_value()) << i;
    EXPECT_EQ(d.rx_realtime, *d.kernel_rx);
    if (k > 0) {
      EXPECT_LE(*slots[mine[k - 1]].kernel_rx, *d.kernel_rx);
    }
    answers.push_back(Outgoing{std::span<const uint8_t>(buffers[i].data(), d.size), &d.from, &*d.local});
  }
  EXPECT_EQ(server->SendMany(answers), 0u);
  EXPECT_EQ(server->batched(), batched_after_send);
  int answered = 0;
  for (int reads = 0; reads < 20 && answered < 5; ++reads) {  // strays from elsewhere skipped, as above
    ASSERT_TRUE(WaitReadable(client->fd()));
    std::array<uint8_t, 64> buf{};
    auto got = client->Receive(buf);
    ASSERT_TRUE(got.has_value() && got->has_value());
    if ((*got)->from != target) continue;  // answers come from the address they were sent to
    EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>((*got)->size)), Payload(answered));
    ++answered;
  }
  EXPECT_EQ(answered, 5);
}

// A reply token (Datagram::reply_to, the low half of Outgoing::route) sends the reply to the datagram's
// sender from the address it reached, taken from the receive slot as the kernel filled it (not
// from `to`, which the first exchange sets wrong on purpose); once another ReceiveMany filled the
// slot, the token is stale and `to` and `local` are used (else the reply would go to the new
// datagram's sender).
TEST(UdpBatch, AReplyTokenTakesTheAddressesAsReceivedUntilTheNextReceive) {
  auto server = UdpSocket::Open(*NetAddress::Parse("0.0.0.0"));
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  const uint16_t port = server->local_address().port();
  auto a = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"));
  auto b = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"));
  ASSERT_TRUE(a.has_value() && b.has_value());
  std::vector<uint8_t> storage(4 * 64);
  std::array<std::span<uint8_t>, 4> buffers;
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i] = std::span(storage).subspan(i * 64, 64);
  std::array<Datagram, 4> slots;
  // A datagram of `from` (to 127.0.0.`host`) read with ReceiveMany (the batch path, which gives
  // tokens): strays from other tests skipped.
  const auto receive_from = [&](UdpSocket& from, int host) -> std::optional<Datagram> {
    const NetAddress to = NetAddress::IPv4(std::array<uint8_t, 4>{127, 0, 0, static_cast<uint8_t>(host)}, port);
    for (int tries = 0; tries < 20; ++tries) {
      if (!from.SendTo(Payload(host), to).has_value()) return std::nullopt;
      if (!WaitReadable(server->fd())) continue;
      auto got = server->ReceiveMany(buffers, slots);
      if (!got.has_value()) return std::nullopt;
      for (size_t i = 0; i < *got; ++i) {
        if (slots[i].from == from.local_address()) return slots[i];
      }
    }
    return std::nullopt;
  };
  // The reply `to` reads: its payload and where it came from.
  const auto reply_of = [](UdpSocket& to) -> std::optional<std::pair<std::vector<uint8_t>, NetAddress>> {
    if (!WaitReadable(to.fd())) return std::nullopt;
    std::array<uint8_t, 64> buf{};
    auto got = to.Receive(buf);
    if (!got.has_value() || !got->has_value()) return std::nullopt;
    return std::pair{std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>((*got)->size)), (*got)->from};
  };
  const NetAddress nowhere = *NetAddress::Parse("127.0.0.9:9");
  const std::vector<uint8_t> first = Payload(1);
  const std::vector<uint8_t> second = Payload(2);

  // A fresh token: the slot's addresses, though `to` names another.
  const std::optional<Datagram> from_b = receive_from(*b, 3);
  ASSERT_TRUE(from_b.has_value());
  ASSERT_NE(from_b->reply_to, 0u);
  ASSERT_TRUE(from_b->local.has_value());
  const std::array<Outgoing, 2> fresh{Outgoing{first, &nowhere, &*from_b->local, from_b->reply_to},
                                      Outgoing{second, &nowhere, &*from_b->local, from_b->reply_to}};
  EXPECT_EQ(server->SendMany(fresh), 0u);
  for (const auto& want : {first, second}) {
    const auto got = reply_of(*b);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->first, want);
    EXPECT_EQ(got->second, NetAddress::IPv4(std::array<uint8_t, 4>{127, 0, 0, 3}, port));  // from where it was sent
  }

  // A stale token (slot 0 now holds a's datagram to 127.0.0.4): b's reply goes by `to` and `local`.
  const std::optional<Datagram> from_a = receive_from(*a, 4);
  ASSERT_TRUE(from_a.has_value());
  ASSERT_TRUE(from_a->local.has_value());
  const std::array<Outgoing, 2> mixed{Outgoing{first, &from_b->from, &*from_b->local, from_b->reply_to},
                                      Outgoing{second, &from_a->from, &*from_a->local, from_a->reply_to}};
  EXPECT_EQ(server->SendMany(mixed), 0u);
  const auto to_b = reply_of(*b);
  ASSERT_TRUE(to_b.has_value());
  EXPECT_EQ(to_b->first, first);
  EXPECT_EQ(to_b->second, NetAddress::IPv4(std::array<uint8_t, 4>{127, 0, 0, 3}, port));
  const auto to_a = reply_of(*a);
  ASSERT_TRUE(to_a.has_value());
  EXPECT_EQ(to_a->first, second);
  EXPECT_EQ(to_a->second, NetAddress::IPv4(std::array<uint8_t, 4>{127, 0, 0, 4}, port));
  EXPECT_FALSE(WaitReadableFor(a->fd(), 50)) << "b's reply went to a";
}

// A socket bound to one address (as tempusd's `listen 127.0.0.1`): ReceiveMany reads each
// datagram's kernel stamp from a control area that holds it alone (no pktinfo asked for) and gives
// the bound address as its destination; SendMany's replies leave from the bound address whatever
// local address an Outgoing names (a local address is used only on a wildcard socket), with a
// fresh token and with none, and so does SendTo's.
TEST(UdpBatch, ABoundSocketReadsTheStampAloneAndAnswersFromItsAddress) {
  auto server = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"));
  auto client = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"));
  ASSERT_TRUE(server.has_value() && client.has_value());
  if (!server->kernel_timestamps()) GTEST_SKIP() << "no SO_TIMESTAMPING here";
  std::vector<uint8_t> storage(4 * 64);
  std::array<std::span<uint8_t>, 4> buffers;
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i] = std::span(storage).subspan(i * 64, 64);
  std::array<Datagram, 4> slots;
  timespec ts{};
  ASSERT_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
  const core::UnixTime before = core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
  // Strays from other tests skipped; so is a datagram without a stamp, which the first ones after
  // the first socket of the machine asked for stamps can be (the kernel turns them on deferred).
  std::optional<Datagram> got_one;
  for (int tries = 0; tries < 50 && !(got_one && got_one->kernel_rx); ++tries) {
    if (got_one) usleep(10000);  // stamps not on yet: give the kernel's deferred work 10 ms
    ASSERT_TRUE(client->SendTo(Payload(7), server->local_address()).has_value());
    ASSERT_TRUE(WaitReadable(server->fd()));
    auto got = server->ReceiveMany(buffers, slots);
    ASSERT_TRUE(got.has_value());
    for (size_t i = 0; i < *got; ++i) {
      if (slots[i].from == client->local_address()) got_one = slots[i];
    }
  }
  ASSERT_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
  const core::UnixTime after = core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
  ASSERT_TRUE(got_one.has_value());
  const Datagram& d = *got_one;
  if (!d.kernel_rx.has_value()) GTEST_SKIP() << "the kernel gave no software stamp";
  EXPECT_LE(before, *d.kernel_rx);
  EXPECT_LE(*d.kernel_rx, after);
  EXPECT_EQ(d.rx_realtime, *d.kernel_rx);
  ASSERT_TRUE(d.local.has_value());
  EXPECT_EQ(*d.local, server->local_address());
  ASSERT_NE(d.reply_to, 0u);

  const NetAddress elsewhere = NetAddress::Parse("127.0.0.3")->WithPort(server->local_address().port());
  const std::vector<uint8_t> first = Payload(1);
  const std::vector<uint8_t> second = Payload(2);
  const std::array<Outgoing, 2> replies{Outgoing{first, &d.from, &elsewhere, d.reply_to},
                                        Outgoing{second, &d.from, &elsewhere, 0}};
  EXPECT_EQ(server->SendMany(replies), 0u);
  // SendTo, the one-datagram path, by the same rule.
  const std::vector<uint8_t> third = Payload(3);
  ASSERT_TRUE(server->SendTo(third, d.from, elsewhere).has_value());
  for (const auto& want : {first, second, third}) {
    ASSERT_TRUE(WaitReadable(client->fd()));
    std::array<uint8_t, 64> buf{};
    auto got = client->Receive(buf);
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>((*got)->size)), want);
    EXPECT_EQ((*got)->from, server->local_address());
  }
}

TEST(UdpBatch, ReceivesAndSendsManyWithRecvmmsgAndSendmmsg) { ExchangeFive(UdpOptions{}, true, true); }

// IPv6: the destination from IPV6_PKTINFO, the answers from it (an IPV6_PKTINFO message each).
TEST(UdpBatch, ReceivesAndSendsManyOverIPv6) { ExchangeFive(UdpOptions{}, true, true, "::", "::1"); }

// ReceiveMany does not clear a slot before filling it: what the last datagram in it had (its
// destination address, its kernel stamp, its sender) must not stay for one that came without.
TEST(UdpBatch, ASlotKeepsNothingOfTheDatagramBefore) {
  auto with = UdpSocket::Open(*NetAddress::Parse("0.0.0.0"));
  UdpOptions bare;
  bare.destination_address = false;
  bare.kernel_timestamps = false;
  auto without = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"), bare);
  auto client = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"));
  ASSERT_TRUE(with.has_value() && without.has_value() && client.has_value());
  std::vector<uint8_t> storage(2 * 64);
  std::array<std::span<uint8_t>, 2> buffers{std::span(storage).first(64), std::span(storage).subspan(64, 64)};
  std::array<Datagram, 2> slots;
  const NetAddress to_with = NetAddress::Parse("127.0.0.1")->WithPort(with->local_address().port());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(client->SendTo(Payload(i), to_with).has_value());
  size_t got = 0;
  for (int tries = 0; tries < 20 && got < 2; ++tries) {
    if (!WaitReadable(with->fd())) break;
    auto n = with->ReceiveMany(std::span(buffers).subspan(got), std::span(slots).subspan(got));
    ASSERT_TRUE(n.has_value());
    got += *n;
  }
  ASSERT_EQ(got, 2u);
  ASSERT_TRUE(slots[0].local.has_value());
  ASSERT_TRUE(client->SendTo(Payload(7), without->local_address()).has_value());
  ASSERT_TRUE(WaitReadable(without->fd()));
  auto n = without->ReceiveMany(buffers, slots);
  ASSERT_TRUE(n.has_value());
  ASSERT_EQ(*n, 1u);
  EXPECT_FALSE(slots[0].local.has_value());
  EXPECT_FALSE(slots[0].kernel_rx.has_value());
  EXPECT_EQ(slots[0].from, client->local_address());
  EXPECT_EQ(slots[0].size, Payload(7).size());
}

TEST(UdpBatch, FallsBackToOneDatagramAtATimeWhenTheBatchCallsAreRefused) {
  refused_recv_calls = refused_send_calls = 0;
  UdpOptions options;
  options.recvmmsg_call = &RefuseRecvmmsg;
  options.sendmmsg_call = &RefuseSendmmsg;
  ExchangeFive(options, false, false);
  // Each was tried once, then never again.
  EXPECT_EQ(refused_recv_calls, 1);
  EXPECT_EQ(refused_send_calls, 0);  // the socket already knew: no batch calls after the first refusal
}

TEST(UdpBatch, FallsBackWhenOnlySendmmsgIsMissingAsUnderClknetsim) {
  refused_send_calls = 0;
  UdpOptions options;
  options.sendmmsg_call = &RefuseSendmmsg;
  ExchangeFive(options, true, false);
  EXPECT_EQ(refused_send_calls, 1);
}

TEST(UdpBatch, SwitchedOffUsesNoBatchCall) {
  refused_recv_calls = refused_send_calls = 0;
  UdpOptions options;
  options.batched = false;
  options.recvmmsg_call = &RefuseRecvmmsg;
  options.sendmmsg_call = &RefuseSendmmsg;
  ExchangeFive(options, false, false);
  EXPECT_EQ(refused_recv_calls + refused_send_calls, 0);
}

}  // namespace
}  // namespace tempus::io
