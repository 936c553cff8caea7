// The keys file reader (ntp.keys(5)): the formats ntpd and NTPsec write, every error with
// file:line:column and without the secret, and hostile files (truncated, NUL bytes, huge lines,
// bad hex, unknown types, duplicate ids, a FIFO) as errors, never a crash or a hang.
#include "config/keys_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/parser.h"
#include "tests/config/temp_dir.h"

namespace tempus::config {
namespace {

std::string Errors(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.ToString() + "\n";
  return out;
}

// The one error of parsing `text` (fails the test when there is not exactly one).
Diagnostic OneError(const std::string& text) {
  auto r = ParseKeysFile(text, "ntp.keys");
  EXPECT_FALSE(r);
  if (r) return {};
  EXPECT_EQ(r.error().size(), 1u) << Errors(r.error());
  return r.error().front();
}

TEST(KeysFile, ReadsTheFormatsNtpdAndNtpsecWrite) {
  const std::string text =
      "# ntpkeygen output\n"
      "1 MD5 L\";Nw<`.I<f4U0)247\"i  # MD5 key\n"
      "2 SHA1 8d9b9ad0b4b6b1c7c4c7fe2a6ef6bc3a4b7a3c1e  # SHA1 key, 40 hex digits\n"
      "3 sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF\n"
      "\t4\tAES128CMAC\t00112233445566778899aabbccddeeff\r\n"
      "5 AES-128 abcdefghij\n"
      "6 M key6 127.0.0.1,10.0.0.0/8,::1\n"
      "65535 sha-1 x\n"
      "\n"
      "   # indented comment\n";
  auto r = ParseKeysFile(text, "ntp.keys");
  ASSERT_TRUE(r) << Errors(r.error());
  ASSERT_EQ(r->keys.size(), 7u);
  EXPECT_TRUE(r->warnings.empty());
  const SymmetricKey& k1 = r->keys[0];
  EXPECT_EQ(k1.id, 1);
  EXPECT_EQ(k1.type, KeyType::kMd5);
  EXPECT_EQ(std::string(k1.secret.begin(), k1.secret.end()), "L\";Nw<`.I<f4U0)247\"i");
  EXPECT_EQ(k1.where, (Location{"ntp.keys", 2, 1}));
  EXPECT_EQ(r->keys[1].type, KeyType::kSha1);
  ASSERT_EQ(r->keys[1].secret.size(), 20u);
  EXPECT_EQ(r->keys[1].secret[0], 0x8d);
  EXPECT_EQ(r->keys[2].type, KeyType::kSha256);
  ASSERT_EQ(r->keys[2].secret.size(), 32u);
  EXPECT_EQ(r->keys[2].secret[31], 0xef);
  EXPECT_EQ(r->keys[3].id, 4);
  EXPECT_EQ(r->keys[3].type, KeyType::kAes128Cmac);
  EXPECT_EQ(r->keys[3].secret.size(), 16u);
  EXPECT_EQ(r->keys[3].where.column, 2);
  EXPECT_EQ(r->keys[4].type, KeyType::kAes128Cmac);
  EXPECT_EQ(r->keys[4].secret.size(), 10u);  // 20 characters or fewer: ASCII, as written
  EXPECT_EQ(r->keys[5].type, KeyType::kMd5);
  ASSERT_EQ(r->keys[5].allowed.size(), 3u);
  EXPECT_EQ(r->keys[5].allowed[1].prefix_len, 8);
  EXPECT_EQ(r->keys[5].allowed[2].prefix_len, 128);
  EXPECT_EQ(r->keys[6].id, 65535);
  EXPECT_NE(r->Find(65535), nullptr);
  EXPECT_EQ(r->Find(7), nullptr);
}

TEST(KeysFile, KeyIdsOutsideOneTo65535AreErrors) {
  for (const char* id : {"0", "65536", "-1", "1x", "99999999999999999999"}) {
    const Diagnostic d = OneError(std::string(id) + " MD5 secret\n");
    EXPECT_EQ(d.ToString(), "ntp.keys:1:1: expected a key id 1..65535, got '" + std::string(id) + "'");
  }
}

TEST(KeysFile, UnknownTypeAndMissingFieldsSayWhere) {
  EXPECT_EQ(OneError("1 DES secret\n").ToString(),
            "ntp.keys:1:3: expected a key type (MD5, SHA1, SHA256, AES128CMAC, ...), got 'DES'");
  EXPECT_EQ(OneError("1\n").ToString(),
            "ntp.keys:1:2: expected a key type (MD5, SHA1, SHA256, AES128CMAC, ...) after the key id, got the end of "
            "the line");
  EXPECT_EQ(OneError("7 SHA1   # no key\n").ToString(),
            "ntp.keys:1:7: expected a key after the key type, got the end of the line");
  EXPECT_EQ(OneError("1 MD5 k 10.0.0.1 extra\n").ToString(),
            "ntp.keys:1:18: expected the end of the line or '#', got 'extra'");
  EXPECT_EQ(OneError("1 MD5 k 10.0.0.1,bad/99\n").ToString(),
            "ntp.keys:1:18: expected a numeric address with an optional /bits in the key's address list, got "
            "'bad/99'");
}

TEST(KeysFile, BadHexIsAnErrorThatNeverShowsTheKey) {
  const std::string secret = "0123456789abcdef0123456789abcdef012345zz";  // 40 characters, 'z' at 39
  const Diagnostic d = OneError("3 SHA1 " + secret + "\n");
  EXPECT_EQ(d.where.line, 1);
  EXPECT_EQ(d.where.column, 8 + 38);
  EXPECT_EQ(d.message.find("0123456789"), std::string::npos) << d.message;
  EXPECT_EQ(d.message,
            "expected hex digits in a key longer than 20 characters, got a non-hex character at position 39 of 40");
  // Odd length and too long: the length is said, not the key.
  const std::string odd(41, 'a'), long_key(66, 'b');
  EXPECT_EQ(OneError("3 SHA1 " + odd + "\n").message,
            "expected a key of 1..20 characters or an even number of 22..64 hex digits, got 41 characters");
  const Diagnostic l = OneError("3 SHA1 " + long_key + "\n");
  EXPECT_EQ(l.message.find("bbbb"), std::string::npos);
}

TEST(KeysFile, DuplicateIdsNameTheFirstLine) {
  const Diagnostic d = OneError("5 MD5 one\n\n5 SHA1 two\n");
  EXPECT_EQ(d.ToString(), "ntp.keys:3:1: expected a new key id, got 5 (already defined on line 1)");
}

TEST(KeysFile, NulAndControlBytesAreErrorsAtTheirColumn) {
  const Diagnostic nul = OneError(std::string("1 MD5 ab\0cd\n", 12));
  EXPECT_EQ(nul.ToString(), "ntp.keys:1:9: expected printable ASCII, got byte 0x00");
  EXPECT_EQ(OneError("1 MD5 a\x1b[0m\n").ToString(), "ntp.keys:1:8: expected printable ASCII, got byte 0x1b");
  EXPECT_EQ(OneError("1 MD5 caf\xc3\xa9\n").where.column, 10);
  // In a comment anything goes.
  EXPECT_TRUE(ParseKeysFile(std::string("1 MD5 k # \0\xff\n", 13), "ntp.keys"));
}

TEST(KeysFile, HugeLinesAreRefusedWithoutScanning) {
  const std::string huge = "1 MD5 " + std::string(10'000'000, 'a') + "\n2 MD5 ok\n";
  auto r = ParseKeysFile(huge, "ntp.keys");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].ToString(), "ntp.keys:1:1: expected a line of at most 1024 bytes, got 10000006 bytes");
}

