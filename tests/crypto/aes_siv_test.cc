#include "crypto/aes_siv.h"

#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "testdata/hex.h"

namespace tempus::crypto {
namespace {

using testdata::FromHex;
using testdata::ToHex;

// Runs `check` twice, each time in a thread of its own whose AES contexts run on one of the two
// paths (aes_siv.cc: libcrypto's built-in ciphers without a provider where OpenSSL 3 allows it,
// the provider's otherwise): both give the same octets.
void BothPaths(void (*check)()) {
  for (auto path : {internal::AesPath::kLegacy, internal::AesPath::kProvider}) {
    internal::SetAesPathForNewThreads(path);
    std::thread([check, path] {
      SCOPED_TRACE(path == internal::AesPath::kLegacy ? "legacy path" : "provider path");
      check();
    }).join();
  }
  internal::SetAesPathForNewThreads(internal::AesPath::kLegacy);
}

std::vector<uint8_t> RandomBytes(std::mt19937& gen, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(gen());
  return v;
}

// RFC 4493 §4: the four AES-128-CMAC examples (empty, one whole block, a partial last block,
// four whole blocks), each branch of the last block's subkey (K2 padded, K1 whole).
void CheckRfc4493Examples() {
  const auto key = FromHex("2b7e151628aed2a6abf7158809cf4f3c");
  const auto m64 = FromHex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  const std::vector<std::pair<size_t, const char*>> examples = {{0, "bb1d6929e95937287fa37d129b756746"},
                                                                {16, "070a16b46b4d4144f79bdd9dd04a287c"},
                                                                {40, "dfa66747de9ae63030ca32611497c827"},
                                                                {64, "51f0bebf7e3b9d92fc49741779363cfe"}};
  for (const auto& [size, mac] : examples) {
    auto got = internal::AesCmac(key, std::span(m64).first(size));
    ASSERT_TRUE(got) << size;
    EXPECT_EQ(ToHex({got->begin(), got->end()}), mac) << size;
  }
  EXPECT_EQ(internal::AesCmac(std::span(key).first(15), m64).error(), AeadError::kBadKeySize);
}
TEST(AesCmac, Rfc4493Examples) { BothPaths(CheckRfc4493Examples); }

// OpenSSL's CMAC (EVP_MAC, AES-128-CBC): the reference the CMAC here replaces.
std::vector<uint8_t> OpenSslCmac(const std::vector<uint8_t>& key, const std::vector<uint8_t>& message) {
  std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr), &EVP_MAC_free);
  if (!mac) return {};
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac.get()), &EVP_MAC_CTX_free);
  char cipher[] = "AES-128-CBC";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("cipher", cipher, 0), OSSL_PARAM_construct_end()};
  std::vector<uint8_t> out(16);
  size_t n = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &n, out.size()) != 1 || n != 16) {
    return {};
  }
  return out;
}

// Random keys and messages of every length 0 to 100 octets (every position of the last block,
// whole and partial), then a few long ones (past the 256-octet runs the CMAC hands OpenSSL at
// once), each the same MAC as OpenSSL's EVP_MAC CMAC. The MACs run back to back on one thread's
// context under changing keys, as S2V's do.
void CheckEqualsOpenSslsCmacOnRandomKeysAndEveryLength() {
  std::mt19937 gen(4493);
  auto bytes = [&](size_t n) { return RandomBytes(gen, n); };
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 100; ++n) sizes.push_back(n);
  for (size_t n : {255, 256, 257, 271, 272, 273, 1000, 1023, 1024, 1025, 1039, 1040, 1041, 4096, 4099}) {
    sizes.push_back(n);
  }
  for (size_t n : sizes) {
    for (int round = 0; round < 3; ++round) {
      const auto key = bytes(16);
      const auto message = bytes(n);
      const auto expected = OpenSslCmac(key, message);
      ASSERT_EQ(expected.size(), 16u) << "OpenSSL has no CMAC";
      auto got = internal::AesCmac(key, message);
      ASSERT_TRUE(got) << n;
      ASSERT_EQ(ToHex({got->begin(), got->end()}), ToHex(expected)) << n;
    }
  }
}
TEST(AesCmac, EqualsOpenSslsCmacOnRandomKeysAndEveryLength) {
  BothPaths(CheckEqualsOpenSslsCmacOnRandomKeysAndEveryLength);
}

