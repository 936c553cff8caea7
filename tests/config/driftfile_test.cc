#include "config/driftfile.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "tests/config/temp_dir.h"

namespace tempus::config {
namespace {

// A fresh directory under /tmp, removed with its contents when the test ends.
class DriftFileTest : public testing::TempDirTest {
 protected:
  DriftFileTest() : TempDirTest("tempus-drift") {}
  size_t EntryCount() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir())) ++n;
    return n;
  }
};

TEST_F(DriftFileTest, ReadsNtpdFormat) {
  Write("drift", "-12.345\n");
  const auto r = ReadDriftFile(Path("drift"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->freq_ppm, -12.345);
  EXPECT_FALSE(r->error_ppm.has_value());
  Write("drift2", "  7\r\n\n");
  EXPECT_DOUBLE_EQ(ReadDriftFile(Path("drift2"))->freq_ppm, 7.0);
  Write("edge", "500.000\n");
  EXPECT_DOUBLE_EQ(ReadDriftFile(Path("edge"))->freq_ppm, 500.0);
}

// chrony's "FREQ SKEW" line (reference.c writes "%20.6f %20.6f"), and tempus's own.
TEST_F(DriftFileTest, ReadsTheErrorAfterTheFrequency) {
  Write("drift", "           -25.190123             0.012345\n");
  const auto r = ReadDriftFile(Path("drift"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->freq_ppm, -25.190123);
  ASSERT_TRUE(r->error_ppm.has_value());
  EXPECT_DOUBLE_EQ(*r->error_ppm, 0.012345);
}

TEST_F(DriftFileTest, TypedErrors) {
  using Kind = DriftFileError::Kind;
  EXPECT_EQ(ReadDriftFile(Path("none")).error().kind, Kind::kMissing);
  Write("empty", " \n");
  EXPECT_EQ(ReadDriftFile(Path("empty")).error().kind, Kind::kEmpty);
  for (const char* bad :
       {"abc\n", "1.5 2.5 3.5\n", "1.5 -2.5\n", "1.5 x\n", "12ppm\n", "nan\n", "inf\n", "1e999\n", "--1\n"}) {
    Write("bad", bad);
    EXPECT_EQ(ReadDriftFile(Path("bad")).error().kind, Kind::kGarbage) << bad;
  }
  Write("far", "-500.5\n");
  const auto far = ReadDriftFile(Path("far"));
  ASSERT_FALSE(far.has_value());
  EXPECT_EQ(far.error().kind, Kind::kOutOfRange);
  EXPECT_EQ(far.error().message, "driftfile " + Path("far") + ": expected a frequency within ±500 ppm, got '-500.5'");
  std::filesystem::create_directory(Path("subdir"));
  EXPECT_EQ(ReadDriftFile(Path("subdir")).error().kind, Kind::kUnreadable);
}

TEST_F(DriftFileTest, GarbageMessageNamesTheFileAndText) {
  Write("bad", "hello\n");
  EXPECT_EQ(ReadDriftFile(Path("bad")).error().message,
            "driftfile " + Path("bad") + ": expected a frequency in ppm, got 'hello'");
  Write("bad", "1.5 -2\n");
  EXPECT_EQ(ReadDriftFile(Path("bad")).error().message,
            "driftfile " + Path("bad") + ": expected the frequency's error in ppm (>= 0) after '1.5', got '-2'");
}

TEST_F(DriftFileTest, WriteThenReadRoundTripsAndLeavesNoTemporaryFile) {
  const auto w = WriteDriftFile(Path("drift"), -3.14159, 0.25);
  ASSERT_TRUE(w.has_value()) << w.error().ToString();
  EXPECT_EQ(Read("drift"), "-3.141590 0.250000\n");
  const auto r = ReadDriftFile(Path("drift"));
  ASSERT_TRUE(r.has_value());
  EXPECT_NEAR(r->freq_ppm, -3.14159, 1e-12);
  EXPECT_NEAR(r->error_ppm.value_or(-1), 0.25, 1e-12);
  // Replacing keeps exactly one file in the directory.
  ASSERT_TRUE(WriteDriftFile(Path("drift"), 42.0, 1.5).has_value());
  EXPECT_EQ(Read("drift"), "42.000000 1.500000\n");
  EXPECT_EQ(EntryCount(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(Path("drift").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

// ntpd reads the first number only (ntp_util.c: fscanf(fp, "%lf", &old_drift)): the file a
// tempus node writes stays ntpd's value.
TEST_F(DriftFileTest, NtpdReadsTheFrequencyOfWhatIsWritten) {
  ASSERT_TRUE(WriteDriftFile(Path("drift"), -25.19, 0.012).has_value());
  FILE* f = std::fopen(Path("drift").c_str(), "r");
  ASSERT_NE(f, nullptr);
  double ntpd_drift = 0;
  EXPECT_EQ(std::fscanf(f, "%lf", &ntpd_drift), 1);
  std::fclose(f);
  EXPECT_DOUBLE_EQ(ntpd_drift, -25.19);
}

TEST_F(DriftFileTest, WriteIntoMissingDirectoryFailsCleanly) {
  const auto w = WriteDriftFile(Path("no/such/dir/drift"), 1.0, 0.1);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().err, ENOENT);
  EXPECT_EQ(EntryCount(), 0u);
}

// The rule that keeps a long run's value from a short run's: the 40 restarts of 3-5 s
// each wrote -47.9 ... +12.4 ppm over a -25.19 ppm measured in 2 minutes.
TEST(ShouldReplaceDrift, OnlyABetterEstimateReplacesTheFile) {
  const DriftEstimate long_run{-25.19, 0.02};
  EXPECT_FALSE(ShouldReplaceDrift(-47.9, 30.0, long_run));  // a few seconds of samples
  EXPECT_FALSE(ShouldReplaceDrift(-25.3, 0.5, long_run));   // a couple of minutes: still worse
  EXPECT_TRUE(ShouldReplaceDrift(-25.21, 0.04, long_run));  // below the floor: hourly rewrites go on
  EXPECT_FALSE(ShouldReplaceDrift(-25.21, 0.06, long_run));
  // The floor: a stored value from another time counts no better than kStoredErrorFloorPpm.
  EXPECT_DOUBLE_EQ(CreditedErrorPpm(long_run), kStoredErrorFloorPpm);
  EXPECT_DOUBLE_EQ(CreditedErrorPpm({-25.19, 0.3}), 0.3);
}

TEST(ShouldReplaceDrift, AFileWithoutAnErrorCountsAsAModestBound) {
  const DriftEstimate ntpd{-25.190, std::nullopt};
  EXPECT_DOUBLE_EQ(CreditedErrorPpm(ntpd), kUnstatedErrorPpm);
  EXPECT_FALSE(ShouldReplaceDrift(-20.0, 5.0, ntpd));
  EXPECT_FALSE(ShouldReplaceDrift(-25.0, kUnstatedErrorPpm, ntpd));
  EXPECT_TRUE(ShouldReplaceDrift(-25.0, 0.5, ntpd));
}

TEST(ShouldReplaceDrift, NoFileTakesAnyMeasurementButNeverOneAtTheLimitOrUnbounded) {
  EXPECT_TRUE(ShouldReplaceDrift(-47.9, 30.0, std::nullopt));
  EXPECT_FALSE(ShouldReplaceDrift(500.0, 0.1, std::nullopt));  // clamped: the clock is beyond reach
  EXPECT_FALSE(ShouldReplaceDrift(-500.0, 0.1, std::nullopt));
  EXPECT_FALSE(ShouldReplaceDrift(12.0, std::numeric_limits<double>::infinity(), std::nullopt));
  EXPECT_FALSE(ShouldReplaceDrift(std::nan(""), 0.1, std::nullopt));
  EXPECT_FALSE(ShouldReplaceDrift(12.0, -1.0, std::nullopt));
}

// A crash loop between mkostemp and rename left 9 `drift.tmp.XXXXXX` files: the next start
// removes exactly those.
TEST_F(DriftFileTest, RemovesOnlyStaleTemporariesOfThisFile) {
  Write("drift", "1.000\n");
  for (const char* stale : {"drift.tmp.a1B2c3", "drift.tmp.ZZZZZZ", "drift.tmp.000000"}) Write(stale, "");
  const char* keep[] = {"drift.tmp.abc",      // not mkostemp's six characters
                        "drift.tmp.abcdefg",  // seven
                        "drift.tmp.ab-def",   // not a letter or digit
                        "other.tmp.a1B2c3",   // another file's
                        "xdrift.tmp.a1B2c3",  // another file's
                        "drift.TEMP",         // ntpd's temporary name
                        "drift.tmp"};         // chrony's
  for (const char* k : keep) Write(k, "");
  std::filesystem::create_directory(Path("drift.tmp.dir123"));  // not a regular file
  std::filesystem::create_symlink(Path("drift"), Path("drift.tmp.link12"));
  const auto removed = RemoveStaleDriftTemporaries(Path("drift"));
  ASSERT_TRUE(removed.has_value()) << removed.error().ToString();
  EXPECT_EQ(*removed, 3u);
  for (const char* k : keep) EXPECT_TRUE(std::filesystem::exists(Path(k))) << k;
  EXPECT_TRUE(std::filesystem::exists(Path("drift.tmp.dir123")));
  EXPECT_TRUE(std::filesystem::is_symlink(Path("drift.tmp.link12")));
  EXPECT_EQ(Read("drift"), "1.000\n");
  EXPECT_EQ(EntryCount(), 1u + std::size(keep) + 2u);
  EXPECT_EQ(RemoveStaleDriftTemporaries(Path("drift")).value(), 0u);
}

TEST_F(DriftFileTest, StaleTemporariesOfAFileInAMissingDirectoryAreAnError) {
  const auto removed = RemoveStaleDriftTemporaries(Path("no/such/dir/drift"));
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().err, ENOENT);
}

}  // namespace
}  // namespace tempus::config
