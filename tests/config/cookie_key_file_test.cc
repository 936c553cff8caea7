#include "config/cookie_key_file.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace tempus::config {
namespace {

// Deterministic "randomness" for the tests: bytes counting up from a start value.
FillRandom Counter(uint8_t start) {
  return [next = start](std::span<uint8_t> out) mutable {
    for (uint8_t& b : out) b = next++;
  };
}

const std::string kKey64(64, 'a');

class CookieKeyFileTest : public testing::TempDirTest {
 protected:
  CookieKeyFileTest() : TempDirTest("tempus-ntskeys") {}
};

TEST(CookieKeyFile, FormatParsesBack) {
  CookieKeys keys;
  keys.current = NewCookieKey(1765000000, Counter(1));
  keys.previous = NewCookieKey(1764900000, Counter(100));
  auto back = ParseCookieKeyFile(FormatCookieKeyFile(keys), "k");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->current.id, 0x01020304u);
  EXPECT_EQ(back->current.key[0], 5);
  EXPECT_EQ(back->current.created_unix_s, 1765000000);
  ASSERT_TRUE(back->previous);
  EXPECT_EQ(back->previous->id, 0x64656667u);
  EXPECT_EQ(back->previous->key, keys.previous->key);
}

TEST(CookieKeyFile, BadContentNamesFileAndLineAndNeverTheKey) {
  const std::string secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeZ";
  struct Case {
    std::string text;
    std::string expected;
  } cases[] = {
      {"", "/etc/tempus/nts.keys: expected a key (ID CREATED KEY), got none"},
      {"# only a comment\n\n", "/etc/tempus/nts.keys: expected a key"},
      {"\n0102030 1 " + kKey64 + "\n", "/etc/tempus/nts.keys:2: expected a key id of 8 hex digits, got '0102030'"},
      {"01020304 yesterday " + kKey64,
       "/etc/tempus/nts.keys:1: expected the creation time in Unix seconds, got 'yesterday'"},
      {"01020304 -5 " + kKey64, "/etc/tempus/nts.keys:1: expected the creation time"},
      {"01020304 1 " + secret, "/etc/tempus/nts.keys:1: expected a key of 64 hex digits, got 64 characters"},
      {"01020304 1 abc", "/etc/tempus/nts.keys:1: expected a key of 64 hex digits, got 3 characters"},
      {"01020304 1", "/etc/tempus/nts.keys:1: expected 'ID CREATED KEY' (3 words), got 2 words"},
      {"01020304 1 " + kKey64 + "\n01020304 2 " + kKey64, "/etc/tempus/nts.keys:2: key id 01020304 appears twice"},
      {"01020304 1 " + kKey64 + "\n01020305 2 " + kKey64 + "\n01020306 3 " + kKey64,
       "/etc/tempus/nts.keys:3: expected at most 2 keys"},
  };
  for (const Case& c : cases) {
    auto r = ParseCookieKeyFile(c.text, "/etc/tempus/nts.keys");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().rfind(c.expected, 0), 0u) << r.error();
    EXPECT_EQ(r.error().find("0123456789abcdef"), std::string::npos) << r.error();
  }
}

TEST(CookieKeyFile, CommentsAndBlankLinesAreSkipped) {
  auto r = ParseCookieKeyFile("# keys\n\n  01020304\t7  " + kKey64 + "  # current\r\n", "k");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->current.created_unix_s, 7);
  EXPECT_EQ(r->current.key[31], 0xaa);
  EXPECT_FALSE(r->previous);
}

TEST_F(CookieKeyFileTest, MissingFileIsCreatedPrivateAndReloadsTheSame) {
  const std::string path = Path("nts.keys");
  auto made = LoadOrRotateCookieKeys(path, 1000, 86400, Counter(1));
  ASSERT_TRUE(made) << made.error();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A restart (or a second node sharing the file) within the period: the same keys, no write.
  auto again = LoadOrRotateCookieKeys(path, 1000 + 86399, 86400, Counter(50));
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->current.id, made->current.id);
  EXPECT_EQ(again->current.key, made->current.key);
  EXPECT_FALSE(again->previous);
  // No temporary file is left behind.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(CookieKeyFileTest, RotationKeepsThePreviousKeyAndDropsTheOneBefore) {
  const std::string path = Path("nts.keys");
  auto first = LoadOrRotateCookieKeys(path, 0, 100, Counter(1));
  ASSERT_TRUE(first);
  auto second = LoadOrRotateCookieKeys(path, 100, 100, Counter(60));
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE(second->previous);
  EXPECT_EQ(second->previous->id, first->current.id);
  EXPECT_NE(second->current.id, first->current.id);
  EXPECT_EQ(second->current.created_unix_s, 100);
  auto third = LoadOrRotateCookieKeys(path, 250, 100, Counter(120));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->previous->id, second->current.id);
  // What was written is what every other node reads.
  auto read = ReadCookieKeyFile(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->current.key, third->current.key);
  EXPECT_EQ(read->previous->key, second->current.key);
}

TEST_F(CookieKeyFileTest, MalformedFileIsAnErrorAndIsNotReplaced) {
  Write("nts.keys", "garbage\n");
  auto r = LoadOrRotateCookieKeys(Path("nts.keys"), 0, 100, Counter(1));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find(Path("nts.keys") + ":1:"), std::string::npos) << r.error();
  EXPECT_EQ(Read("nts.keys"), "garbage\n");
}

TEST_F(CookieKeyFileTest, UnwritableDirectoryIsAnErrorNamingTheFile) {
  const std::string path = Path("missing-dir/nts.keys");
  auto r = LoadOrRotateCookieKeys(path, 0, 100, Counter(1));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find(path), std::string::npos) << r.error();
}

}  // namespace
}  // namespace tempus::config
