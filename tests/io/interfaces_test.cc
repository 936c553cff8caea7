// The interface list and route lookup at the io edge, on loopback only (nothing is sent), and the
// wildcard-beside-address sockets that `interface drop` needs.
#include "io/interfaces.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "io/udp_socket.h"

namespace tempus::io {
namespace {

using core::NetAddress;

TEST(Interfaces, ListsTheLoopbackAddressAsLoopback) {
  auto list = ListInterfaceAddresses();
  ASSERT_TRUE(list) << list.error().ToString();
  const auto lo = std::find_if(list->begin(), list->end(), [](const core::InterfaceAddress& a) {
    return a.address == *NetAddress::Parse("127.0.0.1");
  });
  ASSERT_NE(lo, list->end()) << "no 127.0.0.1 among the interfaces";
  EXPECT_TRUE(lo->loopback);
  EXPECT_FALSE(lo->name.empty());
  EXPECT_EQ(lo->address.port(), 0);
}

TEST(Interfaces, RouteSourceForALoopbackDestinationIsLoopback) {
  const auto source = RouteSourceFor(*NetAddress::Parse("127.0.0.1:9"));
  ASSERT_TRUE(source.has_value());
  EXPECT_TRUE(source->IsLoopback());
  EXPECT_EQ(source->port(), 0);
}

// A wildcard socket and an address socket on one port, as ntpd's `drop` wildcard beside its
// interface sockets: only with SO_REUSEADDR on both.
TEST(Interfaces, WildcardBesideAnAddressOnOnePortNeedsReuse) {
  UdpOptions reuse;
  reuse.reuse_address = true;
  auto wildcard = UdpSocket::Open(*NetAddress::Parse("0.0.0.0:0"), reuse);
  ASSERT_TRUE(wildcard) << wildcard.error().ToString();
  const uint16_t port = wildcard->local_address().port();
  EXPECT_FALSE(UdpSocket::Open(NetAddress::Parse("127.0.0.1")->WithPort(port)));
  auto address = UdpSocket::Open(NetAddress::Parse("127.0.0.1")->WithPort(port), reuse);
  EXPECT_TRUE(address) << address.error().ToString();
}

}  // namespace
}  // namespace tempus::io
