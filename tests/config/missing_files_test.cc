// Missing include and keys files as ntpd treats them: a warning when nothing needs them (the stock
// CentOS 7 ntp.conf names /etc/ntp/crypto/pw and /etc/ntp/keys, which only the ntp package
// creates), an error only when a `key N` or `trustedkey` needs the keys.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/file_system.h"
#include "config/keys_file.h"
#include "config/parser.h"
#include "tests/config/parse_helpers.h"

namespace tempus::config {
namespace {

std::string Testdata(const std::string& name) {
  std::ifstream in(std::string(TEMPUS_SOURCE_DIR) + "/tests/config/testdata/" + name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

// The stock CentOS 7 file on a machine without the ntp package (no /etc/ntp at all).
TEST(MissingFiles, StockCentos7ConfigLoadsWithWarningsOnly) {
  MemoryFileSystem fs;
  auto r = ParseText(Testdata("centos7-ntp.conf"), "/etc/ntp.conf", fs);
  ASSERT_TRUE(r) << testing::Joined(r.error());
  ASSERT_EQ(testing::Lines(r->warnings),
            std::vector<std::string>{
                "/etc/ntp.conf:36:13: warning: includefile '/etc/ntp/crypto/pw': no such file; skipped (as ntpd)"});
  EXPECT_EQ(r->config.servers.size(), 4u);
  EXPECT_EQ(r->config.restricts.size(), 3u);
  auto keys = ReadConfiguredKeys(r->config, fs);
  ASSERT_TRUE(keys) << testing::Joined(keys.error());
  EXPECT_TRUE(keys->keys.empty());
  EXPECT_EQ(testing::Lines(keys->warnings),
            std::vector<std::string>{"/etc/ntp.conf:40:1: warning: keys '/etc/ntp/keys': no such file; no server line "
                                     "has 'key N' and there is no trustedkey, so tempusd runs without keys (as ntpd)"});
}

TEST(MissingFiles, AMissingKeysFileIsAnErrorWhenAServerNeedsAKey) {
  MemoryFileSystem fs;
  auto r = ParseText("keys /etc/ntp/keys\nserver 192.0.2.1 key 4\n", "ntp.conf", fs);
  ASSERT_TRUE(r);
  auto keys = ReadConfiguredKeys(r->config, fs);
  ASSERT_FALSE(keys);
  EXPECT_EQ(testing::Lines(keys.error()),
            std::vector<std::string>{"ntp.conf:1:1: expected a keys file at '/etc/ntp/keys', got no such file; 'key 4' "
                                     "of 192.0.2.1 (ntp.conf:2:8) need(s) its keys"});
}

TEST(MissingFiles, AMissingKeysFileIsAnErrorWithTrustedkeyButNotWithControlkey) {
  MemoryFileSystem fs;
  auto trusted = ParseText("keys /etc/ntp/keys\ntrustedkey 4 8 42\n", "ntp.conf", fs);
  ASSERT_TRUE(trusted);
  auto keys = ReadConfiguredKeys(trusted->config, fs);
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error()[0].message.find("'trustedkey' need(s) its keys"), std::string::npos);
  auto control = ParseText("keys /etc/ntp/keys\ncontrolkey 8\nrequestkey 8\n", "ntp.conf", fs);
  ASSERT_TRUE(control);
  EXPECT_TRUE(ReadConfiguredKeys(control->config, fs));
}

// A keys file that exists but cannot be read, or has errors, stays an error.
TEST(MissingFiles, AnUnreadableOrBadKeysFileIsStillAnError) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp/keys/x", "");  // /etc/ntp/keys is a directory
  auto r = ParseText("keys /etc/ntp/keys\n", "ntp.conf", fs);
  ASSERT_TRUE(r);
  EXPECT_FALSE(ReadConfiguredKeys(r->config, fs));
  fs.Add("/etc/bad.keys", "1 MD5\n");
  auto bad = ParseText("keys /etc/bad.keys\n", "ntp.conf", fs);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(ReadConfiguredKeys(bad->config, fs));
}

TEST(MissingFiles, KeysAreReadAndCheckedWhenTheFileExists) {
  MemoryFileSystem fs;
  fs.Add("/etc/ntp/keys", "4 MD5 secret\n");
  auto r = ParseText("keys /etc/ntp/keys\ntrustedkey 4 8\nserver 192.0.2.1 key 4\n", "ntp.conf", fs);
  ASSERT_TRUE(r);
  auto keys = ReadConfiguredKeys(r->config, fs);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->keys.size(), 1u);
  EXPECT_EQ(testing::Lines(keys->warnings),
            std::vector<std::string>{
                "/etc/ntp/keys: warning: trustedkey 8 is not in the keys file; it cannot authenticate anything"});
}

TEST(MissingFiles, TrustedkeyWithoutAKeysLineIsAWarning) {
  auto r = ParseText("trustedkey 1\n");
  ASSERT_TRUE(r);
  MemoryFileSystem fs;
  auto keys = ReadConfiguredKeys(r->config, fs);
  ASSERT_TRUE(keys);
  EXPECT_EQ(testing::Lines(keys->warnings),
            std::vector<std::string>{
                "warning: trustedkey without a keys file: 1 key id(s) cannot authenticate anything"});
}

}  // namespace
}  // namespace tempus::config
