// TempDirTest: a GoogleTest fixture with a fresh directory under /tmp for the tests that read
// files from disk (driftfile, keys file, hostile files); the directory goes with its contents
// when the test ends.
#ifndef TEMPUS_TESTS_CONFIG_TEMP_DIR_H_
#define TEMPUS_TESTS_CONFIG_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace tempus::config::testing {

class TempDirTest : public ::testing::Test {
 protected:
  // The directory is /tmp/<prefix>-XXXXXX.
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    std::string tmpl = "/tmp/" + prefix_ + "-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The directory.
  const std::string& dir() const { return dir_; }
  // The path of `name` in the directory.
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // Writes `content` to `name` in the directory, byte for byte.
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(Path(name), std::ios::binary) << content;
  }
  // The bytes of `name` in the directory ("" when it cannot be read).
  std::string Read(const std::string& name) {
    std::ifstream in(Path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string prefix_;
  std::string dir_;
};

}  // namespace tempus::config::testing

#endif  // TEMPUS_TESTS_CONFIG_TEMP_DIR_H_
