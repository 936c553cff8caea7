// server, pool, peer, refclock addresses and the LOCAL clock.
#include <gtest/gtest.h>

#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::ExpectOneErrors;
using testing::MustParse;
using testing::Warnings;

TEST(ParseServer, NameWithDefaults) {
  const auto p = MustParse("server ntp1.cloud.aliyuncs.com\n");
  ASSERT_EQ(p.config.servers.size(), 1u);
  const ServerConfig& s = p.config.servers[0];
  EXPECT_EQ(s.kind, AssocKind::kServer);
  EXPECT_EQ(s.host, "ntp1.cloud.aliyuncs.com");
  EXPECT_FALSE(s.address.has_value());
  EXPECT_EQ(s.family, Family::kAny);
  EXPECT_FALSE(s.iburst || s.burst || s.prefer || s.noselect || s.truechimer);
  EXPECT_EQ(s.minpoll.log2(), 6);
  EXPECT_EQ(s.maxpoll.log2(), 10);
  EXPECT_EQ(s.version, 4);
  EXPECT_FALSE(s.key.has_value());
  EXPECT_EQ(s.where, (Location{"ntp.conf", 1, 8}));
  EXPECT_TRUE(p.warnings.empty());
}

TEST(ParseServer, EveryOption) {
  const auto p = MustParse(
      "server 100.100.61.88 iburst burst prefer noselect true key 42 version 3 minpoll 4 "
      "maxpoll 12 port 11123\n");
  ASSERT_EQ(p.config.servers.size(), 1u);
  const ServerConfig& s = p.config.servers[0];
  ASSERT_TRUE(s.address.has_value());
  EXPECT_EQ(s.address->ToStringWithPort(), "100.100.61.88:11123");
  EXPECT_TRUE(s.iburst && s.burst && s.prefer && s.noselect && s.truechimer);
  EXPECT_EQ(s.key, 42u);
  EXPECT_EQ(s.version, 3);
  EXPECT_EQ(s.minpoll.log2(), 4);
  EXPECT_EQ(s.maxpoll.log2(), 12);
  EXPECT_EQ(s.port, 11123);
}

TEST(ParseServer, PoolPeerAndFamilies) {
  const auto p = MustParse(
      "pool -4 0.debian.pool.ntp.org iburst\nserver -6 [::1] port 1123\nserver --ipv4 a.b\n"
      "peer 10.0.0.2\npeer 10.0.0.3 iburst\n");
  ASSERT_EQ(p.config.servers.size(), 5u);
  EXPECT_EQ(p.config.servers[0].kind, AssocKind::kPool);
  EXPECT_EQ(p.config.servers[0].family, Family::kIPv4);
  EXPECT_EQ(p.config.servers[1].family, Family::kIPv6);
  EXPECT_EQ(p.config.servers[1].address->ToStringWithPort(), "[::1]:1123");
  EXPECT_EQ(p.config.servers[2].family, Family::kIPv4);
  EXPECT_EQ(p.config.servers[3].kind, AssocKind::kPeer);
  EXPECT_EQ(p.config.servers[4].kind, AssocKind::kPeer);
  ASSERT_EQ(p.warnings.size(), 1u);  // `peer` is symmetric mode; only its iburst is ignored
  EXPECT_EQ(p.warnings[0].ToString(),
            "ntp.conf:5:6: warning: 'peer iburst': iburst and burst apply to server and pool lines only (as ntpd); "
            "ignored for peer");
}

TEST(ParseServer, PollBoundsAndDefaultsFollowEachOther) {
  const auto p = MustParse("server a minpoll 3 maxpoll 17\nserver b minpoll 12\nserver c maxpoll 4\n");
  EXPECT_EQ(p.config.servers[0].minpoll.log2(), 3);
  EXPECT_EQ(p.config.servers[0].maxpoll.log2(), 17);
  EXPECT_EQ(p.config.servers[1].maxpoll.log2(), 12);  // raised to the given minpoll
  EXPECT_EQ(p.config.servers[2].minpoll.log2(), 4);   // lowered to the given maxpoll
}