// RFC 5297 Appendix A.1: deterministic authenticated encryption (one AD component, no nonce).
void CheckRfc5297A1KnownAnswer() {
  const auto key = FromHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const auto ad = FromHex("101112131415161718191a1b1c1d1e1f2021222324252627");
  const auto plaintext = FromHex("112233445566778899aabbccddee");
  std::vector<uint8_t> out(64);
  auto n = AesSivSeal(key, {ad}, plaintext, out);
  ASSERT_TRUE(n) << AeadErrorName(n.error());
  out.resize(*n);
  EXPECT_EQ(ToHex(out), "85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c");
  std::vector<uint8_t> back(out.size());
  auto m = AesSivOpen(key, {ad}, out, back);
  ASSERT_TRUE(m);
  back.resize(*m);
  EXPECT_EQ(back, plaintext);
}
TEST(AesSiv, Rfc5297A1KnownAnswer) { BothPaths(CheckRfc5297A1KnownAnswer); }

// RFC 5297 Appendix A.2: nonce-based, two AD components then the nonce (NTS's shape).
void CheckRfc5297A2KnownAnswerWithNonce() {
  const auto key = FromHex("7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f");
  const auto ad1 = FromHex("00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100");
  const auto ad2 = FromHex("102030405060708090a0");
  const auto nonce = FromHex("09f911029d74e35bd84156c5635688c0");
  const auto plaintext =
      FromHex("7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349562d414553");
  std::vector<uint8_t> out(128);
  auto n = AesSivSeal(key, {ad1, ad2, nonce}, plaintext, out);
  ASSERT_TRUE(n);
  out.resize(*n);
  EXPECT_EQ(ToHex(out),
            "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17"
            "dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d");
}
TEST(AesSiv, Rfc5297A2KnownAnswerWithNonce) { BothPaths(CheckRfc5297A2KnownAnswerWithNonce); }

// S2V alone (used for empty plaintexts) gives the tag OpenSSL's SIV gives, in both branches of
// RFC 5297 §2.4: a last string shorter than a block (A.1, 14 octets: pad) and longer (A.2: xorend).
void CheckS2vMatchesTheTagOfBothRfcVectors() {
  const auto key1 = FromHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  const auto ad = FromHex("101112131415161718191a1b1c1d1e1f2021222324252627");
  auto v1 = internal::S2v(key1, {ad}, FromHex("112233445566778899aabbccddee"));
  ASSERT_TRUE(v1);
  EXPECT_EQ(ToHex({v1->begin(), v1->end()}), "85632d07c6e8f37f950acd320a2ecc93");
  const auto key2 = FromHex("7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f");
  auto v2 = internal::S2v(
      key2,
      {FromHex("00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100"),
       FromHex("102030405060708090a0"), FromHex("09f911029d74e35bd84156c5635688c0")},
      FromHex("7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349562d414553"));
  ASSERT_TRUE(v2);
  EXPECT_EQ(ToHex({v2->begin(), v2->end()}), "7bdb6e3b432667eb06f4d14bff2fbd0f");
}
TEST(AesSiv, S2vMatchesTheTagOfBothRfcVectors) { BothPaths(CheckS2vMatchesTheTagOfBothRfcVectors); }

void CheckEmptyPlaintextIsATagThatAuthenticatesTheAssociatedData() {
  // An NTS request: the authenticator's ciphertext is the tag alone.
  const std::vector<uint8_t> key(32, 7), ad(64, 1), nonce(16, 2);
  std::vector<uint8_t> tag(16);
  ASSERT_EQ(AesSivSeal(key, {ad, nonce}, {}, tag).value_or(0), 16u);
  std::vector<uint8_t> none(1);
  auto opened = AesSivOpen(key, {ad, nonce}, tag, none);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, 0u);
  auto other = ad;
  other[10] ^= 1;
  EXPECT_EQ(AesSivOpen(key, {other, nonce}, tag, none).error(), AeadError::kAuthentication);
}
TEST(AesSiv, EmptyPlaintextIsATagThatAuthenticatesTheAssociatedData) {
  BothPaths(CheckEmptyPlaintextIsATagThatAuthenticatesTheAssociatedData);
}

