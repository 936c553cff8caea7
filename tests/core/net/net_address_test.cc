#include "core/net/net_address.h"

#include <array>
#include <compare>

#include <gtest/gtest.h>

namespace tempus::core {
namespace {

using Bytes16 = std::array<uint8_t, 16>;

TEST(NetAddress, ParsesDottedQuad) {
  const auto a = NetAddress::Parse("127.0.0.2");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->v4(), 0x7f000002u);
  EXPECT_EQ(a->port(), 0);
  EXPECT_EQ(a->ToString(), "127.0.0.2");
  EXPECT_EQ(NetAddress::Parse("255.255.255.255")->v4(), 0xffffffffu);
  EXPECT_EQ(NetAddress::Parse("0.0.0.0")->v4(), 0u);
}

TEST(NetAddress, RejectsMalformedDottedQuads) {
  for (const char* bad : {"", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "1..2.3", "1.2.3.4.", ".1.2.3.4",
                          "01.2.3.4", "1.2.3.4a", " 1.2.3.4", "1.2.3.1000", "a.b.c.d"}) {
    EXPECT_FALSE(NetAddress::Parse(bad).has_value()) << bad;
  }
}

TEST(NetAddress, ParsesV4WithPort) {
  const auto a = NetAddress::Parse("127.0.0.2:11123");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->v4(), 0x7f000002u);
  EXPECT_EQ(a->port(), 11123);
  EXPECT_EQ(a->ToStringWithPort(), "127.0.0.2:11123");
  EXPECT_EQ(NetAddress::Parse("1.2.3.4:65535")->port(), 65535);
  for (const char* bad : {"1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:12a", "1.2.3.4:123456", "host:123"}) {
    EXPECT_FALSE(NetAddress::Parse(bad).has_value()) << bad;
  }
}

TEST(NetAddress, DefaultPortAppliesOnlyWithoutAnExplicitOne) {
  EXPECT_EQ(NetAddress::ParseWithDefaultPort("10.0.0.1", 123)->port(), 123);
  EXPECT_EQ(NetAddress::ParseWithDefaultPort("10.0.0.1:9", 123)->port(), 9);
  EXPECT_EQ(NetAddress::ParseWithDefaultPort("::1", 123)->port(), 123);
  EXPECT_EQ(NetAddress::ParseWithDefaultPort("[::1]", 123)->port(), 123);
  EXPECT_EQ(NetAddress::ParseWithDefaultPort("[::1]:7", 123)->port(), 7);
}

TEST(NetAddress, ParsesIPv6Forms) {
  const auto loop = NetAddress::Parse("::1");
  ASSERT_TRUE(loop.has_value());
  EXPECT_TRUE(loop->is_v6());
  Bytes16 expected{};
  expected[15] = 1;
  EXPECT_EQ(loop->bytes(), expected);

  const auto full = NetAddress::Parse("2001:DB8:0:0:8:800:200C:417A");
  ASSERT_TRUE(full.has_value());
  const Bytes16 full_bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a};
  EXPECT_EQ(full->bytes(), full_bytes);
  EXPECT_EQ(NetAddress::Parse("2001:db8::8:800:200c:417a")->bytes(), full_bytes);

  EXPECT_EQ(NetAddress::Parse("::")->bytes(), Bytes16{});
  const Bytes16 trailing{0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(NetAddress::Parse("ff01::")->bytes(), trailing);
  const Bytes16 seven{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0};
  EXPECT_EQ(NetAddress::Parse("1:2:3:4:5:6:7::")->bytes(), seven);
}

TEST(NetAddress, ParsesEmbeddedIPv4) {
  const auto mapped = NetAddress::Parse("::ffff:1.2.3.4");
  ASSERT_TRUE(mapped.has_value());
  const Bytes16 mapped_bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4};
  EXPECT_EQ(mapped->bytes(), mapped_bytes);
  EXPECT_EQ(NetAddress::Parse("0:0:0:0:0:ffff:1.2.3.4")->bytes(), mapped_bytes);
  const Bytes16 compat{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1};
  EXPECT_EQ(NetAddress::Parse("::10.0.0.1")->bytes(), compat);
}

TEST(NetAddress, RejectsMalformedIPv6) {
  for (const char* bad : {":::",
                          "1::2::3",
                          "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7",
                          "12345::",
                          "::g",
                          ":1::",
                          "1::2:",
                          "1:2:3:4:5:6:7:8::",
                          "::1.2.3.4:5",
                          "1.2.3.4::",
                          "::ffff:1.2.3",
                          "::ffff:256.1.1.1",
                          "1:2:3:4:5:6:7:1.2.3.4",
                          "[::1",
                          "[::1]x",
                          "[::1]:",
                          "[::1]:70000",
                          "[1.2.3.4]:5",
                          "fe80::1%eth0",
                          "::1 "}) {
    EXPECT_FALSE(NetAddress::Parse(bad).has_value()) << bad;
  }
}