TEST(ParseServer, ErrorMessages) {
  ExpectOneErrors({
      {"server a minpoll fast\n", "ntp.conf:1:18: expected poll exponent 3..17 after 'minpoll', got 'fast'"},
      {"server a minpoll 2\n", "ntp.conf:1:18: expected poll exponent 3..17 after 'minpoll', got '2'"},
      {"server a maxpoll 18\n", "ntp.conf:1:18: expected poll exponent 3..17 after 'maxpoll', got '18'"},
      {"server a minpoll\n", "ntp.conf:1:17: expected poll exponent 3..17 after 'minpoll', got end of line"},
      {"server a minpoll 8 maxpoll 6\n", "ntp.conf:1:28: expected maxpoll >= minpoll 8, got '6'"},
      {"server a version 5\n", "ntp.conf:1:18: expected NTP version 1..4 after 'version', got '5'"},
      {"server a key 0\n", "ntp.conf:1:14: expected key id 1..65535 after 'key', got '0'"},
      {"server a port 70000\n", "ntp.conf:1:15: expected UDP port 1..65535 after 'port', got '70000'"},
      {"server a ibrust\n", "ntp.conf:1:10: expected a 'server' option, got 'ibrust' (did you mean 'iburst'?)"},
      {"server\n", "ntp.conf:1:7: expected a host name or numeric address after 'server', got end of line"},
      {"pool bad..name\n", "ntp.conf:1:6: expected a host name or numeric address after 'pool', got 'bad..name'"},
      {"server 256.1.1.1\n", "ntp.conf:1:8: expected a host name or numeric address after 'server', got '256.1.1.1'"},
      {"server 127.0.0.1:123\n",
       "ntp.conf:1:8: expected a host name or numeric address after 'server', got '127.0.0.1:123' (write a port "
       "as 'port N'; 'HOST:PORT' names the NTS-KE port of an 'nts' line)"},
      {"server -6 10.0.0.1\n", "ntp.conf:1:11: expected an IPv6 address after '-6', got '10.0.0.1'"},
  });
}

TEST(ParseServer, NtsWithNtpsecOptions) {
  const auto p = MustParse(
      "server time.example.org nts\nserver 127.0.0.1 nts ca /etc/tempus/ca.pem port 14460 iburst\n"
      "server 127.0.0.2 nts noval aead AES_SIV_CMAC_256\n");
  ASSERT_EQ(p.config.servers.size(), 3u);
  const ServerConfig& a = p.config.servers[0];
  EXPECT_TRUE(a.nts);
  EXPECT_FALSE(a.noval);
  EXPECT_FALSE(a.ca.has_value());
  EXPECT_EQ(a.port, 4460);  // NTPsec: NTS-KE on TCP 4460 unless a port is given
  const ServerConfig& b = p.config.servers[1];
  EXPECT_TRUE(b.nts && b.iburst);
  EXPECT_EQ(b.ca, "/etc/tempus/ca.pem");
  EXPECT_EQ(b.address->ToStringWithPort(), "127.0.0.1:14460");
  const ServerConfig& c = p.config.servers[2];
  EXPECT_TRUE(c.nts && c.noval);
  EXPECT_EQ(c.address->ToStringWithPort(), "127.0.0.2:4460");
  EXPECT_TRUE(p.warnings.empty());
}

// NTPsec takes `nts` on pool lines too: each address of the name gets its own NTS-KE.
TEST(ParseServer, NtsOnPoolLines) {
  const auto p = MustParse("pool pool.example.org nts iburst\npool time.example.net nts port 14460 ca /ca.pem\n");
  ASSERT_EQ(p.config.servers.size(), 2u);
  EXPECT_EQ(p.config.servers[0].kind, AssocKind::kPool);
  EXPECT_TRUE(p.config.servers[0].nts && p.config.servers[0].iburst);
  EXPECT_EQ(p.config.servers[0].port, 4460);
  EXPECT_EQ(p.config.servers[1].port, 14460);
  EXPECT_EQ(p.config.servers[1].ca, "/ca.pem");
  EXPECT_TRUE(p.warnings.empty());
}

