// Files, statistics, keys, tos, tinker, enable/disable and leapsmearinterval.
#include <gtest/gtest.h>

#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::ExpectOneErrors;
using testing::MustParse;
using testing::OneError;

TEST(ParsePaths, EachPathDirective) {
  const auto p = MustParse(
      "driftfile /var/lib/ntp/drift\nleapfile /usr/share/zoneinfo/leap-seconds.list\n"
      "logfile \"/var/log/my ntp.log\"\nstatsdir /var/log/ntpstats/\nkeys /etc/ntp.keys\n"
      "pidfile /run/tempusd.pid\n");
  const Config& c = p.config;
  EXPECT_EQ(c.driftfile, "/var/lib/ntp/drift");
  EXPECT_EQ(c.leapfile, "/usr/share/zoneinfo/leap-seconds.list");
  EXPECT_EQ(c.logfile, "/var/log/my ntp.log");
  EXPECT_EQ(c.monitor.statsdir, "/var/log/ntpstats/");
  EXPECT_EQ(c.keys.keys_path, "/etc/ntp.keys");
  EXPECT_EQ(c.pidfile, "/run/tempusd.pid");
  EXPECT_TRUE(p.warnings.empty());
}

TEST(ParsePaths, ErrorsAndReplacement) {
  ExpectOneErrors({
      {"driftfile\n", "ntp.conf:1:10: expected a path after 'driftfile', got end of line"},
      {"driftfile /var/lib/my drift\n",
       "ntp.conf:1:23: expected end of line after the path (quote a path with spaces), got 'drift'"},
      {"logfile \"\"\n", "ntp.conf:1:9: expected a path after 'logfile', got ''"},
  });
  const auto p = MustParse("driftfile /a\ndriftfile /b\n");
  EXPECT_EQ(p.config.driftfile, "/b");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].ToString(), "ntp.conf:2:1: warning: 'driftfile' given again; '/b' replaces '/a'");
}

TEST(ParseStatistics, NamesAndFilegen) {
  const auto p = MustParse(
      "statistics loopstats peerstats clockstats rawstats sysstats protostats loopstats\n"
      "filegen loopstats file loops type day link enable\nfilegen peerstats type none nolink disable\n"
      "filegen sysstats\n");
  const MonitorConfig& m = p.config.monitor;
  EXPECT_EQ(m.statistics, (std::vector<StatsKind>{StatsKind::kLoopStats, StatsKind::kPeerStats, StatsKind::kClockStats,
                                                  StatsKind::kRawStats, StatsKind::kSysStats, StatsKind::kProtoStats}));
  ASSERT_EQ(m.filegens.size(), 3u);
  EXPECT_EQ(m.filegens[0].kind, StatsKind::kLoopStats);
  EXPECT_EQ(m.filegens[0].file, "loops");
  EXPECT_EQ(m.filegens[0].type, FileGen::Type::kDay);
  EXPECT_EQ(m.filegens[0].link, true);
  EXPECT_EQ(m.filegens[0].enable, true);
  EXPECT_EQ(m.filegens[1].type, FileGen::Type::kNone);
  EXPECT_EQ(m.filegens[1].link, false);
  EXPECT_EQ(m.filegens[1].enable, false);
  EXPECT_FALSE(m.filegens[2].type.has_value());
  for (const char* t : {"pid", "week", "month", "year", "age"}) {
    EXPECT_TRUE(MustParse(std::string("filegen loopstats type ") + t + "\n").config.monitor.filegens.at(0).type) << t;
  }
}

TEST(ParseStatistics, ErrorMessages) {
  ExpectOneErrors({
      {"statistics loopstat\n",
       "ntp.conf:1:12: expected a statistics name (loopstats, peerstats, clockstats, rawstats, sysstats, "
       "protostats, ...), got 'loopstat' (did you mean 'loopstats'?)"},
      {"filegen loopstats type hourly\n",
       "ntp.conf:1:24: expected a file set type (none, pid, day, week, month, year, age) after 'type', got "
       "'hourly'"},
      {"filegen loopstats file ../../etc/passwd\n",
       "ntp.conf:1:24: expected a file name without '/' or '..' after 'file', got '../../etc/passwd'"},
  });
}

TEST(ParseKeys, TrustedKeysWithRanges) {
  const auto p = MustParse("trustedkey 1 3-5 10\ntrustedkey (20 ... 22) 4\ncontrolkey 7\n");
  EXPECT_EQ(p.config.keys.trusted, (std::vector<uint32_t>{1, 3, 4, 5, 10, 20, 21, 22}));
  EXPECT_EQ(p.config.keys.control_key, 7u);
  ExpectOneErrors({
      {"trustedkey 5-3\n", "ntp.conf:1:12: expected a key id 1..65535 or a range like 1-5, got '5-3'"},
      {"trustedkey 70000\n", "ntp.conf:1:12: expected a key id 1..65535 or a range like 1-5, got '70000'"},
      {"controlkey 1 2\n", "ntp.conf:1:14: expected end of line, got '2'"},
  });
}

TEST(ParseKeys, RequestkeyIsMode7AndWarns) {
  const auto p = MustParse("requestkey 9\n");
  EXPECT_EQ(p.config.keys.request_key, 9u);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].ToString(),
            "ntp.conf:1:1: warning: 'requestkey': mode 7 (ntpdc) was dropped by modern NTP daemons; ignored");
}

