// restrict, unrestrict, interface/nic, discard and limit.
#include <gtest/gtest.h>

#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::ExpectOneErrors;
using testing::MustParse;

uint32_t Bits(std::initializer_list<RestrictFlag> flags) {
  uint32_t out = 0;
  for (auto f : flags) out |= static_cast<uint32_t>(f);
  return out;
}

TEST(ParseRestrict, DefaultWithFlags) {
  const auto p = MustParse("restrict default nomodify notrap nopeer noquery kod\nrestrict -6 default limited\n");
  ASSERT_EQ(p.config.restricts.size(), 2u);
  const RestrictEntry& a = p.config.restricts[0];
  EXPECT_EQ(a.target, RestrictTarget::kDefault);
  EXPECT_EQ(a.family, Family::kAny);
  EXPECT_EQ(a.flags, Bits({RestrictFlag::kNoModify, RestrictFlag::kNoTrap, RestrictFlag::kNoPeer,
                           RestrictFlag::kNoQuery, RestrictFlag::kKod}));
  EXPECT_TRUE(a.Has(RestrictFlag::kKod));
  EXPECT_FALSE(a.Has(RestrictFlag::kLimited));
  EXPECT_EQ(p.config.restricts[1].family, Family::kIPv6);
  EXPECT_EQ(p.config.restricts[1].flags, Bits({RestrictFlag::kLimited}));
}

TEST(ParseRestrict, EveryDocumentedFlag) {
  const auto p = MustParse(
      "restrict default ignore kod limited lowpriotrap mssntp nomodify nomrulist noepeer nopeer noquery noserve "
      "notrap notrust ntpport version flake ippeerlimit 2 serverresponse fuzz\n");
  const RestrictEntry& e = p.config.restricts.at(0);
  EXPECT_EQ(e.flags, 0xFFFFu);  // all 16 flags
  EXPECT_EQ(e.ippeerlimit, 2);
  EXPECT_EQ(e.serverresponse_fuzz, 1);
}