// NTPsec's "HOST:PORT" on nts lines: the NTS-KE port, IPv6 literals in brackets.
TEST(ParseServer, NtsHostPort) {
  const auto p = MustParse(
      "server time.example.org:14460 nts\nserver 127.0.0.1:4461 nts iburst\nserver [::1]:4462 nts\n"
      "pool \"pool.example.org:4463\" nts\nserver [2001:db8::1] nts\n");
  ASSERT_EQ(p.config.servers.size(), 5u);
  EXPECT_EQ(p.config.servers[0].host, "time.example.org");
  EXPECT_EQ(p.config.servers[0].port, 14460);
  EXPECT_FALSE(p.config.servers[0].address.has_value());
  EXPECT_EQ(p.config.servers[1].address->ToStringWithPort(), "127.0.0.1:4461");
  EXPECT_EQ(p.config.servers[1].host, "127.0.0.1");
  EXPECT_EQ(p.config.servers[2].address->ToStringWithPort(), "[::1]:4462");
  EXPECT_EQ(p.config.servers[2].host, "[::1]");
  EXPECT_EQ(p.config.servers[3].host, "pool.example.org");
  EXPECT_EQ(p.config.servers[3].port, 4463);
  EXPECT_EQ(p.config.servers[4].address->ToStringWithPort(), "[2001:db8::1]:4460");  // no port: 4460
  EXPECT_TRUE(p.warnings.empty());
}

TEST(ParseServer, NtsHostPortErrorsNameThePort) {
  ExpectOneErrors({
      {"server a:99999 nts\n", "ntp.conf:1:10: expected a port 1..65535 after ':' in 'a:99999', got '99999'"},
      {"server [::1]:x nts\n", "ntp.conf:1:14: expected a port 1..65535 after ':' in '[::1]:x', got 'x'"},
      {"server a: nts\n", "ntp.conf:1:10: expected a port 1..65535 after ':' in 'a:', got ''"},
      {"server \"a:0\" nts\n", "ntp.conf:1:11: expected a port 1..65535 after ':' in 'a:0', got '0'"},
      {"server a:4460 nts port 4461\n",
       "ntp.conf:1:19: expected one NTS-KE port, got one after ':' in the host and 'port N'"},
      {"pool a:4460 iburst\n",
       "ntp.conf:1:6: expected a host name or numeric address after 'pool', got 'a:4460' (write a port as 'port N'; "
       "'HOST:PORT' names the NTS-KE port of an 'nts' line)"},
  });
}

TEST(ParseServer, NtsErrorMessages) {
  ExpectOneErrors({
      {"server a noval\n", "ntp.conf:1:8: expected 'nts' with 'noval' (an option of NTS associations), got none"},
      {"server a ca /x.pem\n", "ntp.conf:1:8: expected 'nts' with 'ca' (an option of NTS associations), got none"},
      {"server a nts ca\n", "ntp.conf:1:16: expected a path after 'ca', got end of line"},
      {"server a nts aead AES_SIV_CMAC_512\n",
       "ntp.conf:1:19: expected AES_SIV_CMAC_256 after 'aead' (the one AEAD tempus's NTS client speaks), got "
       "'AES_SIV_CMAC_512'"},
      {"server a nts key 3\n", "ntp.conf:1:8: expected either 'key N' or 'nts' on one line, got both"},
      {"peer a nts\n", "ntp.conf:1:6: expected 'nts' on a server or pool line (NTS has no symmetric mode), got 'peer'"},
  });
}

TEST(ParseServer, OneLineCanReportSeveralErrors) {
  const auto lines = testing::MustFail("server a minpoll x maxpoll y version z\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "ntp.conf:1:18: expected poll exponent 3..17 after 'minpoll', got 'x'");
  EXPECT_EQ(lines[1], "ntp.conf:1:28: expected poll exponent 3..17 after 'maxpoll', got 'y'");
  EXPECT_EQ(lines[2], "ntp.conf:1:38: expected NTP version 1..4 after 'version', got 'z'");
}

TEST(ParseServer, DroppedOptionsWarn) {
  EXPECT_EQ(Warnings("server a autokey\n"),
            (std::vector<std::string>{"ntp.conf:1:10: warning: 'server autokey': Autokey (RFC 5906) was dropped by "
                                      "modern NTP daemons; ignored"}));
  EXPECT_EQ(Warnings("pool a preempt\n").size(), 1u);
  EXPECT_EQ(Warnings("server a xleave\n").size(), 1u);
}

TEST(ParseRefclock, OtherDriversAreWarnedAndDropped) {
  const auto p = MustParse("server 127.127.20.0 mode 17 prefer\n");
  EXPECT_TRUE(p.config.servers.empty());
  EXPECT_FALSE(p.config.local_clock.has_value());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].ToString(),
            "ntp.conf:1:8: warning: 'server 127.127.t.u': reference clock drivers are not supported by tempus; line "
            "ignored");
}

