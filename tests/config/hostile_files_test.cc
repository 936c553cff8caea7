// Hostile files: the driftfile and ntp.conf readers given a FIFO, a huge file, NUL bytes, a
// directory or absurd numbers answer with a clear error (or a safe fallback), never hang or crash.
// (Huge lines, NUL bytes, include depth, loops and fan-out in ntp.conf text are covered in
// lexer_test.cc and parser_errors_test.cc.)
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "config/driftfile.h"
#include "config/file_system.h"
#include "config/parser.h"
#include "tests/config/temp_dir.h"

namespace tempus::config {
namespace {

class HostileFilesTest : public testing::TempDirTest {
 protected:
  HostileFilesTest() : TempDirTest("tempus-hostile") {}
};

TEST_F(HostileFilesTest, DriftfileFifoIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo(Path("drift").c_str(), 0600), 0);
  auto r = ReadDriftFile(Path("drift"));  // would block forever without O_NONBLOCK
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, DriftFileError::Kind::kUnreadable);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos) << r.error().message;
}

TEST_F(HostileFilesTest, DriftfileDirectoryIsUnreadable) {
  std::filesystem::create_directory(Path("drift"));
  auto r = ReadDriftFile(Path("drift"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, DriftFileError::Kind::kUnreadable);
}

TEST_F(HostileFilesTest, HugeDriftfileIsRefused) {
  Write("drift", std::string(17u << 20, '1'));
  auto r = ReadDriftFile(Path("drift"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, DriftFileError::Kind::kUnreadable);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos) << r.error().message;
}

TEST_F(HostileFilesTest, DriftfileContentGarbage) {
  struct Case {
    std::string content;
    DriftFileError::Kind kind;
  };
  const Case cases[] = {
      {std::string("12.5\0junk", 9), DriftFileError::Kind::kGarbage},
      {std::string("\0", 1), DriftFileError::Kind::kGarbage},
      {"nan\n", DriftFileError::Kind::kGarbage},
      {"inf\n", DriftFileError::Kind::kGarbage},
      {"1e400\n", DriftFileError::Kind::kGarbage},
      {"1e300\n", DriftFileError::Kind::kOutOfRange},
      {"-500.001\n", DriftFileError::Kind::kOutOfRange},
      {std::string(100000, '9'), DriftFileError::Kind::kGarbage},
      {"0x1p3\n", DriftFileError::Kind::kGarbage},
      {"", DriftFileError::Kind::kEmpty},
      {"12.5 -1\n", DriftFileError::Kind::kGarbage},
      {"12.5 nan\n", DriftFileError::Kind::kGarbage},
      {"12.5 0.1 7\n", DriftFileError::Kind::kGarbage},
  };
  for (const auto& c : cases) {
    auto r = ParseDriftFile(c.content, "drift");
    ASSERT_FALSE(r) << c.content.substr(0, 20) << " parsed as " << r->freq_ppm;
    // A huge run of digits may be garbage or out of range; both are refused.
    if (c.content.size() < 1000) {
      EXPECT_EQ(r.error().kind, c.kind) << c.content.substr(0, 20);
    }
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST_F(HostileFilesTest, ConfigFifoAndHugeIncludeAreErrorsNotHangs) {
  ASSERT_EQ(::mkfifo(Path("fifo.conf").c_str(), 0600), 0);
  Write("huge.conf", std::string(17u << 20, '#'));
  Write("ntp.conf", "server 127.0.0.1\nincludefile fifo.conf\nincludefile huge.conf\n");
  RealFileSystem fs;
  auto r = ParseFile(fs, Path("ntp.conf"));
  ASSERT_FALSE(r);
  std::string all;
  for (const auto& d : r.error()) all += d.ToString() + "\n";
  EXPECT_NE(all.find("not a regular file"), std::string::npos) << all;
  EXPECT_NE(all.find("larger than"), std::string::npos) << all;
  EXPECT_NE(all.find("ntp.conf:2"), std::string::npos) << all;
}

TEST_F(HostileFilesTest, MainConfigFifoIsAnError) {
  ASSERT_EQ(::mkfifo(Path("ntp.conf").c_str(), 0600), 0);
  RealFileSystem fs;
  auto r = ParseFile(fs, Path("ntp.conf"));
  ASSERT_FALSE(r);
}

}  // namespace
}  // namespace tempus::config
