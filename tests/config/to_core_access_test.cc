// restrict/discard lines -> the server's AccessPolicy, checked through the RestrictTable.
#include <gtest/gtest.h>

#include "config/parser.h"
#include "config/to_core.h"

namespace tempus::config {
namespace {

using core::server::Restrict;

core::NetAddress A(const char* s) { return core::NetAddress::Parse(s).value(); }

TEST(ToAccessPolicy, DebianStyleRestrictsAndDiscard) {
  auto parsed = ParseText(
      "restrict default kod limited nomodify nopeer noquery notrap\n"
      "restrict -6 default ignore\n"
      "restrict 127.0.0.1\n"
      "restrict ::1\n"
      "restrict 192.168.0.0 mask 255.255.0.0 nomodify\n"
      "restrict 10.0.0.0/8 noserve\n"
      "restrict source nopeer\n"
      "discard average 4 minimum 1 monitor 600\n");
  ASSERT_TRUE(parsed) << parsed.error().front().ToString();
  const core::NetAddress sources[] = {A("203.0.113.5:123")};
  const auto policy = ToAccessPolicy(parsed->config, sources);
  const core::server::RestrictTable t(policy.restricts);
  const auto def = t.Lookup(A("198.51.100.1"));
  EXPECT_TRUE(def.Has(Restrict::kKod) && def.Has(Restrict::kLimited) && def.Has(Restrict::kNoQuery));
  EXPECT_TRUE(t.Lookup(A("2001:db8::1")).Has(Restrict::kIgnore));  // -6 default replaced by ignore (OR)
  EXPECT_EQ(t.Lookup(A("127.0.0.1")).bits, 0u);
  EXPECT_EQ(t.Lookup(A("::1")).bits, 0u);
  EXPECT_EQ(t.Lookup(A("192.168.3.4")).bits, static_cast<uint32_t>(Restrict::kNoModify));
  EXPECT_EQ(t.Lookup(A("10.9.9.9")).bits, static_cast<uint32_t>(Restrict::kNoServe));
  EXPECT_EQ(t.Lookup(A("203.0.113.5")).bits, static_cast<uint32_t>(Restrict::kNoPeer));
  EXPECT_EQ(policy.rate.average_log2, 4);
  EXPECT_EQ(policy.rate.minimum_s, 1);
  EXPECT_EQ(policy.rate.monitor_s, 600);
}

TEST(ToAccessPolicy, NoRestrictLinesRestrictNothing) {
  auto parsed = ParseText("server 127.0.0.1\n");
  ASSERT_TRUE(parsed);
  const auto policy = ToAccessPolicy(parsed->config);
  EXPECT_TRUE(policy.restricts.empty());
  EXPECT_EQ(policy.rate.average_log2, 3);  // ntpd's defaults
  EXPECT_EQ(policy.rate.minimum_s, 2);
}

}  // namespace
}  // namespace tempus::config
