// UdpSocket on loopback only: 127.0.0.1, and ::1 when the kernel has it.
#include "io/udp_socket.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <gtest/gtest.h>

#include "io/sockaddr.h"

namespace tempus::io {
namespace {

using core::NetAddress;

core::UnixTime Realtime() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return core::UnixTime::FromTimespec(ts.tv_sec, ts.tv_nsec);
}

// Waits (bounded, 2 s) until `fd` is readable or has an error pending.
bool WaitReadable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 2000) == 1;
}

std::span<const uint8_t> Bytes(const char* s) { return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)}; }

class UdpSocketTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    loopback_ = *NetAddress::Parse(GetParam());
    auto probe = UdpSocket::Open(loopback_);
    if (!probe && loopback_.is_v6()) GTEST_SKIP() << "no ::1 here: " << probe.error().ToString();
    ASSERT_TRUE(probe.has_value()) << probe.error().ToString();
  }
  UdpSocket OpenOrDie(const NetAddress& at) {
    auto s = UdpSocket::Open(at);
    TEMPUS_CHECK(s.has_value());
    return std::move(s).value();
  }
  NetAddress loopback_;
};

TEST_P(UdpSocketTest, SendAndReceiveWithSenderLocalAddressAndTime) {
  UdpSocket server = OpenOrDie(loopback_);
  UdpSocket client = OpenOrDie(loopback_);
  EXPECT_NE(server.local_address().port(), 0);
  EXPECT_EQ(server.local_address().WithPort(0), loopback_);

  const core::UnixTime before = Realtime();
  ASSERT_TRUE(client.SendTo(Bytes("hello ntp"), server.local_address()).has_value());
  ASSERT_TRUE(WaitReadable(server.fd()));
  std::array<uint8_t, 64> buf{};
  auto got = server.Receive(buf);
  const core::UnixTime after = Realtime();
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  ASSERT_TRUE(got->has_value());
  const Datagram& d = **got;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), d.size), "hello ntp");
  EXPECT_FALSE(d.truncated);
  EXPECT_EQ(d.from, client.local_address());
  ASSERT_TRUE(d.local.has_value());
  EXPECT_EQ(*d.local, server.local_address());
  EXPECT_LE(before, d.rx_realtime);
  EXPECT_LE(d.rx_realtime, after);

  // Nothing more is waiting.
  auto empty = server.Receive(buf);
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->has_value());
}

TEST_P(UdpSocketTest, KernelTimestampIsPresentAndPlausible) {
  UdpSocket server = OpenOrDie(loopback_);
  UdpSocket client = OpenOrDie(loopback_);
  ASSERT_TRUE(server.kernel_timestamps());
  const core::UnixTime before = Realtime();
  ASSERT_TRUE(client.SendTo(Bytes("x"), server.local_address()).has_value());
  ASSERT_TRUE(WaitReadable(server.fd()));
  std::array<uint8_t, 16> buf{};
  auto got = server.Receive(buf);
  const core::UnixTime after = Realtime();
  ASSERT_TRUE(got.has_value() && got->has_value());
  const Datagram& d = **got;
  if (!d.kernel_rx.has_value()) {
    // Seen under gVisor for IPv4; the receive path then falls back to reading the clock.
    GTEST_SKIP() << "the kernel gave no SO_TIMESTAMPING software stamp for " << GetParam();
  }
  EXPECT_LE(before, *d.kernel_rx);
  EXPECT_LE(*d.kernel_rx, after);
  EXPECT_EQ(d.rx_realtime, *d.kernel_rx);
}

// The receive queue is sized for the work (a few hundred kB, under 1 ms of requests), not 4 MiB
// of 20 ms old requests under overload (issue 12). Linux reports twice the size asked, at most
// twice net.core.rmem_max.
TEST_P(UdpSocketTest, ReceiveBufferIsSizedForAMillisecondOfWork) {
  auto s = UdpSocket::Open(loopback_);
  ASSERT_TRUE(s) << s.error().ToString();
  int size = 0;
  socklen_t len = sizeof size;
  ASSERT_EQ(getsockopt(s->fd(), SOL_SOCKET, SO_RCVBUF, &size, &len), 0);
  EXPECT_LE(UdpSocket::kReceiveBuffer, 256 * 1024);
  EXPECT_LE(size, 2 * UdpSocket::kReceiveBuffer);
  EXPECT_LE(size, 512 * 1024);
}