TEST(ParseRestrict, HostAddressMaskAndCidr) {
  const auto p = MustParse(
      "restrict 127.0.0.1\nrestrict -6 ::1\nrestrict 10.0.0.0 mask 255.0.0.0 nomodify notrap\n"
      "restrict 192.168.0.0/16 noquery\nrestrict 2001:db8::/32\nrestrict source nomodify\nrestrict time.example.com\n");
  const auto& r = p.config.restricts;
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[0].target, RestrictTarget::kAddress);
  EXPECT_EQ(r[0].address.ToString(), "127.0.0.1");
  EXPECT_EQ(r[0].mask.ToString(), "255.255.255.255");
  EXPECT_EQ(r[0].family, Family::kIPv4);
  EXPECT_EQ(r[0].flags, 0u);
  EXPECT_EQ(r[1].family, Family::kIPv6);
  EXPECT_EQ(r[1].mask.ToString(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_EQ(r[2].address.ToString(), "10.0.0.0");
  EXPECT_EQ(r[2].mask.ToString(), "255.0.0.0");
  EXPECT_EQ(r[2].flags, Bits({RestrictFlag::kNoModify, RestrictFlag::kNoTrap}));
  EXPECT_EQ(r[3].mask.ToString(), "255.255.0.0");
  EXPECT_EQ(r[4].mask.ToString(), "ffff:ffff::");
  EXPECT_EQ(r[5].target, RestrictTarget::kSource);
  EXPECT_EQ(r[6].target, RestrictTarget::kHost);
  EXPECT_EQ(r[6].host, "time.example.com");
  EXPECT_EQ(r[6].where, (Location{"ntp.conf", 7, 10}));
}

TEST(ParseRestrict, UnrestrictClearsFlags) {
  const auto p = MustParse("unrestrict default noquery limited\n");
  EXPECT_TRUE(p.config.restricts.at(0).unrestrict);
  EXPECT_EQ(p.config.restricts.at(0).flags, Bits({RestrictFlag::kNoQuery, RestrictFlag::kLimited}));
}

TEST(ParseRestrict, ErrorMessages) {
  ExpectOneErrors({
      {"restrict default nomodfy\n",
       "ntp.conf:1:18: expected a restrict flag, got 'nomodfy' (did you mean 'nomodify'?)"},
      {"restrict default frobnicate\n", "ntp.conf:1:18: expected a restrict flag, got 'frobnicate'"},
      {"restrict\n", "ntp.conf:1:9: expected an address, 'default' or 'source' after 'restrict', got end of line"},
      {"restrict 10.0.0.0/33\n",
       "ntp.conf:1:10: expected an address, 'default' or 'source' after 'restrict', got '10.0.0.0/33'"},
      {"restrict 10.0.0.0 mask ffff::\n",
       "ntp.conf:1:24: expected a numeric mask of the address's family after 'mask', got 'ffff::'"},
      {"restrict 10.0.0.0/8 mask 255.0.0.0\n",
       "ntp.conf:1:21: expected a restrict flag, got 'mask' (the address already has a /prefix)"},
      {"restrict default mask 0.0.0.0\n",
       "ntp.conf:1:18: expected a restrict flag, got 'mask' ('mask' applies to an address, not 'default')"},
      {"restrict -4 ::1\n", "ntp.conf:1:13: expected an IPv4 address after '-4', got '::1'"},
      {"restrict default ippeerlimit x\n",
       "ntp.conf:1:30: expected a peer count -1..65535 after 'ippeerlimit', got 'x'"},
  });
  // Every bad flag on a line is reported, not only the first.
  EXPECT_EQ(testing::MustFail("restrict default bad1 nopeer bad2\n").size(), 2u);
}

TEST(ParseInterface, ActionsAndMatches) {
  const auto p = MustParse(
      "interface ignore wildcard\ninterface listen eth0\nnic drop 10.0.0.0/8\n"
      "interface listen ::1\ninterface ignore ipv6\ninterface listen all\n");
  const auto& r = p.config.interfaces;
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].action, InterfaceRule::Action::kIgnore);
  EXPECT_EQ(r[0].match, InterfaceRule::Match::kWildcard);
  EXPECT_EQ(r[1].match, InterfaceRule::Match::kName);
  EXPECT_EQ(r[1].name, "eth0");
  EXPECT_EQ(r[2].action, InterfaceRule::Action::kDrop);
  EXPECT_EQ(r[2].match, InterfaceRule::Match::kAddress);
  EXPECT_EQ(r[2].prefix_len, 8);
  EXPECT_EQ(r[3].address.ToString(), "::1");
  EXPECT_EQ(r[3].prefix_len, -1);
  EXPECT_EQ(r[4].match, InterfaceRule::Match::kIPv6);
  EXPECT_EQ(r[5].match, InterfaceRule::Match::kAll);
}

TEST(ParseInterface, ErrorMessages) {
  ExpectOneErrors({
      {"interface lisen eth0\n",
       "ntp.conf:1:11: expected 'listen', 'ignore' or 'drop' after 'interface', got 'lisen' (did you mean "
       "'listen'?)"},
      {"interface listen\n",
       "ntp.conf:1:17: expected 'all', 'ipv4', 'ipv6', 'wildcard', an interface name or an address[/prefix], got "
       "end of line"},
      {"interface listen eth0 eth1\n", "ntp.conf:1:23: expected end of line, got 'eth1'"},
  });
}

TEST(ParseDiscard, OptionsAndLimit) {
  const auto p = MustParse("discard average 4 minimum 1 monitor 3000\nlimit average 2.5 burst 10 kod 0.5\n");
  const DiscardConfig& d = p.config.discard;
  EXPECT_EQ(d.average_log2, 4);
  EXPECT_EQ(d.minimum_s, 1);
  EXPECT_EQ(d.monitor, 3000);
  EXPECT_EQ(d.limit_average_pps, 2.5);
  EXPECT_EQ(d.limit_burst, 10.0);
  EXPECT_EQ(d.limit_kod_pps, 0.5);
  ExpectOneErrors({
      {"discard average 40\n", "ntp.conf:1:17: expected headway exponent 0..16 (log2 s) after 'average', got '40'"},
      {"discard averag 4\n",
       "ntp.conf:1:9: expected a 'discard' option ('average', 'minimum' or 'monitor'), got 'averag' (did you mean "
       "'average'?)"},
  });
}

}  // namespace
}  // namespace tempus::config
