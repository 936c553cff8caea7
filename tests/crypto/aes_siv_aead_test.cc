#include "crypto/aes_siv_aead.h"

#include <vector>

#include <gtest/gtest.h>

#include "crypto/aes_siv.h"
#include "testdata/hex.h"

namespace tempus::crypto {
namespace {

using testdata::FromHex;

// The core's Aead passes (associated data, nonce) as SIV's two components, in that order: the
// bytes are those of AesSivSeal with {ad, nonce}, and a reply opens only with both unchanged.
TEST(AesSivAead, SealsAsAesSivWithTheNonceLastAndOpensOnlyTheSame) {
  const auto key = FromHex("7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f");
  const auto ad = FromHex("00112233445566778899aabbccddeeff");
  const auto nonce = FromHex("09f911029d74e35bd84156c5635688c0");
  const auto plaintext = FromHex("7468697320697320736f6d6520");
  const AesSivAead aead;
  const core::nts::Aead& as_core = aead;
  std::vector<uint8_t> sealed(64), direct(64);
  auto n = as_core.Seal(key, ad, nonce, plaintext, sealed);
  ASSERT_TRUE(n);
  auto d = AesSivSeal(key, {ad, nonce}, plaintext, direct);
  ASSERT_TRUE(d);
  sealed.resize(*n);
  direct.resize(*d);
  EXPECT_EQ(sealed, direct);

  std::vector<uint8_t> back(64);
  auto m = as_core.Open(key, ad, nonce, sealed, back);
  ASSERT_TRUE(m);
  back.resize(*m);
  EXPECT_EQ(back, plaintext);

  auto other_nonce = nonce;
  other_nonce[0] ^= 1;
  EXPECT_FALSE(as_core.Open(key, ad, other_nonce, sealed, back));
  auto other_ad = ad;
  other_ad.back() ^= 0x80;
  EXPECT_FALSE(as_core.Open(key, other_ad, nonce, sealed, back));
  std::vector<uint8_t> small(4);
  EXPECT_FALSE(as_core.Seal(key, ad, nonce, plaintext, small));
}

}  // namespace
}  // namespace tempus::crypto