TEST_P(UdpSocketTest, TruncationIsReported) {
  UdpSocket server = OpenOrDie(loopback_);
  UdpSocket client = OpenOrDie(loopback_);
  ASSERT_TRUE(client.SendTo(Bytes("0123456789abcdef"), server.local_address()).has_value());
  ASSERT_TRUE(WaitReadable(server.fd()));
  std::array<uint8_t, 4> small{};
  auto got = server.Receive(small);
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_TRUE((*got)->truncated);
  EXPECT_EQ((*got)->size, 4u);
  EXPECT_EQ(std::memcmp(small.data(), "0123", 4), 0);
}

TEST_P(UdpSocketTest, ConnectedClientSeesConnectionRefusedOnAClosedPort) {
  NetAddress closed;
  {
    UdpSocket gone = OpenOrDie(loopback_);
    closed = gone.local_address();
  }  // the port is free again; nothing listens there
  UdpSocket client = OpenOrDie(loopback_);
  ASSERT_TRUE(client.Connect(closed).has_value());
  ASSERT_TRUE(client.Send(Bytes("anyone?")).has_value());
  ASSERT_TRUE(WaitReadable(client.fd()));
  std::array<uint8_t, 16> buf{};
  auto got = client.Receive(buf);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().err, ECONNREFUSED);
  EXPECT_NE(got.error().ToString().find("recvmsg"), std::string::npos);
}

TEST_P(UdpSocketTest, BindingATakenPortFails) {
  UdpSocket first = OpenOrDie(loopback_);
  auto second = UdpSocket::Open(first.local_address());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().err, EADDRINUSE);
  EXPECT_EQ(second.error().op, "bind " + first.local_address().ToStringWithPort());
}

TEST_P(UdpSocketTest, MovedSocketKeepsWorking) {
  UdpSocket a = OpenOrDie(loopback_);
  const int fd = a.fd();
  UdpSocket b = std::move(a);
  EXPECT_EQ(a.fd(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(b.fd(), fd);
  UdpSocket client = OpenOrDie(loopback_);
  ASSERT_TRUE(client.SendTo(Bytes("m"), b.local_address()).has_value());
  ASSERT_TRUE(WaitReadable(b.fd()));
  std::array<uint8_t, 4> buf{};
  auto got = b.Receive(buf);
  ASSERT_TRUE(got.has_value() && got->has_value());
}

INSTANTIATE_TEST_SUITE_P(Loopback, UdpSocketTest, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& p) { return std::string(p.param[0] == ':' ? "IPv6" : "IPv4"); });

// A wildcard-bound server learns which address it was reached at, and answers from it.
TEST(UdpSocket, WildcardServerSeesAndAnswersFromTheDestinationAddress) {
  auto server = UdpSocket::Open(*NetAddress::Parse("0.0.0.0"));
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  auto client = UdpSocket::Open(*NetAddress::Parse("127.0.0.1"));
  ASSERT_TRUE(client.has_value());
  const NetAddress target = NetAddress::Parse("127.0.0.1")->WithPort(server->local_address().port());
  ASSERT_TRUE(client->SendTo(Bytes("q"), target).has_value());
  ASSERT_TRUE(WaitReadable(server->fd()));
  std::array<uint8_t, 8> buf{};
  auto got = server->Receive(buf);
  ASSERT_TRUE(got.has_value() && got->has_value());
  ASSERT_TRUE((*got)->local.has_value());
  EXPECT_EQ(*(*got)->local, target);
  ASSERT_TRUE(server->SendTo(Bytes("r"), (*got)->from, (*got)->local).has_value());
  ASSERT_TRUE(WaitReadable(client->fd()));
  auto reply = client->Receive(buf);
  ASSERT_TRUE(reply.has_value() && reply->has_value());
  EXPECT_EQ((*reply)->from, target);
}

int IntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t len = sizeof value;
  TEMPUS_CHECK(getsockopt(fd, level, name, &value, &len) == 0);
  return value;
}

