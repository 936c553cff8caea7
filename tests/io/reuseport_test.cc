// SteerBySource on loopback: a SO_REUSEPORT group on 127.0.0.1, clients on 127.0.0.2 and
// 127.0.0.3 with many source ports each.
#include "io/reuseport.h"

#include <poll.h>

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "base/check.h"
#include "io/udp_socket.h"

namespace tempus::io {
namespace {

using core::NetAddress;

// How many datagrams wait on `s` (drained; each wait bounded to 200 ms).
int Drain(UdpSocket& s) {
  int n = 0;
  std::array<uint8_t, 64> buffer{};
  for (;;) {
    pollfd p{s.fd(), POLLIN, 0};
    if (poll(&p, 1, 200) != 1) return n;
    auto got = s.Receive(buffer);
    if (!got || !*got) return n;
    ++n;
  }
}

// Three sockets of one SO_REUSEPORT group on `address` (an ephemeral port); empty when the
// address cannot be bound (no ::1 here).
std::vector<UdpSocket> OpenGroup(const char* address) {
  UdpOptions options;
  options.reuse_port = true;
  std::vector<UdpSocket> group;
  auto first = UdpSocket::Open(*NetAddress::Parse(address), options);
  if (!first) return group;
  const NetAddress at = first->local_address();
  group.push_back(std::move(*first));
  for (int i = 0; i < 2; ++i) {
    auto s = UdpSocket::Open(at, options);
    TEMPUS_CHECK(s.has_value());
    group.push_back(std::move(*s));
  }
  return group;
}

TEST(SteerBySource, OneSourceAddressReachesOneSocketWhateverItsPort) {
  std::vector<UdpSocket> group = OpenGroup("127.0.0.1");
  ASSERT_EQ(group.size(), 3u);
  const NetAddress at = group[0].local_address();
  // Socket 0 (the timing thread's in tempusd) gets nothing; 1 and 2 share the sources.
  ASSERT_TRUE(SteerBySource(group[0].fd(), false, 1, 2).has_value());
  constexpr int kPorts = 16;
  for (const char* client : {"127.0.0.2", "127.0.0.3"}) {
    for (int i = 0; i < kPorts; ++i) {
      auto c = UdpSocket::Open(*NetAddress::Parse(client));  // a new source port each
      ASSERT_TRUE(c.has_value());
      const std::array<uint8_t, 4> bytes{1, 2, 3, 4};
      ASSERT_TRUE(c->SendTo(bytes, at).has_value());
    }
  }
  // 127.0.0.2 = 0x7f000002: even, socket 1; 127.0.0.3: socket 2. The kernel's 4-tuple hash would
  // spread each client's ports over the three sockets.
  EXPECT_EQ(Drain(group[0]), 0);
  EXPECT_EQ(Drain(group[1]), kPorts);
  EXPECT_EQ(Drain(group[2]), kPorts);
}

// IPv6: the XOR of the two words of the source's /64 mod 2, plus 1: ::1 (prefix words 0, 0) to
// socket 1, as every address of its /64 (all four words would send it to socket 2).
TEST(SteerBySource, Ipv6SourcePrefixPicksTheSocket) {
  std::vector<UdpSocket> group = OpenGroup("::1");
  if (group.empty()) GTEST_SKIP() << "no ::1 here";
  const NetAddress at = group[0].local_address();
  ASSERT_TRUE(SteerBySource(group[0].fd(), true, 1, 2).has_value());
  constexpr int kPorts = 16;
  for (int i = 0; i < kPorts; ++i) {
    auto c = UdpSocket::Open(*NetAddress::Parse("::1"));
    ASSERT_TRUE(c.has_value());
    const std::array<uint8_t, 4> bytes{1, 2, 3, 4};
    ASSERT_TRUE(c->SendTo(bytes, at).has_value());
  }
  EXPECT_EQ(Drain(group[0]), 0);
  EXPECT_EQ(Drain(group[1]), kPorts);
  EXPECT_EQ(Drain(group[2]), 0);
}

}  // namespace
}  // namespace tempus::io
