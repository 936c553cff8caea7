// tempus-only directives and the directives parsed only to be warned about.
#include <gtest/gtest.h>

#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::ExpectOneErrors;
using testing::MustParse;
using testing::OneError;
using testing::Warnings;

TEST(ParseTempus, Clock) {
  EXPECT_EQ(MustParse("").config.clock.kind, "observe");  // steering the system clock is opt-in
  EXPECT_EQ(MustParse("clock observe\n").config.clock.kind, "observe");
  const auto v = MustParse("clock virtual offset -0.25 freq 12.5\n").config.clock;
  EXPECT_EQ(v.kind, "virtual");
  EXPECT_EQ(v.virtual_offset_s, -0.25);
  EXPECT_EQ(v.virtual_freq_ppm, 12.5);
  ExpectOneErrors({
      {"clock virtaul\n",
       "ntp.conf:1:7: expected 'system', 'observe' or 'virtual' after 'clock', got 'virtaul' (did you mean "
       "'virtual'?)"},
      {"clock system offset 1\n",
       "ntp.conf:1:14: expected end of line ('offset' and 'freq' apply to 'clock virtual' only), got 'offset'"},
      {"clock virtual freq fast\n",
       "ntp.conf:1:20: expected a frequency error -100000..100000 ppm after 'freq', got 'fast'"},
  });
}

TEST(ParseTempus, ListenControlMetrics) {
  const auto p = MustParse(
      "listen 127.0.0.2 [::1]:11123\nlisten 127.0.0.3:0\ncontrol 127.0.0.1:11124\n"
      "metrics 127.0.0.1:9123\n");
  const Config& c = p.config;
  ASSERT_EQ(c.listen.size(), 3u);
  EXPECT_EQ(c.listen[0].ToStringWithPort(), "127.0.0.2:123");
  EXPECT_EQ(c.listen[1].ToStringWithPort(), "[::1]:11123");
  EXPECT_EQ(c.listen[2].port(), 0);
  ASSERT_EQ(c.control.size(), 1u);
  EXPECT_EQ(c.control[0].ToStringWithPort(), "127.0.0.1:11124");
  ASSERT_TRUE(c.metrics.has_value());
  EXPECT_EQ(c.metrics->ToStringWithPort(), "127.0.0.1:9123");
  EXPECT_EQ(MustParse("control ::1\n").config.control.at(0).ToStringWithPort(), "[::1]:123");
  ExpectOneErrors({
      {"listen localhost\n", "ntp.conf:1:8: expected a numeric address[:port] to listen on, got 'localhost'"},
      {"metrics 127.0.0.1\n",
       "ntp.conf:1:9: expected a numeric address:port for metrics (e.g. 127.0.0.1:9123), got '127.0.0.1'"},
      {"listen 127.0.0.1:99999\n",
       "ntp.conf:1:8: expected a numeric address[:port] to listen on, got '127.0.0.1:99999'"},
  });
}

TEST(ParseTempus, LocalMakestepPidfile) {
  const auto p = MustParse("local stratum 10\nmakestep 1.0 3\npidfile /run/t.pid\n");
  ASSERT_TRUE(p.config.local_clock.has_value());
  EXPECT_EQ(p.config.local_clock->stratum, 10);
  ASSERT_TRUE(p.config.makestep.has_value());
  EXPECT_EQ(p.config.makestep->threshold_s, 1.0);
  EXPECT_EQ(p.config.makestep->limit, 3);
  EXPECT_EQ(MustParse("makestep 0.1 -1\n").config.makestep->limit, -1);
  ExpectOneErrors({
      {"local stratum 16\n", "ntp.conf:1:15: expected a stratum 1..15 after 'stratum', got '16'"},
      {"local 10\n", "ntp.conf:1:7: expected 'stratum' after 'local', got '10'"},
      {"makestep 1.0\n",
       "ntp.conf:1:13: expected an update count (-1 for always) after the threshold, got end of line"},
  });
}

TEST(ParseTempus, Workers) {
  EXPECT_EQ(MustParse("workers 2\n").config.workers, 2);
  EXPECT_FALSE(MustParse("pidfile /run/t.pid\n").config.workers.has_value());
  ExpectOneErrors({
      {"workers 0\n", "ntp.conf:1:9: expected a worker count 1..64 after 'workers', got '0'"},
      {"workers\n", "ntp.conf:1:8: expected a worker count 1..64 after 'workers', got end of line"},
      {"workers 2 3\n", "ntp.conf:1:11: expected end of line, got '3'"},
  });
}

TEST(ParseLegacy, DroppedDirectivesWarnNeverSilently) {
  const std::string text =
      "broadcast 192.168.1.255 key 4\nbroadcastclient\nmanycastserver 239.1.1.1\nmanycastclient 239.1.1.1 key 3\n"
      "multicastclient 224.0.1.1\nautokey\ncrypto pw secret\nident group\nmru maxdepth 600\n";
  const auto w = Warnings(text);
  ASSERT_EQ(w.size(), 9u);
  EXPECT_EQ(w[0], "ntp.conf:1:1: warning: 'broadcast': broadcast mode was dropped by modern NTP daemons; line ignored");
  EXPECT_EQ(w[1],
            "ntp.conf:2:1: warning: 'broadcastclient': broadcast client mode was dropped by modern NTP daemons; line "
            "ignored");
  EXPECT_EQ(w[2], "ntp.conf:3:1: warning: 'manycastserver': manycast was dropped by modern NTP daemons; line ignored");
  EXPECT_EQ(w[4],
            "ntp.conf:5:1: warning: 'multicastclient': multicast client mode was dropped by modern NTP daemons; line "
            "ignored");
  EXPECT_EQ(w[5],
            "ntp.conf:6:1: warning: 'autokey': Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored");
  EXPECT_EQ(w[7], "ntp.conf:8:1: warning: 'ident': Autokey (RFC 5906) was dropped by modern NTP daemons; line ignored");
  EXPECT_EQ(w[8],
            "ntp.conf:9:1: warning: 'mru': tempus keeps no MRU list; its rate-limit table has a fixed size; line "
            "ignored");
}

TEST(ParseLegacy, RuntimeAndLoggingDirectivesWarn) {
  EXPECT_EQ(Warnings("logconfig =syncall +clockall\n"),
            (std::vector<std::string>{"ntp.conf:1:1: warning: 'logconfig': tempus logs every event to stderr, its "
                                      "logfile or syslog; line ignored"}));
  EXPECT_EQ(Warnings("unpeer 10.0.0.1\n"),
            (std::vector<std::string>{
                "ntp.conf:1:1: warning: 'unpeer': a runtime command with no effect in a configuration file; line "
                "ignored"}));
  EXPECT_EQ(OneError("broadcast\n"), "ntp.conf:1:10: expected an address after 'broadcast', got end of line");
}

}  // namespace
}  // namespace tempus::config
