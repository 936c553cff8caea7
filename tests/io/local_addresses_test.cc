#include "io/local_addresses.h"

#include <gtest/gtest.h>

namespace tempus::io {
namespace {

core::NetAddress A(const char* s) { return *core::NetAddress::Parse(s); }

TEST(ServedAddresses, WildcardSocketsServeEveryInterfaceAddressOfTheirFamily) {
  const std::vector<core::NetAddress> interfaces = {A("127.0.0.1"), A("192.0.2.5"), A("::1"), A("2001:db8::5")};
  const std::vector<core::NetAddress> served =
      ServedAddresses({A("0.0.0.0:123"), A("10.1.1.1:4123"), A("[::]:11123")}, interfaces);
  const std::vector<core::NetAddress> want = {A("127.0.0.1:123"), A("192.0.2.5:123"), A("10.1.1.1:4123"),
                                              A("[::1]:11123"), A("[2001:db8::5]:11123")};
  EXPECT_EQ(served, want);
  EXPECT_TRUE(IsWildcard(A("0.0.0.0:123")));
  EXPECT_TRUE(IsWildcard(A("[::]:123")));
  EXPECT_FALSE(IsWildcard(A("0.0.0.1")));
  EXPECT_FALSE(IsWildcard(core::NetAddress()));
}

TEST(LocalAddresses, ListsLoopback) {
  auto all = LocalAddresses();
  ASSERT_TRUE(all) << all.error().ToString();
  bool loopback = false;
  for (const auto& a : *all) {
    loopback |= a.IsLoopback();
    EXPECT_EQ(a.port(), 0);
  }
  EXPECT_TRUE(loopback);  // lo is up on any machine that runs tests (and in their namespaces)
}

}  // namespace
}  // namespace tempus::io