void CheckAnyFlippedBitIsRefusedAndLeavesNoPlaintext() {
  const std::vector<uint8_t> key(32, 9), nonce(16, 3), plaintext(40, 0x5a);
  std::vector<uint8_t> sealed(56);
  ASSERT_TRUE(AesSivSeal(key, {nonce}, plaintext, sealed));
  for (size_t bit = 0; bit < sealed.size() * 8; bit += 7) {
    auto bad = sealed;
    bad[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    std::vector<uint8_t> out(40, 0xee);
    ASSERT_EQ(AesSivOpen(key, {nonce}, bad, out).error(), AeadError::kAuthentication) << bit;
    EXPECT_EQ(out, std::vector<uint8_t>(40, 0)) << bit;
  }
  auto wrong_key = key;
  wrong_key[31] ^= 0x80;
  std::vector<uint8_t> out(40);
  EXPECT_EQ(AesSivOpen(wrong_key, {nonce}, sealed, out).error(), AeadError::kAuthentication);
}
TEST(AesSiv, AnyFlippedBitIsRefusedAndLeavesNoPlaintext) { BothPaths(CheckAnyFlippedBitIsRefusedAndLeavesNoPlaintext); }

// OpenSSL's own AES-128-SIV cipher (what AesSivSeal ran on before it was composed from CMAC and
// CTR): the tag || ciphertext of a non-empty plaintext, or nothing when OpenSSL has no SIV.
std::vector<uint8_t> OpenSslSivSeal(const std::vector<uint8_t>& key, const std::vector<std::vector<uint8_t>>& ad,
                                    const std::vector<uint8_t>& plaintext) {
  std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> cipher(EVP_CIPHER_fetch(nullptr, "AES-128-SIV", nullptr),
                                                                 &EVP_CIPHER_free);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!cipher || !ctx || EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), nullptr, nullptr) != 1) return {};
  int n = 0;
  for (const auto& a : ad) {
    if (EVP_EncryptUpdate(ctx.get(), nullptr, &n, a.data(), static_cast<int>(a.size())) != 1) return {};
  }
  std::vector<uint8_t> out(16 + plaintext.size());
  if (EVP_EncryptUpdate(ctx.get(), out.data() + 16, &n, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + 16 + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, out.data()) != 1) {
    return {};
  }
  return out;
}

// The seal of `plaintext` under `key` with one to three AD components, through AesSivSeal.
Result<size_t, AeadError> Seal(const std::vector<uint8_t>& key, const std::vector<std::vector<uint8_t>>& ad,
                               const std::vector<uint8_t>& plaintext, std::vector<uint8_t>& sealed) {
  std::vector<Bytes> spans(ad.begin(), ad.end());
  switch (spans.size()) {
    case 1: return AesSivSeal(key, {spans[0]}, plaintext, sealed);
    case 2: return AesSivSeal(key, {spans[0], spans[1]}, plaintext, sealed);
    default: return AesSivSeal(key, {spans[0], spans[1], spans[2]}, plaintext, sealed);
  }
}

// Each thread keeps the last three keys keyed (aes_siv.cc): 600 operations under five keys taken
// at random, so that keys are found keyed, evicted and keyed again, seal exactly as OpenSSL's
// AES-128-SIV and open again, as fresh keys do.
void CheckKeysUsedAgainSealAsOpenSslDoes() {
  std::mt19937 gen(8915);
  auto bytes = [&](size_t n) { return RandomBytes(gen, n); };
  std::vector<std::vector<uint8_t>> keys;
  for (int k = 0; k < 5; ++k) keys.push_back(bytes(32));
  keys[4] = keys[3];
  keys[4][31] ^= 1;  // differs in its last octet only
  for (int i = 0; i < 600; ++i) {
    const auto& key = keys[gen() % keys.size()];
    const std::vector<std::vector<uint8_t>> ad = {bytes(1 + gen() % 100), bytes(16)};
    const std::vector<uint8_t> plaintext = bytes(gen() % 2 == 0 ? 64 : 1 + gen() % 200);
    const std::vector<uint8_t> expected = OpenSslSivSeal(key, ad, plaintext);
    ASSERT_FALSE(expected.empty()) << "OpenSSL has no AES-128-SIV";
    std::vector<uint8_t> sealed(16 + plaintext.size());
    ASSERT_TRUE(Seal(key, ad, plaintext, sealed).has_value()) << i;
    ASSERT_EQ(ToHex(sealed), ToHex(expected)) << i;
    std::vector<uint8_t> opened(plaintext.size());
    ASSERT_TRUE(AesSivOpen(key, {ad[0], ad[1]}, sealed, opened).has_value()) << i;
    ASSERT_EQ(opened, plaintext) << i;
    // Under a key that is keyed too but is not this one, it does not open.
    const auto& other = keys[(&key - keys.data() + 1) % keys.size()];
    ASSERT_EQ(AesSivOpen(other, {ad[0], ad[1]}, sealed, opened).error(), AeadError::kAuthentication) << i;
  }
}
TEST(AesSiv, KeysUsedAgainSealAsOpenSslDoes) { BothPaths(CheckKeysUsedAgainSealAsOpenSslDoes); }

// Associated data and plaintexts longer than the 1,024 octets a MAC gathers into one buffer
// (aes_siv.cc streams those), and the CTR key stream across many 16-block runs.
void CheckLongInputsSealAsOpenSslDoes() {
  std::mt19937 gen(1024);
  auto bytes = [&](size_t n) { return RandomBytes(gen, n); };
  for (size_t size : {1008, 1009, 1023, 1024, 1025, 1040, 3000}) {
    const auto key = bytes(32);
    const std::vector<std::vector<uint8_t>> ad = {bytes(size), bytes(16)};
    const std::vector<uint8_t> plaintext = bytes(size + 7);
    const std::vector<uint8_t> expected = OpenSslSivSeal(key, ad, plaintext);
    ASSERT_FALSE(expected.empty()) << "OpenSSL has no AES-128-SIV";
    std::vector<uint8_t> sealed(16 + plaintext.size());
    ASSERT_TRUE(Seal(key, ad, plaintext, sealed).has_value()) << size;
    ASSERT_EQ(ToHex(sealed), ToHex(expected)) << size;
  }
}
TEST(AesSiv, LongInputsSealAsOpenSslDoes) { BothPaths(CheckLongInputsSealAsOpenSslDoes); }

