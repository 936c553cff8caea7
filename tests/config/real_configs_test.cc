// Real-world configurations (tests/config/testdata) parse with no errors and no warnings but
// those expected.
#include <gtest/gtest.h>

#include "config/directive_status.h"
#include "config/file_system.h"
#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

// The file parsed; its warnings' messages must be `warnings` (none unless given).
ParsedConfig ParseTestdata(const std::string& name, const std::vector<std::string>& warnings = {}) {
  RealFileSystem fs;
  auto r = ParseFile(fs, std::string(TEMPUS_SOURCE_DIR) + "/tests/config/testdata/" + name);
  if (!r) {
    ADD_FAILURE() << name << ":\n" << testing::Joined(r.error());
    return {};
  }
  std::vector<std::string> got;
  for (const Diagnostic& w : r->warnings) got.push_back(w.message);
  EXPECT_EQ(got, warnings) << testing::Joined(r->warnings);
  return std::move(r).value();
}

TEST(RealConfigs, Debian12NtpsecDefault) {
  const Config c = ParseTestdata("debian12-ntpsec.conf").config;
  EXPECT_EQ(c.driftfile, "/var/lib/ntpsec/ntp.drift");
  EXPECT_EQ(c.leapfile, "/usr/share/zoneinfo/leap-seconds.list");
  EXPECT_EQ(c.tos.maxclock, 11);
  EXPECT_EQ(c.tos.minclock, 4);
  EXPECT_EQ(c.tos.minsane, 3);
  ASSERT_EQ(c.servers.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.servers[i].kind, AssocKind::kPool);
    EXPECT_EQ(c.servers[i].host, std::to_string(i) + ".debian.pool.ntp.org");
    EXPECT_TRUE(c.servers[i].iburst);
  }
  ASSERT_EQ(c.restricts.size(), 3u);
  EXPECT_TRUE(c.restricts[0].Has(RestrictFlag::kLimited));
  EXPECT_EQ(c.restricts[2].address.ToString(), "::1");
}

TEST(RealConfigs, CloudCluster) {
  const Config c = ParseTestdata("cloud-cluster.conf").config;
  EXPECT_EQ(c.driftfile, "/var/lib/ntp/drift");
  ASSERT_EQ(c.restricts.size(), 5u);
  EXPECT_EQ(c.restricts[1].family, Family::kIPv6);
  EXPECT_EQ(c.restricts[4].mask.ToString(), "255.0.0.0");
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].address->ToString(), "100.100.61.88");
  EXPECT_EQ(c.servers[0].minpoll.log2(), 4);
  EXPECT_EQ(c.servers[0].maxpoll.log2(), 10);
  EXPECT_EQ(c.servers[1].host, "ntp1.cloud.aliyuncs.com");
  EXPECT_FALSE(c.servers[1].address.has_value());
}

TEST(RealConfigs, AlibabaCloudRecommended) {
  const Config c = ParseTestdata("alibaba-cloud.conf").config;
  ASSERT_EQ(c.servers.size(), 7u);
  EXPECT_EQ(c.servers[0].host, "ntp.cloud.aliyuncs.com");
  for (int n = 7; n <= 12; ++n) {
    const ServerConfig& s = c.servers[static_cast<size_t>(n - 6)];
    EXPECT_EQ(s.host, "ntp" + std::to_string(n) + ".cloud.aliyuncs.com");
    EXPECT_EQ(s.minpoll.log2(), 4);
    EXPECT_EQ(s.maxpoll.log2(), 10);
    EXPECT_TRUE(s.iburst);
  }
  EXPECT_EQ(c.restricts.size(), 7u);
  EXPECT_EQ(c.restricts[5].mask.ToString(), "255.240.0.0");
}

TEST(RealConfigs, TempusClusterWithInclude) {
  // tempus answers mode 6 read-only on its server sockets: controlkey and control are said to do
  // nothing.
  const Config c = ParseTestdata("tempus-cluster.conf", {std::string(DirectiveMessage(*FindDirectiveRow("controlkey"))),
                                                         std::string(DirectiveMessage(*FindDirectiveRow("control")))})
                       .config;
  EXPECT_EQ(c.driftfile, "/var/lib/tempus/drift");
  EXPECT_EQ(c.keys.trusted, (std::vector<uint32_t>{1, 2, 3, 4}));
  ASSERT_EQ(c.servers.size(), 3u);
  EXPECT_EQ(c.servers[0].address->ToStringWithPort(), "127.0.0.3:11123");
  EXPECT_TRUE(c.servers[0].prefer);
  EXPECT_TRUE(c.servers[2].noselect);
  EXPECT_EQ(c.clock.kind, "virtual");
  EXPECT_EQ(c.clock.virtual_freq_ppm, -20.0);
  EXPECT_EQ(c.listen.at(0).ToStringWithPort(), "127.0.0.2:11123");
  EXPECT_EQ(c.local_clock->stratum, 10);
  EXPECT_EQ(c.flags.Get(SystemFlag::kMonitor), false);
  EXPECT_EQ(c.interfaces.size(), 2u);
  EXPECT_EQ(c.restricts[1].mask.ToString(), "255.0.0.0");
}

}  // namespace
}  // namespace tempus::config