TEST(KeysFile, TruncatedFilesParseUpToTheCut) {
  const std::string full = "1 MD5 alpha\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n";
  // Every prefix gives keys or errors, never a crash; a cut inside the hex key is an error.
  for (size_t n = 0; n <= full.size(); ++n) {
    auto r = ParseKeysFile(full.substr(0, n), "ntp.keys");
    if (r) {
      EXPECT_LE(r->keys.size(), 2u);
      continue;
    }
    ASSERT_FALSE(r.error().empty());
    const std::string cut = full.substr(0, n);
    const int last_line = 1 + static_cast<int>(std::count(cut.begin(), cut.end(), '\n'));
    EXPECT_EQ(r.error().front().where.line, last_line) << n;  // only the cut line is wrong
  }
  auto cut = ParseKeysFile(full.substr(0, full.size() - 5), "ntp.keys");  // 36 hex digits: even, still valid
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->keys[1].secret.size(), 18u);
}

TEST(KeysFile, EmptyFileWarnsAndManyErrorsAreCapped) {
  auto empty = ParseKeysFile("# nothing\n", "ntp.keys");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->keys.empty());
  ASSERT_EQ(empty->warnings.size(), 1u);
  std::string garbage;
  for (int i = 0; i < 100'000; ++i) garbage += "x y z\n";
  auto r = ParseKeysFile(garbage, "ntp.keys");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().size(), kMaxKeysErrors + 1);
  EXPECT_NE(r.error().back().message.find("too many errors"), std::string::npos);
}

TEST(KeysFile, TrustedKeysAreCheckedAgainstTheFile) {
  auto parsed = ParseText("keys /etc/ntp.keys\ntrustedkey 1 2-3 9\ncontrolkey 8\n");
  ASSERT_TRUE(parsed) << Errors(parsed.error());
  auto keys = ParseKeysFile("1 MD5 a\n2 MD5 b\n3 MD5 c\n", "/etc/ntp.keys");
  ASSERT_TRUE(keys);
  const auto w = CheckKeyReferences(parsed->config.keys, *keys, "/etc/ntp.keys");
  ASSERT_EQ(w.size(), 2u) << Errors(w);
  EXPECT_EQ(w[0].ToString(),
            "/etc/ntp.keys: warning: trustedkey 9 is not in the keys file; it cannot authenticate anything");
  EXPECT_EQ(w[1].ToString(), "/etc/ntp.keys: warning: controlkey 8 is not in the keys file");
}

class KeysFileOnDisk : public testing::TempDirTest {
 protected:
  KeysFileOnDisk() : TempDirTest("tempus-keys") {}
};

TEST_F(KeysFileOnDisk, FifoIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo(Path("ntp.keys").c_str(), 0600), 0);
  RealFileSystem fs;
  auto r = ReadKeysFile(fs, Path("ntp.keys"));  // would block forever without O_NONBLOCK
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().front().message.find("not a regular file"), std::string::npos) << Errors(r.error());
}

TEST_F(KeysFileOnDisk, MissingFileAndDirectoryAreErrors) {
  RealFileSystem fs;
  auto missing = ReadKeysFile(fs, Path("none"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().front().ToString(),
            Path("none") + ": cannot read the keys file: No such file or directory");
  EXPECT_FALSE(ReadKeysFile(fs, dir()));
  std::ofstream(Path("ok.keys")) << "10 SHA256 " << std::string(64, 'f') << "\n";
  auto ok = ReadKeysFile(fs, Path("ok.keys"));
  ASSERT_TRUE(ok) << Errors(ok.error());
  EXPECT_EQ(ok->keys.front().secret, std::vector<uint8_t>(32, 0xff));
}

}  // namespace
}  // namespace tempus::config
