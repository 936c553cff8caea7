#include "config/leap_file.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace tempus::config {
namespace {

constexpr int64_t kJan2017 = 3692217600;
constexpr int64_t kExpiry = 3707596800;  // 2017-06-28

// A small file in the NIST format; its #h was computed with Python's hashlib over
// "3676924800" "3707596800" "227206080010" "364469760036" "369221760037".
const char kGood[] =
    "#\tleap seconds, a test excerpt\n"
    "#$\t3676924800\n"
    "#@\t3707596800\n"
    "#\n"
    "2272060800\t10\t# 1 Jan 1972\n"
    "3644697600\t36\t# 1 Jul 2015\n"
    "3692217600\t37\t# 1 Jan 2017\n"
    "#h\t33d7aeef 5a6fcd12 ef8a7a6c c67197ec 4cabd9ac\n";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string Errors(const std::vector<Diagnostic>& d) {
  std::string out;
  for (const auto& x : d) out += x.ToString() + "\n";
  return out;
}

TEST(LeapFile, ParsesAGoodFileAndVerifiesItsHash) {
  auto f = ParseLeapFile(kGood, "leap.list");
  ASSERT_TRUE(f) << Errors(f.error());
  EXPECT_TRUE(f->hash_verified);
  EXPECT_TRUE(f->warnings.empty());
  EXPECT_EQ(f->table.updated, 3676924800);
  EXPECT_EQ(f->table.expires, kExpiry);
  ASSERT_EQ(f->table.entries.size(), 3u);
  EXPECT_EQ(f->table.entries[2], (core::LeapEntry{kJan2017, 37}));
  EXPECT_EQ(LeapFileHash(kGood), "33d7aeef 5a6fcd12 ef8a7a6c c67197ec 4cabd9ac");
}

TEST(LeapFile, CrLfLinesAndUnpaddedHashWordsAreAccepted) {
  std::string crlf;
  for (char c : std::string(kGood)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto f = ParseLeapFile(crlf, "leap.list");
  ASSERT_TRUE(f) << Errors(f.error());
  EXPECT_TRUE(f->hash_verified);
  // NIST writes hash words without leading zeros (hash from Python's hashlib for #$ 3681676800).
  std::string unpadded = Replace(kGood, "#$\t3676924800", "#$\t3681676800");
  unpadded =
      Replace(unpadded, "33d7aeef 5a6fcd12 ef8a7a6c c67197ec 4cabd9ac", "8f6f8f96 7e8ae379 1c13a 2ce6176d 399866b1");
  auto g = ParseLeapFile(unpadded, "leap.list");
  ASSERT_TRUE(g) << Errors(g.error());
  EXPECT_TRUE(g->hash_verified);
}

TEST(LeapFile, BadHashIsAnErrorAndTheFileIsNotUsed) {
  auto f = ParseLeapFile(Replace(kGood, "3692217600\t37", "3692217600\t38"), "leap.list");
  ASSERT_FALSE(f);
  ASSERT_EQ(f.error().size(), 1u);
  EXPECT_EQ(f.error()[0].where.line, 8);
  EXPECT_NE(f.error()[0].ToString().find("expected the '#h' hash"), std::string::npos) << f.error()[0].ToString();
}

TEST(LeapFile, MissingHashIsAWarning) {
  auto f = ParseLeapFile(Replace(kGood, "#h\t33d7aeef 5a6fcd12 ef8a7a6c c67197ec 4cabd9ac\n", ""), "leap.list");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->hash_verified);
  ASSERT_EQ(f->warnings.size(), 1u);
  EXPECT_NE(f->warnings[0].message.find("no hash line"), std::string::npos);
}

TEST(LeapFile, ExpiryWarningsDependOnTheTime) {
  auto f = ParseLeapFile(kGood, "leap.list");
  ASSERT_TRUE(f);
  EXPECT_FALSE(LeapExpiryWarning(f->table, kExpiry - 40 * 86400, "leap.list"));
  auto soon = LeapExpiryWarning(f->table, kExpiry - 10 * 86400, "leap.list");
  ASSERT_TRUE(soon);
  EXPECT_EQ(soon->ToString(), "leap.list: warning: expires 201706280000 UTC, in 10 day(s)");
  auto expired = LeapExpiryWarning(f->table, kExpiry + 3 * 86400, "leap.list");
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->ToString().find("expired 201706280000 UTC (3 day(s) ago)"), std::string::npos)
      << expired->ToString();
}

TEST(LeapFile, MalformedDataLineNamesLineAndColumn) {
  auto f = ParseLeapFile(Replace(kGood, "3644697600\t36", "3644697600\tx6"), "leap.list");
  ASSERT_FALSE(f);
  ASSERT_EQ(f.error().size(), 1u);
  EXPECT_EQ(f.error()[0].ToString(),
            "leap.list:6:12: expected NTP seconds and TAI-UTC, then the end of the line or '#', got 'x6'");
}

