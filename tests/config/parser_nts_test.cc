// NTPsec's `nts` directive, server side (ntp.conf(5) "NTS Commands").
#include <gtest/gtest.h>

#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

using testing::ExpectOneErrors;
using testing::MustParse;
using testing::Warnings;

TEST(ParseNts, NtpsecServerLines) {
  const auto p = MustParse(
      "nts cert /etc/tempus/nts.pem\nnts key /etc/tempus/nts.key\nnts cookie /var/lib/tempus/keys\n"
      "nts enable mintls TLS1.3 maxtls TLSv1.3\n");
  const NtsServerConfig& n = p.config.nts;
  EXPECT_TRUE(n.enable);
  EXPECT_EQ(n.cert, "/etc/tempus/nts.pem");
  EXPECT_EQ(n.key, "/etc/tempus/nts.key");
  EXPECT_EQ(n.cookie, "/var/lib/tempus/keys");
  EXPECT_EQ(n.port, 4460);
  EXPECT_EQ(n.where.line, 4);
  EXPECT_TRUE(p.warnings.empty()) << testing::Joined(p.warnings);
}

TEST(ParseNts, SeveralOptionsToALineAndTheTempusPort) {
  const auto p = MustParse("nts enable cert c.pem key k.pem port 14460\n");
  EXPECT_TRUE(p.config.nts.enable);
  EXPECT_EQ(p.config.nts.cert, "c.pem");
  EXPECT_EQ(p.config.nts.port, 14460);
}

TEST(ParseNts, RotationPeriodDailyByDefaultZeroForNever) {
  EXPECT_EQ(MustParse("nts cookie /k\n").config.nts.rotate_s, 86400);
  EXPECT_EQ(MustParse("nts rotate 3600\n").config.nts.rotate_s, 3600);
  EXPECT_EQ(MustParse("nts rotate 0\n").config.nts.rotate_s, 0);
}

TEST(ParseNts, DisableTurnsItOffAgainAndNeedsNoCertificate) {
  EXPECT_FALSE(MustParse("nts enable\nnts disable\n").config.nts.enable);
  EXPECT_FALSE(MustParse("nts cookie /tmp/k\n").config.nts.enable);
}

TEST(ParseNts, Errors) {
  ExpectOneErrors({
      {"nts", "ntp.conf:1:4: expected an 'nts' option (enable, disable, cert, key, cookie, ...), got end of line"},
      {"nts enable key k.pem", "ntp.conf:1:5: expected 'nts cert FILE' with 'nts enable', got none"},
      {"nts cert c.pem\nnts enable", "ntp.conf:2:5: expected 'nts key FILE' with 'nts enable', got none"},
      {"nts cert c.pem key k.pem mintls TLS1.2",
       "ntp.conf:1:33: expected TLS1.3 after 'nts mintls' (NTS-KE is TLS 1.3 only, RFC 8915 §3), got 'TLS1.2'"},
      {"nts cert", "ntp.conf:1:9: expected a path after 'nts cert', got end of line"},
      {"nts rotate -1",
       "ntp.conf:1:12: expected a rotation period 0..31536000 s after 'nts rotate' (0: never), got '-1'"},
      {"nts port 65536", "ntp.conf:1:10: expected a TCP port 0..65535 after 'nts port', got '65536'"},
      {"nts enabel",
       "ntp.conf:1:5: expected an 'nts' option (enable, disable, cert, key, cookie, port, mintls, "
       "maxtls, ...), got 'enabel' (did you mean 'enable'?)"},
  });
}

TEST(ParseNts, CaIsTheClientsDefaultAndTlsTuningIsWarned) {
  const auto p = MustParse("nts ca /etc/tempus/ca.pem\n");
  EXPECT_EQ(p.config.nts.ca, "/etc/tempus/ca.pem");
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_FALSE(p.config.nts.enable);  // the client's CA says nothing about serving NTS-KE
  EXPECT_EQ(Warnings("nts aead AES_SIV_CMAC_512\n").size(), 1u);
}

TEST(ParseNts, AReplacedPathIsWarned) {
  EXPECT_EQ(Warnings("nts cert a.pem\nnts cert b.pem\n"),
            (std::vector<std::string>{"ntp.conf:2:10: warning: 'nts cert' given again; 'b.pem' replaces 'a.pem'"}));
}

}  // namespace
}  // namespace tempus::config