TEST(ParseTos, EveryOption) {
  const auto p = MustParse(
      "tos orphan 10 orphanwait 300 minclock 4 maxclock 11 minsane 3 mindist 0.01 maxdist 1.5 "
      "ceiling 15 floor 1 cohort 1 beacon 3600\ntos maxdisp 16 bcpollbstep 2 basedate 2020-01-01\n");
  const TosConfig& t = p.config.tos;
  EXPECT_EQ(t.orphan, 10);
  EXPECT_EQ(t.orphanwait_s, 300.0);
  EXPECT_EQ(t.minclock, 4);
  EXPECT_EQ(t.maxclock, 11);
  EXPECT_EQ(t.minsane, 3);
  EXPECT_EQ(t.mindist_s, 0.01);
  EXPECT_EQ(t.maxdist_s, 1.5);
  EXPECT_EQ(t.ceiling, 15);
  EXPECT_EQ(t.floor, 1);
  EXPECT_EQ(t.cohort, true);
  EXPECT_EQ(t.beacon, 3600);
  EXPECT_EQ(t.maxdisp_s, 16.0);
  EXPECT_EQ(t.bcpollbstep, 2);
  EXPECT_EQ(t.basedate, "2020-01-01");
  // Only the knobs tempus acts on pass silently (the directive status table).
  EXPECT_EQ(p.warnings.size(), 7u) << testing::Joined(p.warnings);
  EXPECT_EQ(p.warnings[0].ToString(),
            "ntp.conf:1:88: warning: 'tos ceiling': tempus takes sources of any stratum up to 15; ignored");
  ExpectOneErrors({
      {"tos orphan 17\n", "ntp.conf:1:12: expected a stratum 1..16 after 'orphan', got '17'"},
      {"tos cohort 2\n", "ntp.conf:1:12: expected 0 or 1 after 'cohort', got '2'"},
      {"tos mindist -1\n", "ntp.conf:1:13: expected a distance 0..10 s after 'mindist', got '-1'"},
      {"tos minclok 3\n",
       "ntp.conf:1:5: expected a 'tos' option (minclock, maxclock, minsane, mindist, maxdist, orphan, ...), got "
       "'minclok' (did you mean 'minclock'?)"},
      {"tos\n", "ntp.conf:1:4: expected a 'tos' option after 'tos', got end of line"},
  });
}

TEST(ParseTinker, EveryOption) {
  const auto p = MustParse(
      "tinker step 0.5 stepout 600 panic 0 dispersion 0.000015 allan 11 huffpuff 7200 "
      "stepback 0.2 stepfwd 0.3 freq -12.5 tick 0.01\n");
  const TinkerConfig& t = p.config.tinker;
  EXPECT_EQ(t.step_s, 0.5);
  EXPECT_EQ(t.stepout_s, 600.0);
  EXPECT_EQ(t.panic_s, 0.0);
  EXPECT_EQ(t.dispersion, 0.000015);
  EXPECT_EQ(t.allan, 11.0);
  EXPECT_EQ(t.huffpuff_s, 7200.0);
  EXPECT_EQ(t.stepback_s, 0.2);
  EXPECT_EQ(t.stepfwd_s, 0.3);
  EXPECT_EQ(t.freq_ppm, -12.5);
  EXPECT_EQ(t.tick_s, 0.01);
  EXPECT_EQ(p.warnings.size(), 6u) << testing::Joined(p.warnings);  // all but step, stepout, panic, freq
  ExpectOneErrors({
      {"tinker panic soon\n", "ntp.conf:1:14: expected a threshold 0..1000000000 s after 'panic', got 'soon'"},
      {"tinker step nan\n", "ntp.conf:1:13: expected a threshold 0..1000000 s after 'step', got 'nan'"},
  });
}

TEST(ParseFlags, EnableDisable) {
  const auto p = MustParse("enable auth calibrate kernel monitor ntp stats\ndisable kernel bclient mode7\n");
  const SystemFlags& f = p.config.flags;
  EXPECT_EQ(f.Get(SystemFlag::kAuth), true);
  EXPECT_EQ(f.Get(SystemFlag::kKernel), false);  // the later line wins
  EXPECT_EQ(f.Get(SystemFlag::kStats), true);
  EXPECT_EQ(f.Get(SystemFlag::kMode7), false);
  EXPECT_FALSE(f.Get(SystemFlag::kPeerClearDigestEarly).has_value());
  // enable calibrate, kernel and monitor and disable kernel ask for what tempus does not do.
  EXPECT_EQ(testing::Lines(p.warnings).size(), 4u) << testing::Joined(p.warnings);
  EXPECT_TRUE(MustParse("enable auth ntp stats\ndisable bclient mode7 monitor stats\n").warnings.empty());
  const auto w = MustParse("enable mode7 bclient\n").warnings;
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].ToString(),
            "ntp.conf:1:8: warning: 'enable mode7': mode 7 (ntpdc) was dropped by modern NTP daemons; ignored");
  EXPECT_EQ(OneError("enable kernal\n"),
            "ntp.conf:1:8: expected a flag (auth, bclient, calibrate, kernel, mode7, monitor, ntp, stats), got "
            "'kernal' (did you mean 'kernel'?)");
}

TEST(ParseMisc, Leapsmearinterval) {
  EXPECT_EQ(MustParse("leapsmearinterval 7200\n").config.leapsmear_interval_s, 7200.0);
  EXPECT_EQ(OneError("leapsmearinterval -5\n"),
            "ntp.conf:1:19: expected an interval 0..86400 s after 'leapsmearinterval', got '-5'");
}

}  // namespace
}  // namespace tempus::config