TEST(NetAddress, ParsesBracketedV6WithPort) {
  const auto a = NetAddress::Parse("[::1]:123");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->is_v6());
  EXPECT_EQ(a->port(), 123);
  EXPECT_EQ(a->ToString(), "::1");
  EXPECT_EQ(a->ToStringWithPort(), "[::1]:123");
}

// RFC 5952 §4: canonical text.
TEST(NetAddress, ToStringIsRfc5952Canonical) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"},  // §4.1 leading zeros, §4.2.1
           {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},              // §4.2.2 one zero group stays
           {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},                 // §4.2.3 tie: first run
           {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},                       // §4.2.3 longest run
           {"2001:DB8::ABCD", "2001:db8::abcd"},                          // §4.3 lowercase
           {"0:0:0:0:0:0:0:0", "::"},
           {"0:0:0:0:0:0:0:1", "::1"},
           {"1:0:0:0:0:0:0:0", "1::"},
           {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
           {"0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"},  // §5 IPv4-mapped
           {"::1.2.3.4", "::102:304"},                    // deprecated compatible form is plain hex
           {"fe80::0:1", "fe80::1"},
       }) {
    const auto a = NetAddress::Parse(c.in);
    ASSERT_TRUE(a.has_value()) << c.in;
    EXPECT_EQ(a->ToString(), c.out) << c.in;
    // Canonical text parses back to the same address.
    EXPECT_EQ(NetAddress::Parse(a->ToString()), a) << c.in;
  }
}

TEST(NetAddress, IsWildcard) {
  EXPECT_TRUE(NetAddress::Parse("0.0.0.0:123")->IsWildcard());
  EXPECT_TRUE(NetAddress::Parse("[::]:123")->IsWildcard());
  EXPECT_FALSE(NetAddress::Parse("0.0.0.1")->IsWildcard());
  EXPECT_FALSE(NetAddress::Parse("::1")->IsWildcard());
  EXPECT_FALSE(NetAddress().IsWildcard());
}

TEST(NetAddress, IsLoopback) {
  EXPECT_TRUE(NetAddress::Parse("127.0.0.1")->IsLoopback());
  EXPECT_TRUE(NetAddress::Parse("127.255.1.2")->IsLoopback());
  EXPECT_FALSE(NetAddress::Parse("128.0.0.1")->IsLoopback());
  EXPECT_FALSE(NetAddress::Parse("10.127.0.1")->IsLoopback());
  EXPECT_TRUE(NetAddress::Parse("::1")->IsLoopback());
  EXPECT_FALSE(NetAddress::Parse("::")->IsLoopback());
  EXPECT_FALSE(NetAddress::Parse("::2")->IsLoopback());
  EXPECT_FALSE(NetAddress::Parse("1::1")->IsLoopback());
  EXPECT_TRUE(NetAddress::Parse("::ffff:127.0.0.1")->IsLoopback());
  EXPECT_FALSE(NetAddress::Parse("::ffff:10.0.0.1")->IsLoopback());
  EXPECT_FALSE(NetAddress().IsLoopback());
}

TEST(NetAddress, ConstructorsAgree) {
  EXPECT_EQ(NetAddress::IPv4(0x0a000001u, 5), NetAddress::IPv4(std::array<uint8_t, 4>{10, 0, 0, 1}, 5));
  EXPECT_EQ(NetAddress::IPv4(0x0a000001u, 5).ToStringWithPort(), "10.0.0.1:5");
  EXPECT_NE(NetAddress::IPv4(0x0a000001u, 5), NetAddress::IPv4(0x0a000001u, 6));
  EXPECT_NE(NetAddress::Parse("::ffff:10.0.0.1")->WithPort(0), NetAddress::Parse("10.0.0.1"));
  EXPECT_EQ(NetAddress().family(), NetAddress::Family::kNone);
}

// operator== compares words; it must agree with the defaulted ordering on every field and byte.
TEST(NetAddress, EqualityAgreesWithTheOrderingOnEveryField) {
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i + 1);
  const NetAddress base = NetAddress::IPv6(bytes, 123);
  EXPECT_EQ(base, NetAddress::IPv6(bytes, 123));
  EXPECT_NE(base, base.WithPort(124));
  EXPECT_NE(NetAddress::IPv4(0x7f000001, 123), NetAddress::IPv6({}, 123));
  EXPECT_EQ(NetAddress::IPv4(0x7f000001, 123), *NetAddress::Parse("127.0.0.1:123"));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::array<uint8_t, 16> other = bytes;
    other[i] ^= 0x80;
    const NetAddress changed = NetAddress::IPv6(other, 123);
    EXPECT_NE(base, changed) << i;
    EXPECT_NE(base <=> changed, std::strong_ordering::equal) << i;
  }
}

}  // namespace
}  // namespace tempus::core