TEST(ParseRefclock, LocalDriverIsTheLocalClockFallback) {
  const auto p = MustParse("server 127.127.1.0\nfudge 127.127.1.0 stratum 8\n");
  EXPECT_TRUE(p.config.servers.empty());
  ASSERT_TRUE(p.config.local_clock.has_value());
  EXPECT_EQ(p.config.local_clock->stratum, 9);  // ntpd serves the driver's stratum + 1
  EXPECT_EQ(p.config.local_clock->where, (Location{"ntp.conf", 1, 8}));
  EXPECT_TRUE(p.warnings.empty());
  // The fudge line may come first; without one the driver is stratum 5 (served as 6); stratum 0
  // means a primary reference.
  EXPECT_EQ(MustParse("fudge 127.127.1.0 stratum 6\nserver 127.127.1.0\n").config.local_clock->stratum, 7);
  EXPECT_EQ(MustParse("server 127.127.1.0\n").config.local_clock->stratum, 6);
  EXPECT_EQ(MustParse("server 127.127.1.0\nfudge 127.127.1.0 stratum 0\n").config.local_clock->stratum, 1);
  // tempus `local stratum N` is the served stratum and wins over the LOCAL driver.
  EXPECT_EQ(MustParse("server 127.127.1.0\nlocal stratum 3\n").config.local_clock->stratum, 3);
}

TEST(ParseRefclock, FudgeMessages) {
  EXPECT_EQ(Warnings("fudge 127.127.1.0 stratum 6\n"),
            (std::vector<std::string>{
                "ntp.conf:1:7: warning: 'fudge 127.127.1.u' without 'server 127.127.1.u' has no effect"}));
  EXPECT_EQ(Warnings("fudge 127.127.22.0 time1 0.1 flag3 1 refid PPS\n").size(), 1u);
  ExpectOneErrors({
      {"fudge 10.0.0.1 stratum 3\n",
       "ntp.conf:1:7: expected a refclock address 127.127.t.u after 'fudge', got '10.0.0.1'"},
      {"server 127.127.1.0\nfudge 127.127.1.0 stratum 16\n",
       "ntp.conf:2:27: expected stratum 0..15 after 'stratum', got '16'"},
      {"server 127.127.1.0\nfudge 127.127.1.0 stratum 15\n",
       "ntp.conf:2:7: expected a LOCAL driver stratum 0..14 (served as stratum + 1), got '15'"},
  });
}

// What the LOCAL clock does not use is said, not silently dropped.
TEST(ParseRefclock, LocalOptionsOtherThanStratumWarn) {
  EXPECT_EQ(Warnings("server 127.127.1.0\nfudge 127.127.1.0 stratum 10 refid LOCL time1 0.5\n"),
            (std::vector<std::string>{
                "ntp.conf:2:30: warning: 'fudge refid': the LOCAL clock takes only 'stratum' in tempus; ignored",
                "ntp.conf:2:41: warning: 'fudge time1': the LOCAL clock takes only 'stratum' in tempus; ignored"}));
  EXPECT_EQ(Warnings("server 127.127.1.0 minpoll 4 prefer\n"),
            (std::vector<std::string>{"ntp.conf:1:20: warning: 'server 127.127.1.u options': the LOCAL clock has no "
                                      "poll interval, key or selection options in tempus; options ignored"}));
}

TEST(ParseRefclock, NtpsecRefclockDirectiveWarns) {
  const auto p = MustParse("refclock shm unit 0 refid GPS\n");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].ToString(),
            "ntp.conf:1:1: warning: 'refclock': reference clocks are not supported by tempus; line ignored");
}

}  // namespace
}  // namespace tempus::config