// A server's replies leave with DF and IP ID 0 (no per-datagram draw from the kernel's shared ID
// generator); other sockets keep the kernel's default.
TEST(UdpSocket, DontFragmentSetsPathMtuProbingOnIpv4) {
  UdpOptions server;
  server.dont_fragment = true;
  auto with = UdpSocket::Open(*NetAddress::Parse("127.0.0.1:0"), server);
  auto without = UdpSocket::Open(*NetAddress::Parse("127.0.0.1:0"));
  ASSERT_TRUE(with.has_value() && without.has_value());
  EXPECT_EQ(IntOption(with->fd(), IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_PROBE);
  EXPECT_NE(IntOption(without->fd(), IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_PROBE);
}

// The destination is asked of the kernel (a control message per datagram) only where it is not
// known: on a wildcard socket. A socket bound to one address still reports it as each datagram's
// destination.
TEST(UdpSocket, AsksForTheDestinationOnlyOnAWildcardSocket) {
  auto bound = UdpSocket::Open(*NetAddress::Parse("127.0.0.1:0"));
  auto wildcard = UdpSocket::Open(*NetAddress::Parse("0.0.0.0:0"));
  auto client = UdpSocket::Open(*NetAddress::Parse("127.0.0.1:0"));
  ASSERT_TRUE(bound.has_value() && wildcard.has_value() && client.has_value());
  EXPECT_EQ(IntOption(bound->fd(), IPPROTO_IP, IP_PKTINFO), 0);
  EXPECT_EQ(IntOption(wildcard->fd(), IPPROTO_IP, IP_PKTINFO), 1);
  std::array<uint8_t, 64> buf{};
  ASSERT_TRUE(client->SendTo(Bytes("b"), bound->local_address()).has_value());
  ASSERT_TRUE(WaitReadable(bound->fd()));
  auto got = bound->Receive(buf);
  ASSERT_TRUE(got.has_value() && got->has_value());
  ASSERT_TRUE((*got)->local.has_value());
  EXPECT_EQ(*(*got)->local, bound->local_address());
  const NetAddress to_wildcard = NetAddress::Parse("127.0.0.3")->WithPort(wildcard->local_address().port());
  ASSERT_TRUE(client->SendTo(Bytes("w"), to_wildcard).has_value());
  ASSERT_TRUE(WaitReadable(wildcard->fd()));
  got = wildcard->Receive(buf);
  ASSERT_TRUE(got.has_value() && got->has_value());
  ASSERT_TRUE((*got)->local.has_value());
  EXPECT_EQ(*(*got)->local, to_wildcard);
}

TEST(UdpSocket, BindingAForeignAddressFailsWithTheAddressInTheMessage) {
  auto s = UdpSocket::Open(*NetAddress::Parse("192.0.2.99:123"));  // TEST-NET-1: never local
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().err, EADDRNOTAVAIL);
  EXPECT_EQ(s.error().op, "bind 192.0.2.99:123");
}

TEST(Sockaddr, RoundTripsBothFamilies) {
  for (const char* text : {"127.0.0.2:123", "[2001:db8::1]:65535", "0.0.0.0:0", "[::]:9"}) {
    const NetAddress a = *NetAddress::Parse(text);
    sockaddr_storage ss;
    const socklen_t len = ToSockaddr(a, &ss);
    EXPECT_EQ(len, a.is_v4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    EXPECT_EQ(FromSockaddr(reinterpret_cast<sockaddr*>(&ss), len), a) << text;
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(123);
  sin.sin_addr.s_addr = htonl(0x7f000001);
  EXPECT_EQ(FromSockaddr(reinterpret_cast<sockaddr*>(&sin), sizeof sin), NetAddress::Parse("127.0.0.1:123"));
  EXPECT_FALSE(FromSockaddr(reinterpret_cast<sockaddr*>(&sin), 4).has_value());  // too short
  sockaddr unix_family{};
  unix_family.sa_family = AF_UNIX;
  EXPECT_FALSE(FromSockaddr(&unix_family, sizeof unix_family).has_value());
}

}  // namespace
}  // namespace tempus::io
