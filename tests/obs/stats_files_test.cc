#include "obs/stats_files.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tempus::obs {
namespace {

using core::NtpDuration;
using core::UnixTime;
using Type = FileSetOptions::Type;

// 2026-11-29T23:59:59Z: MJD 61373, second 86399 of the day.
constexpr int64_t kLastSecond = 1795996799;

engine::PeerStatsRecord Peer(UnixTime when) {
  return engine::PeerStatsRecord{when,
                                 *core::NetAddress::Parse("127.0.0.2:123"),
                                 0x961a,
                                 NtpDuration::FromMicros(-1234),
                                 NtpDuration::FromMicros(250),
                                 NtpDuration::FromMicros(3000),
                                 NtpDuration::FromMicros(20)};
}

engine::LoopStatsRecord Loop(UnixTime when) {
  return engine::LoopStatsRecord{when, NtpDuration::FromMicros(42), -12.5, NtpDuration::FromMicros(7), 0.0125, 6};
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "tempus-stats-XXXXXX").string();
    path_ = mkdtemp(t.data()) ? t : "";
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ntpd's record_peer_stats: "MJD sec.ms address status(hex) offset delay dispersion jitter",
// seconds with nine decimals.
TEST(StatsFiles, PeerStatsLineIsNtpdsFormat) {
  const UnixTime t = UnixTime::FromParts(kLastSecond, 0x80000000);  // .5 s
  EXPECT_EQ(FormatPeerStats(Peer(t)),
            "61373 86399.500 127.0.0.2 961a -0.001234000 0.000250000 0.003000000 0.000020000");
}

// ntpd's record_loop_stats: "MJD sec.ms offset(s) frequency(ppm) jitter(s) wander(ppm) tc".
TEST(StatsFiles, LoopStatsLineIsNtpdsFormat) {
  const UnixTime t = UnixTime::FromParts(kLastSecond - 86399, 0);  // midnight
  EXPECT_EQ(FormatLoopStats(Loop(t)), "61373 0.000 0.000042000 -12.500000 0.000007000 0.012500 6");
}

TEST(StatsFiles, GenerationSuffixes) {
  const UnixTime t = UnixTime::FromParts(kLastSecond, 0);
  const UnixTime start = t - NtpDuration::FromWholeSeconds(3 * 86400 + 5);
  EXPECT_EQ(GenerationSuffix(Type::kNone, t, 42, start), "");
  EXPECT_EQ(GenerationSuffix(Type::kPid, t, 42, start), ".42");
  EXPECT_EQ(GenerationSuffix(Type::kDay, t, 42, start), ".20261129");
  EXPECT_EQ(GenerationSuffix(Type::kDay, t + NtpDuration::FromWholeSeconds(1), 42, start), ".20261130");
  EXPECT_EQ(GenerationSuffix(Type::kMonth, t, 42, start), ".202611");
  EXPECT_EQ(GenerationSuffix(Type::kYear, t, 42, start), ".2026");
  EXPECT_EQ(GenerationSuffix(Type::kWeek, t, 42, start), ".2026w47");  // day 333 of the year
  EXPECT_EQ(GenerationSuffix(Type::kAge, t, 42, start), ".a00259200");
}

// A new day's file starts at UTC midnight (by the record's time) and the plain name follows it.
TEST(StatsFiles, SwitchesFilesAtUtcMidnightAndLinksThePlainName) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  StatsOptions o;
  o.dir = dir.path();  // no trailing slash: added
  o.peerstats.enabled = true;
  o.loopstats.enabled = true;
  o.loopstats.file = "loops";
  std::vector<std::string> logs;
  StatsFiles files(o, [&](const std::string& m) { logs.push_back(m); });
  const UnixTime before = UnixTime::FromParts(kLastSecond, 0xf0000000);
  const UnixTime after = UnixTime::FromParts(kLastSecond + 1, 0x10000000);
  files.Record(Peer(before));
  files.Record(Loop(before));
  files.Record(Peer(after));
  files.Record(Peer(after));
  EXPECT_EQ(files.lines_written(), 4u);
  EXPECT_EQ(files.errors(), 0u);
  const std::string d = dir.path() + "/";
  EXPECT_EQ(Lines(d + "peerstats.20261129").size(), 1u);
  ASSERT_EQ(Lines(d + "peerstats.20261130").size(), 2u);
  EXPECT_EQ(Lines(d + "peerstats.20261130")[0].substr(0, 16), "61374 0.062 127.");
  EXPECT_EQ(Lines(d + "loops.20261129").size(), 1u);
  struct stat plain {
  }, current{};
  ASSERT_EQ(stat((d + "peerstats").c_str(), &plain), 0);
  ASSERT_EQ(stat((d + "peerstats.20261130").c_str(), &current), 0);
  EXPECT_EQ(plain.st_ino, current.st_ino) << "the plain name is the current generation";
  EXPECT_TRUE(logs.empty());
}

