// Resolver: splitting, port checks, and lookups through an injected name service (no DNS
// traffic leaves the machine; "localhost" is answered from /etc/hosts).
#include "io/resolver.h"

#include <netdb.h>

#include <gtest/gtest.h>

namespace tempus::io {
namespace {

using core::NetAddress;

TEST(SplitHostPort, AcceptsEveryForm) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c : std::initializer_list<Case>{{"ntp.example", "ntp.example", 123},
                                                   {"ntp.example:11123", "ntp.example", 11123},
                                                   {"127.0.0.1", "127.0.0.1", 123},
                                                   {"127.0.0.1:1", "127.0.0.1", 1},
                                                   {"::1", "::1", 123},
                                                   {"2001:db8::1", "2001:db8::1", 123},
                                                   {"[::1]", "::1", 123},
                                                   {"[::1]:65535", "::1", 65535}}) {
    auto hp = SplitHostPort(c.text, 123);
    ASSERT_TRUE(hp.has_value()) << c.text << ": " << hp.error();
    EXPECT_EQ(hp->host, c.host) << c.text;
    EXPECT_EQ(hp->port, c.port) << c.text;
  }
}

TEST(SplitHostPort, ExplainsBadInput) {
  EXPECT_EQ(SplitHostPort("host:99999", 123).error(), "port 99999 out of range 1..65535");
  EXPECT_EQ(SplitHostPort("[::1]:0", 123).error(), "port 0 out of range 1..65535");
  EXPECT_EQ(SplitHostPort("host:12345678901234567890", 123).error(), "port 12345678901234567890 out of range 1..65535");
  EXPECT_EQ(SplitHostPort("host:ntp", 123).error(), "invalid port 'ntp' in 'host:ntp'");
  EXPECT_EQ(SplitHostPort("host:", 123).error(), "missing port after ':' in 'host:'");
  EXPECT_EQ(SplitHostPort(":123", 123).error(), "missing host in ':123'");
  EXPECT_EQ(SplitHostPort("", 123).error(), "missing host in ''");
  EXPECT_EQ(SplitHostPort("[::1", 123).error(), "missing ']' in '[::1'");
  EXPECT_EQ(SplitHostPort("[::1]123", 123).error(), "expected ':port' after ']' in '[::1]123'");
}

// A name service that answers from a table and counts its calls.
struct FakeNames {
  int calls = 0;
  Resolver::Lookup Lookup() {
    return [this](const std::string& host, NetAddress::Family family, std::vector<NetAddress>* out) {
      ++calls;
      if (host != "pool.test") return EAI_NONAME;
      for (const char* a : {"192.0.2.1", "2001:db8::7", "192.0.2.2", "192.0.2.1"}) {
        const NetAddress addr = *NetAddress::Parse(a);
        if (family == NetAddress::Family::kNone || addr.family() == family) out->push_back(addr);
      }
      return 0;
    };
  }
};

TEST(Resolver, NumericAddressesSkipTheNameService) {
  FakeNames names;
  Resolver resolver(names.Lookup());
  auto v4 = resolver.Resolve("127.0.0.2:11123", 123);
  ASSERT_TRUE(v4.has_value()) << v4.error();
  EXPECT_EQ(*v4, (std::vector<NetAddress>{*NetAddress::Parse("127.0.0.2:11123")}));
  auto v6 = resolver.Resolve("::1", 123);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(*v6, (std::vector<NetAddress>{*NetAddress::Parse("[::1]:123")}));
  EXPECT_EQ(names.calls, 0);
  EXPECT_EQ(resolver.Resolve("::1", 123, NetAddress::Family::kIPv4).error(), "'::1' is not an IPv4 address");
  EXPECT_EQ(resolver.Resolve("1::2::3", 123).error(), "invalid IPv6 address '1::2::3'");
}

TEST(Resolver, NamesKeepOrderDropDuplicatesAndTakeThePort) {
  FakeNames names;
  Resolver resolver(names.Lookup());
  auto all = resolver.Resolve("pool.test:4123", 123);
  ASSERT_TRUE(all.has_value()) << all.error();
  EXPECT_EQ(*all,
            (std::vector<NetAddress>{*NetAddress::Parse("192.0.2.1:4123"), *NetAddress::Parse("[2001:db8::7]:4123"),
                                     *NetAddress::Parse("192.0.2.2:4123")}));
  auto v6 = resolver.Resolve("pool.test", 123, NetAddress::Family::kIPv6);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(*v6, (std::vector<NetAddress>{*NetAddress::Parse("[2001:db8::7]:123")}));
}

TEST(Resolver, UnknownNamesAndBadPortsGiveClearMessages) {
  FakeNames names;
  Resolver resolver(names.Lookup());
  EXPECT_EQ(resolver.Resolve("foo.invalid", 123).error(), "cannot resolve 'foo.invalid': Name or service not known");
  EXPECT_EQ(resolver.Resolve("pool.test:99999", 123).error(), "port 99999 out of range 1..65535");
  EXPECT_EQ(resolver.Resolve("pool.test", 0).error(), "no port given for 'pool.test'");
  EXPECT_EQ(names.calls, 1);  // bad ports are caught before any lookup
}

TEST(Resolver, HostileTextIsCutAndEscapedInMessages) {
  FakeNames names;
  Resolver resolver(names.Lookup());
  const std::string host(100000, 'h');
  const std::string cut = std::string(80, 'h') + "...";
  EXPECT_EQ(resolver.Resolve(host, 123).error(), "cannot resolve '" + cut + "': Name or service not known");
  EXPECT_EQ(SplitHostPort(host + ":" + std::string(5000, '9'), 123).error(),
            "port " + std::string(80, '9') + "... out of range 1..65535");
  EXPECT_EQ(SplitHostPort("[" + host, 123).error(), "missing ']' in '[" + std::string(79, 'h') + "...'");
  EXPECT_EQ(resolver.Resolve("bad\x1b[2J:x", 123).error(), "invalid port 'x' in 'bad\\x1b[2J:x'");
}

TEST(Resolver, SystemLookupFindsLocalhost) {
  Resolver resolver;  // getaddrinfo; localhost comes from /etc/hosts, not DNS
  auto got = resolver.Resolve("localhost:123", 123, NetAddress::Family::kIPv4);
  ASSERT_TRUE(got.has_value()) << got.error();
  ASSERT_FALSE(got->empty());
  for (const NetAddress& a : *got) {
    EXPECT_TRUE(a.IsLoopback()) << a.ToString();
    EXPECT_EQ(a.port(), 123);
  }
}

}  // namespace
}  // namespace tempus::io