TEST(LeapFile, EveryErrorInOnePass) {
  std::string s = Replace(kGood, "3644697600\t36", "3644697600");
  s = Replace(s, "#@\t3707596800", "#@\tsoon");
  s = Replace(s, "3692217600\t37", "3692217601\t37");
  auto f = ParseLeapFile(s, "leap.list");
  ASSERT_FALSE(f);
  const std::string e = Errors(f.error());
  EXPECT_NE(e.find("leap.list:3:4: expected the expiry time in NTP seconds after '#@', got 'soon'"), std::string::npos)
      << e;
  EXPECT_NE(e.find("leap.list:6:11: expected TAI-UTC after the NTP seconds '3644697600', got the end of the line"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("leap.list:7:1: expected the first second of a month"), std::string::npos) << e;
}

TEST(LeapFile, TimesMustAscend) {
  auto f = ParseLeapFile(Replace(kGood, "3644697600\t36", "3692217600\t36"), "leap.list");
  ASSERT_FALSE(f);
  EXPECT_NE(Errors(f.error()).find("leap.list:7:1: expected a time after 3692217600 (line 6), got 3692217600"),
            std::string::npos)
      << Errors(f.error());
}

TEST(LeapFile, HugeTimesAreErrorsNotOverflows) {
  auto f = ParseLeapFile(Replace(kGood, "3692217600\t37", "9223372036854775807\t37"), "leap.list");
  ASSERT_FALSE(f);
  EXPECT_NE(Errors(f.error()).find("leap.list:7:1: expected NTP seconds and TAI-UTC"), std::string::npos)
      << Errors(f.error());
}

TEST(LeapFile, BadHashLineIsAnError) {
  auto f = ParseLeapFile(Replace(kGood, "4cabd9ac", "4cabd9ac 12"), "leap.list");
  ASSERT_FALSE(f);
  EXPECT_NE(Errors(f.error()).find("leap.list:8:3: expected five hex words"), std::string::npos) << Errors(f.error());
}

TEST(LeapFile, EmptyFileIsAnError) {
  auto f = ParseLeapFile("", "leap.list");
  ASSERT_FALSE(f);
  const std::string e = Errors(f.error());
  EXPECT_NE(e.find("leap.list: expected leap second lines"), std::string::npos) << e;
  EXPECT_NE(e.find("leap.list: expected an expiry line"), std::string::npos) << e;
}

TEST(LeapFile, HostileContentGivesCappedErrors) {
  std::string junk;
  for (int i = 0; i < 1000; ++i) junk += "zz\n";
  junk += std::string(5000, '7') + "\n";
  auto f = ParseLeapFile(junk, "leap.list");
  ASSERT_FALSE(f);
  EXPECT_LE(f.error().size(), 20u);
  auto g = ParseLeapFile(std::string("1\0002\n", 4) + std::string(20000, '9') + " 1\n", "leap.list");
  ASSERT_FALSE(g);
}

TEST(LeapFile, MissingFileSaysSo) {
  MemoryFileSystem fs;
  auto f = ReadLeapFile(fs, "/nonexistent/leap-seconds.list");
  ASSERT_FALSE(f);
  ASSERT_EQ(f.error().size(), 1u);
  EXPECT_NE(f.error()[0].ToString().find("/nonexistent/leap-seconds.list: cannot read the leap seconds file"),
            std::string::npos)
      << f.error()[0].ToString();
}

// Debian's tzdata copy of the IERS file, when this machine has it.
TEST(LeapFile, RealLeapSecondsListVerifies) {
  const std::string path = "/usr/share/zoneinfo/leap-seconds.list";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not installed (package tzdata)";
  RealFileSystem fs;
  auto f = ReadLeapFile(fs, path);
  ASSERT_TRUE(f) << Errors(f.error());
  EXPECT_TRUE(f->hash_verified) << (f->warnings.empty() ? "" : f->warnings[0].ToString());
  EXPECT_TRUE(f->warnings.empty());
  ASSERT_GE(f->table.entries.size(), 28u);
  EXPECT_EQ(f->table.entries.front(), (core::LeapEntry{2272060800, 10}));  // 1972-01-01: 10 s
  EXPECT_EQ(f->table.entries[27], (core::LeapEntry{kJan2017, 37}));        // the 2016-12-31 leap
  EXPECT_GE(f->table.expires, 3707596800);                                 // later than mid-2017
  const core::LeapStatus s = core::LeapStatusAt(f->table, 3690748800);     // 2016-12-15
  EXPECT_EQ(s.tai_utc, 36);
  EXPECT_EQ(s.month_end, core::Leap::kInsertSecond);
}

}  // namespace
}  // namespace tempus::config
