#include "config/driftfile.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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
  EXPECT_DOUBLE_EQ(*r, -12.345);
  Write("drift2", "  7\r\n\n");
  EXPECT_DOUBLE_EQ(ReadDriftFile(Path("drift2")).value(), 7.0);
  Write("edge", "500.000\n");
  EXPECT_DOUBLE_EQ(ReadDriftFile(Path("edge")).value(), 500.0);
}

TEST_F(DriftFileTest, TypedErrors) {
  using Kind = DriftFileError::Kind;
  EXPECT_EQ(ReadDriftFile(Path("none")).error().kind, Kind::kMissing);
  Write("empty", " \n");
  EXPECT_EQ(ReadDriftFile(Path("empty")).error().kind, Kind::kEmpty);
  for (const char* bad : {"abc\n", "1.5 2.5\n", "12ppm\n", "nan\n", "inf\n", "1e999\n", "--1\n"}) {
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
}

TEST_F(DriftFileTest, WriteThenReadRoundTripsAndLeavesNoTemporaryFile) {
  const auto w = WriteDriftFile(Path("drift"), -3.14159);
  ASSERT_TRUE(w.has_value()) << w.error().ToString();
  EXPECT_EQ(Read("drift"), "-3.142\n");
  EXPECT_NEAR(ReadDriftFile(Path("drift")).value(), -3.142, 1e-12);
  // Replacing keeps exactly one file in the directory.
  ASSERT_TRUE(WriteDriftFile(Path("drift"), 42.0).has_value());
  EXPECT_EQ(Read("drift"), "42.000\n");
  EXPECT_EQ(EntryCount(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(Path("drift").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(DriftFileTest, WriteIntoMissingDirectoryFailsCleanly) {
  const auto w = WriteDriftFile(Path("no/such/dir/drift"), 1.0);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().err, ENOENT);
  EXPECT_EQ(EntryCount(), 0u);
}

}  // namespace
}  // namespace tempus::config
