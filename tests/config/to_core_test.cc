#include "config/to_core.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::MustParse;

TEST(ToCore, AssociationFromServerLine) {
  const auto p = MustParse(
      "pool a.example iburst prefer minpoll 4 maxpoll 8 version 3 port 11123\n"
      "server 127.0.0.3 noselect true burst\npeer 127.0.0.4\n");
  const auto& s = p.config.servers;
  const auto a = ToAssociationConfig(s[0], core::NetAddress::IPv4(0x7f000005));
  EXPECT_EQ(a.address.ToStringWithPort(), "127.0.0.5:11123");
  EXPECT_TRUE(a.pool && a.iburst && a.prefer);
  EXPECT_FALSE(a.burst || a.noselect || a.truechimer);
  EXPECT_EQ(a.minpoll.log2(), 4);
  EXPECT_EQ(a.maxpoll.log2(), 8);
  EXPECT_EQ(a.version, 3);
  EXPECT_EQ(a.mode, core::Mode::kClient);
  const auto b = ToAssociationConfig(s[1], *s[1].address);
  EXPECT_EQ(b.address.ToStringWithPort(), "127.0.0.3:123");
  EXPECT_TRUE(b.noselect && b.truechimer && b.burst);
  EXPECT_FALSE(b.pool);
  EXPECT_EQ(b.mode, core::Mode::kClient);
  // A resolver answer with a port keeps it; peer lines are symmetric active (mode 1).
  const auto c = ToAssociationConfig(s[2], core::NetAddress::IPv4(0x7f000004, 4123));
  EXPECT_EQ(c.address.port(), 4123);
  EXPECT_EQ(c.mode, core::Mode::kSymmetricActive);
  EXPECT_TRUE(core::assoc::ValidateAssociationConfig(c).has_value());
  EXPECT_TRUE(core::assoc::ValidateAssociationConfig(a).has_value());
}

TEST(ToCore, SystemConfigKeepsDefaultsForUnsetKnobs) {
  const core::system::SystemConfig defaults;
  const auto s = ToSystemConfig(MustParse("server a\n").config);
  EXPECT_EQ(s.select.min_sane, defaults.select.min_sane);
  EXPECT_EQ(s.select.max_distance, defaults.select.max_distance);
  EXPECT_EQ(s.discipline.step_threshold, defaults.discipline.step_threshold);
  EXPECT_EQ(s.discipline.makestep_limit, defaults.discipline.makestep_limit);
  EXPECT_FALSE(s.discipline.initial_frequency_ppm.has_value());
  EXPECT_EQ(s.orphan_stratum, defaults.orphan_stratum);
  EXPECT_EQ(s.local_stratum, 0);
}

TEST(ToCore, SystemConfigFromTosTinkerMakestepLocal) {
  const auto s = ToSystemConfig(MustParse("tos minsane 3 minclock 4 maxclock 11 maxdist 2 mindist 0.005 orphan 9 "
                                          "orphanwait 60\ntinker step 0.5 stepout 120 panic 0 freq 12.5\n"
                                          "makestep 0.25 -1\nlocal stratum 7\n")
                                    .config);
  EXPECT_EQ(s.select.min_sane, 3);
  EXPECT_EQ(s.select.min_clock, 4);
  EXPECT_EQ(s.select.max_clock, 11);
  EXPECT_EQ(s.select.max_distance, core::NtpDuration::FromSeconds(2));
  EXPECT_EQ(s.select.min_distance, core::NtpDuration::FromSeconds(0.005));
  EXPECT_EQ(s.orphan_stratum, 9);
  EXPECT_EQ(s.orphan_wait, core::NtpDuration::FromWholeSeconds(60));
  EXPECT_EQ(s.discipline.step_threshold, core::NtpDuration::FromSeconds(0.5));
  EXPECT_EQ(s.discipline.stepout, core::NtpDuration::FromWholeSeconds(120));
  EXPECT_EQ(s.discipline.panic_threshold, core::NtpDuration::Zero());
  EXPECT_EQ(s.discipline.initial_frequency_ppm, 12.5);
  EXPECT_EQ(s.discipline.makestep_threshold, core::NtpDuration::FromSeconds(0.25));
  EXPECT_EQ(s.discipline.makestep_limit, INT_MAX);
  EXPECT_EQ(s.local_stratum, 7);
}

// Without `tinker panic` the first update steps any offset (ntpd -g, Debian's and CentOS's
// default); an explicit `tinker panic N` keeps the limit from the start (ntpd without -g).
TEST(ToCore, TinkerPanicDecidesWhetherTheStartMayStepAnyOffset) {
  const auto g = ToSystemConfig(MustParse("server a\n").config);
  EXPECT_TRUE(g.discipline.allow_panic_at_start);
  EXPECT_EQ(g.discipline.panic_threshold, core::NtpDuration::FromWholeSeconds(1000));
  const auto no_g = ToSystemConfig(MustParse("tinker panic 1000\n").config);
  EXPECT_FALSE(no_g.discipline.allow_panic_at_start);
  EXPECT_EQ(no_g.discipline.panic_threshold, core::NtpDuration::FromWholeSeconds(1000));
}

// The refid served from the local clock: ntpd's clock_update() for its LOCAL driver (the driver's
// address 127.127.1.u, or its code LOCL at stratum 0); chrony's 127.127.1.1 for `local stratum N`.
TEST(ToCore, LocalClockRefidAsNtpdAndChronyServeIt) {
  struct Case {
    const char* conf;
    int stratum;
    int unit;
    const char* refid;
  };
  for (const Case& c : std::vector<Case>{{"server 127.127.1.0\nfudge 127.127.1.0 stratum 10\n", 11, 0, "127.127.1.0"},
                                         {"server 127.127.1.3\n", 6, 3, "127.127.1.3"},
                                         {"server 127.127.1.0\nfudge 127.127.1.0 stratum 0\n", 1, 0, "LOCL"},
                                         {"local stratum 8\n", 8, 1, "127.127.1.1"},
                                         {"server 127.127.1.0\nlocal stratum 3\n", 3, 1, "127.127.1.1"}}) {
    const auto s = ToSystemConfig(MustParse(c.conf).config);
    EXPECT_EQ(s.local_stratum, c.stratum) << c.conf;
    EXPECT_EQ(s.local_unit, c.unit) << c.conf;
    const std::string refid = s.local_refid.AsCode() == "LOCL" ? "LOCL" : s.local_refid.AsDottedQuad();
    EXPECT_EQ(refid, c.refid) << c.conf;
  }
}

}  // namespace
}  // namespace tempus::config