TEST(StatsFiles, NolinkAndTypeNone) {
  TempDir dir;
  StatsOptions o;
  o.dir = dir.path() + "/";
  o.peerstats = {true, "p", Type::kDay, false};
  o.loopstats = {true, "l", Type::kNone, true};
  StatsFiles files(o, {});
  files.Record(Peer(UnixTime::FromParts(kLastSecond, 0)));
  files.Record(Loop(UnixTime::FromParts(kLastSecond, 0)));
  EXPECT_TRUE(std::filesystem::exists(o.dir + "p.20261129"));
  EXPECT_FALSE(std::filesystem::exists(o.dir + "p"));
  EXPECT_EQ(Lines(o.dir + "l").size(), 1u);
}

TEST(StatsFiles, DisabledSetsWriteNothing) {
  TempDir dir;
  StatsOptions o;
  o.dir = dir.path();
  o.peerstats.enabled = true;
  StatsFiles files(o, {});
  files.Record(Loop(UnixTime::FromParts(kLastSecond, 0)));
  EXPECT_EQ(files.lines_written(), 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// A file the operator left under the plain name is kept (moved aside as ntpd does), not deleted.
TEST(StatsFiles, AForeignFileUnderThePlainNameIsMovedAside) {
  TempDir dir;
  const std::string plain = dir.path() + "/peerstats";
  std::ofstream(plain) << "keep me\n";
  StatsOptions o;
  o.dir = dir.path();
  o.peerstats.enabled = true;
  std::vector<std::string> logs;
  StatsFiles files(o, [&](const std::string& m) { logs.push_back(m); });
  files.Record(Peer(UnixTime::FromParts(kLastSecond, 0)));
  EXPECT_EQ(Lines(plain).size(), 1u);
  EXPECT_EQ(Lines(plain)[0].substr(0, 5), "61373");
  const std::string aside = plain + "." + std::to_string(getpid());
  ASSERT_EQ(Lines(aside).size(), 1u);
  EXPECT_EQ(Lines(aside)[0], "keep me");
  ASSERT_EQ(logs.size(), 1u);
}

// An unwritable directory: logged once, every dropped record counted, never fatal; it recovers
// when the directory appears.
TEST(StatsFiles, ErrorsAreLoggedOnceAndCounted) {
  TempDir dir;
  StatsOptions o;
  o.dir = dir.path() + "/missing";
  o.peerstats.enabled = true;
  o.loopstats.enabled = true;
  std::vector<std::string> logs;
  StatsFiles files(o, [&](const std::string& m) { logs.push_back(m); });
  const UnixTime t = UnixTime::FromParts(kLastSecond, 0);
  for (int i = 0; i < 3; ++i) files.Record(Peer(t));
  EXPECT_EQ(files.errors(), 3u);
  EXPECT_EQ(files.lines_written(), 0u);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_NE(logs[0].find("cannot open"), std::string::npos) << logs[0];
  EXPECT_NE(logs[0].find("missing/peerstats.20261129"), std::string::npos) << logs[0];
  files.Record(Loop(t));  // the other set logs its own first error
  EXPECT_EQ(logs.size(), 2u);
  std::filesystem::create_directory(o.dir);
  files.Record(Peer(t));
  EXPECT_EQ(files.lines_written(), 1u);
  EXPECT_EQ(files.errors(), 4u);
  EXPECT_EQ(logs.size(), 3u) << "says it writes again";
  const std::string metrics = RenderStatsMetrics(files);
  EXPECT_NE(metrics.find("\ntempus_stats_lines_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\ntempus_stats_dropped_total 4\n"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace tempus::obs
