// `restrict NAME`: every address of the name becomes a host rule (of the line's family, with its
// mask), a name that does not resolve warns and restricts nothing. The lookup is a table here:
// no name service is asked.
#include "config/restrict_hosts.h"

#include <gtest/gtest.h>

#include "config/parser.h"
#include "config/to_core.h"

namespace tempus::config {
namespace {

using core::server::Restrict;

core::NetAddress A(const char* s) { return core::NetAddress::Parse(s).value(); }

// A lookup answering from a fixed table, counting its calls.
struct TableLookup {
  int calls = 0;
  Result<std::vector<core::NetAddress>, std::string> operator()(const std::string& host, core::NetAddress::Family) {
    ++calls;
    if (host == "ntp1.example")
      return std::vector<core::NetAddress>{A("192.0.2.10"), A("2001:db8::10"), A("192.0.2.10")};
    if (host == "v6only.example") return std::vector<core::NetAddress>{A("2001:db8::99")};
    return Unexpected(std::string("Name or service not known"));
  }
};

TEST(RestrictHosts, EveryAddressOfTheNameIsAHostRule) {
  auto parsed = ParseText(
      "restrict default noquery nopeer\n"
      "restrict ntp1.example noserve\n"
      "restrict -4 ntp1.example nomodify\n"
      "restrict ntp1.example mask 255.255.255.0 notrap\n");
  ASSERT_TRUE(parsed) << parsed.error().front().ToString();
  TableLookup table;
  const ResolvedHosts hosts =
      ResolveRestrictHosts(parsed->config,
                           [&](const std::string& h, core::NetAddress::Family f) { return table(h, f); });
  EXPECT_EQ(table.calls, 1);  // one lookup per name
  EXPECT_TRUE(hosts.warnings.empty());
  ASSERT_EQ(hosts.addresses.at("ntp1.example").size(), 2u);  // duplicates dropped
  const auto policy = ToAccessPolicy(parsed->config, {}, hosts.addresses);
  const core::server::RestrictTable t(policy.restricts);
  const uint32_t v4 = t.Lookup(A("192.0.2.10")).bits;
  EXPECT_EQ(v4, static_cast<uint32_t>(Restrict::kNoServe) | static_cast<uint32_t>(Restrict::kNoModify));
  EXPECT_EQ(t.Lookup(A("2001:db8::10")).bits, static_cast<uint32_t>(Restrict::kNoServe));  // -4 line skipped
  // The masked line covers the /24 around the address; the host rules stay more specific.
  EXPECT_EQ(t.Lookup(A("192.0.2.77")).bits, static_cast<uint32_t>(Restrict::kNoTrap));
  EXPECT_TRUE(t.Lookup(A("198.51.100.1")).Has(Restrict::kNoQuery));
}

TEST(RestrictHosts, UnresolvedNamesWarnWithTheirLineAndRestrictNothing) {
  auto parsed = ParseText(
      "restrict default ignore\n"
      "restrict nowhere.invalid\n"
      "restrict -4 v6only.example noserve\n");
  ASSERT_TRUE(parsed) << parsed.error().front().ToString();
  TableLookup table;
  const ResolvedHosts hosts =
      ResolveRestrictHosts(parsed->config,
                           [&](const std::string& h, core::NetAddress::Family f) { return table(h, f); });
  ASSERT_EQ(hosts.warnings.size(), 2u);
  EXPECT_EQ(hosts.warnings[0].ToString(),
            "ntp.conf:2:10: warning: restrict nowhere.invalid: the name does not resolve (Name or service not known); "
            "this line restricts nothing");
  EXPECT_EQ(
      hosts.warnings[1].ToString(),
      "ntp.conf:3:13: warning: restrict v6only.example: the name has no IPv4 address; this line restricts nothing");
  const auto policy = ToAccessPolicy(parsed->config, {}, hosts.addresses);
  const core::server::RestrictTable t(policy.restricts);
  EXPECT_TRUE(t.Lookup(A("2001:db8::99")).Has(Restrict::kIgnore));  // the default still applies
}

}  // namespace
}  // namespace tempus::config
