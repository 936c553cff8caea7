// restrict semantics: the most specific rule wins, per family, with ntpd's flag meanings.
#include "core/server/restrict.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tempus::core::server {
namespace {

constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }

NetAddress A(const std::string& text) { return NetAddress::Parse(text).value(); }

RestrictRule Net(const std::string& addr, int prefix, uint32_t flags) {
  return RestrictRule::Network(A(addr), prefix, flags);
}

RestrictRule Masked(const std::string& addr, const std::string& mask, uint32_t flags) {
  RestrictRule r;
  r.address = A(addr);
  r.mask = A(mask);
  r.flags = flags;
  return r;
}

struct LookupCase {
  const char* name;
  std::vector<RestrictRule> rules;
  const char* source;
  uint32_t want;
};

TEST(RestrictTable, MostSpecificMatchWins) {
  const uint32_t kDef = F(Restrict::kKod) | F(Restrict::kLimited) | F(Restrict::kNoQuery) | F(Restrict::kNoPeer);
  const std::vector<LookupCase> cases = {
      {"no rules: nothing restricted", {}, "192.0.2.1", 0},
      {"v4 default applies", {RestrictRule::Default(NetAddress::Family::kIPv4, kDef)}, "192.0.2.1", kDef},
      {"v4 default does not apply to v6", {RestrictRule::Default(NetAddress::Family::kIPv4, kDef)}, "2001:db8::1", 0},
      {"v6 default applies to v6", {RestrictRule::Default(NetAddress::Family::kIPv6, kDef)}, "2001:db8::1", kDef},
      {"v6 default does not apply to v4", {RestrictRule::Default(NetAddress::Family::kIPv6, kDef)}, "192.0.2.1", 0},
      {"host rule beats default (flags not accumulated)",
       {RestrictRule::Default(NetAddress::Family::kIPv4, kDef), Net("127.0.0.1", 32, 0)},
       "127.0.0.1",
       0},
      {"host rule does not cover its neighbour",
       {RestrictRule::Default(NetAddress::Family::kIPv4, kDef), Net("127.0.0.1", 32, 0)},
       "127.0.0.2",
       kDef},
      {"/24 beats /8 whatever the order",
       {Net("10.1.2.0", 24, F(Restrict::kNoServe)), Net("10.0.0.0", 8, F(Restrict::kIgnore))},
       "10.1.2.3",
       F(Restrict::kNoServe)},
      {"/8 applies outside the /24",
       {Net("10.1.2.0", 24, F(Restrict::kNoServe)), Net("10.0.0.0", 8, F(Restrict::kIgnore))},
       "10.9.2.3",
       F(Restrict::kIgnore)},
      {"mask form equals CIDR form",
       {RestrictRule::Default(NetAddress::Family::kIPv4, F(Restrict::kIgnore)),
        Masked("192.168.0.0", "255.255.0.0", F(Restrict::kNoQuery))},
       "192.168.7.7",
       F(Restrict::kNoQuery)},
      {"network written with host bits still matches",
       {Net("192.168.1.77", 24, F(Restrict::kNoTrap))},
       "192.168.1.3",
       F(Restrict::kNoTrap)},
      {"same address and mask merge (OR)",
       {Net("10.0.0.0", 8, F(Restrict::kNoQuery)), Net("10.0.0.0", 8, F(Restrict::kNoServe))},
       "10.2.3.4",
       F(Restrict::kNoQuery) | F(Restrict::kNoServe)},
      {"v6 /64 beats v6 default",
       {RestrictRule::Default(NetAddress::Family::kIPv6, F(Restrict::kIgnore)), Net("2001:db8:1:2::", 64, 0)},
       "2001:db8:1:2::99",
       0},
      {"v6 outside the /64 gets the default",
       {RestrictRule::Default(NetAddress::Family::kIPv6, F(Restrict::kIgnore)), Net("2001:db8:1:2::", 64, 0)},
       "2001:db8:1:3::99",
       F(Restrict::kIgnore)},
      {"::1 host rule", {RestrictRule::Default(NetAddress::Family::kIPv6, kDef), Net("::1", 128, 0)}, "::1", 0},
      {"v4 rule never matches a v6 address with the same leading bytes",
       {Net("32.1.13.184", 32, F(Restrict::kIgnore))},
       "2001:db8::",
       0},
  };
  for (const auto& c : cases) {
    const RestrictTable table(c.rules);
    EXPECT_EQ(table.Lookup(A(c.source)).bits, c.want) << c.name;
  }
}

TEST(RestrictTable, UnrestrictClearsFlagsOfTheSameEntry) {
  RestrictRule clear = Net("10.0.0.0", 8, F(Restrict::kNoQuery));
  clear.unrestrict = true;
  const std::vector<RestrictRule> rules = {Net("10.0.0.0", 8, F(Restrict::kNoQuery) | F(Restrict::kNoServe)), clear};
  const RestrictTable table(rules);
  EXPECT_EQ(table.Lookup(A("10.0.0.1")).bits, F(Restrict::kNoServe));
}

TEST(RestrictTable, AllowQueryFollowsIgnoreAndNoquery) {
  const std::vector<RestrictRule> rules = {
      RestrictRule::Default(NetAddress::Family::kIPv4, F(Restrict::kNoQuery)),
      RestrictRule::Default(NetAddress::Family::kIPv6, F(Restrict::kIgnore)),
      Net("127.0.0.1", 32, F(Restrict::kNoServe)),  // noserve alone still allows ntpq
      Net("::1", 128, 0),
  };
  const RestrictTable table(rules);
  EXPECT_FALSE(table.AllowQuery(A("192.0.2.1")));
  EXPECT_FALSE(table.AllowQuery(A("2001:db8::1")));
  EXPECT_TRUE(table.AllowQuery(A("127.0.0.1")));
  EXPECT_TRUE(table.AllowQuery(A("::1")));
  EXPECT_TRUE(RestrictTable().AllowQuery(A("192.0.2.1")));
}

TEST(RestrictTable, PortIsIgnored) {
  const std::vector<RestrictRule> rules = {Net("127.0.0.1", 32, F(Restrict::kIgnore))};
  const RestrictTable table(rules);
  EXPECT_TRUE(table.Lookup(A("127.0.0.1:40000")).Has(Restrict::kIgnore));
}

}  // namespace
}  // namespace tempus::core::server