// 2,000 random keys, associated-data lists (1 to 3 components of 1 to 100 octets, as NTS's packet
// and nonce; never empty: OpenSSL's cipher skips an update of 0 octets, RFC 5297 counts it) and
// plaintexts (1 to 300 octets, cookies and extension fields): the same octets as OpenSSL's
// AES-128-SIV, and each opens again. Plaintexts cross the 16-octet and counter-block boundaries;
// the cleared bits of Q (RFC 5297 §2.6) are set in half of the tags.
void CheckSealsExactlyAsOpenSslsOwnSivCipherOnRandomInputs() {
  std::mt19937 gen(5297);
  auto bytes = [&](size_t n) { return RandomBytes(gen, n); };
  for (int i = 0; i < 2000; ++i) {
    const std::vector<uint8_t> key = bytes(32);
    std::vector<std::vector<uint8_t>> ad;
    for (size_t k = 0, count = 1 + gen() % 3; k < count; ++k) ad.push_back(bytes(1 + gen() % 100));
    const std::vector<uint8_t> plaintext = bytes(1 + gen() % 300);
    const std::vector<uint8_t> expected = OpenSslSivSeal(key, ad, plaintext);
    ASSERT_FALSE(expected.empty()) << "OpenSSL has no AES-128-SIV";
    std::vector<uint8_t> sealed(16 + plaintext.size());
    Result<size_t, AeadError> got = Seal(key, ad, plaintext, sealed);
    ASSERT_TRUE(got.has_value()) << i;
    std::vector<Bytes> spans(ad.begin(), ad.end());
    ASSERT_EQ(ToHex(sealed), ToHex(expected)) << i;
    std::vector<uint8_t> opened(plaintext.size());
    switch (spans.size()) {
      case 1: got = AesSivOpen(key, {spans[0]}, sealed, opened); break;
      case 2: got = AesSivOpen(key, {spans[0], spans[1]}, sealed, opened); break;
      default: got = AesSivOpen(key, {spans[0], spans[1], spans[2]}, sealed, opened); break;
    }
    ASSERT_TRUE(got.has_value()) << i;
    ASSERT_EQ(opened, plaintext) << i;
  }
}
TEST(AesSiv, SealsExactlyAsOpenSslsOwnSivCipherOnRandomInputs) {
  BothPaths(CheckSealsExactlyAsOpenSslsOwnSivCipherOnRandomInputs);
}

void CheckSizesAreChecked() {
  const std::vector<uint8_t> short_key(16), key(32), data(20);
  std::vector<uint8_t> out(64), small(10);
  EXPECT_EQ(AesSivSeal(short_key, {}, data, out).error(), AeadError::kBadKeySize);
  EXPECT_EQ(AesSivSeal(key, {}, data, small).error(), AeadError::kBufferTooSmall);
  EXPECT_EQ(AesSivOpen(key, {}, std::span(data).first(15), out).error(), AeadError::kTooShort);
}
TEST(AesSiv, SizesAreChecked) { BothPaths(CheckSizesAreChecked); }

// The cheaper path is the one taken wherever it exists (OpenSSL 3 with its deprecated API, not
// in FIPS mode), and a thread asked for the provider's ciphers gets them.
TEST(AesSiv, ThreadsTakeTheLegacyPathWhereItExistsAndTheProviderPathWhenAsked) {
#if OPENSSL_VERSION_MAJOR == 3 && !defined(OPENSSL_NO_DEPRECATED_3_0)
  const bool legacy = EVP_default_properties_is_fips_enabled(nullptr) != 1;
#else
  const bool legacy = false;
#endif
  std::optional<internal::AesPath> got;
  std::thread([&got] { got = internal::ThisThreadsAesPath(); }).join();
  EXPECT_EQ(got, legacy ? internal::AesPath::kLegacy : internal::AesPath::kProvider);
  internal::SetAesPathForNewThreads(internal::AesPath::kProvider);
  std::thread([&got] { got = internal::ThisThreadsAesPath(); }).join();
  internal::SetAesPathForNewThreads(internal::AesPath::kLegacy);
  EXPECT_EQ(got, internal::AesPath::kProvider);
}

}  // namespace
}  // namespace tempus::crypto
