#include "core/nts/ntp_fields.h"

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "core/wire/codec.h"

namespace tempus::core::nts {
namespace {

// An NTS client request as RFC 8915 §5.7 shapes it: header, unique identifier (32 octets),
// cookie, `placeholders` placeholders of the cookie's size, authenticator (16-octet nonce,
// 16-octet ciphertext: the SIV tag over no plaintext).
std::vector<uint8_t> Request(size_t cookie_size, size_t placeholders, size_t placeholder_size) {
  std::vector<uint8_t> packet(2048);
  Header h;
  h.mode = Mode::kClient;
  EncodeHeader(h, packet);
  NtsFieldWriter w(packet, kHeaderSize);
  std::array<uint8_t, 32> uid{};
  uid.fill(0xaa);
  std::vector<uint8_t> cookie(cookie_size, 0xcc);
  w.Field(kFieldUniqueId, uid);
  w.Field(kFieldCookie, cookie);
  for (size_t i = 0; i < placeholders; ++i) w.ZeroField(kFieldCookiePlaceholder, placeholder_size);
  std::array<uint8_t, 16> nonce{}, tag{};
  nonce.fill(0x11);
  tag.fill(0x22);
  w.AuthenticatorField(nonce, tag);
  EXPECT_TRUE(w.ok());
  packet.resize(w.size());
  return packet;
}

Result<NtsFields, NtsFieldError> Parse(const std::vector<uint8_t>& packet) {
  auto d = Decode(packet);
  EXPECT_TRUE(d) << DecodeErrorName(d.error());
  return ParseNtsFields(packet, *d);
}

TEST(NtsFields, ClientRequestRoundTrips) {
  const auto packet = Request(100, 3, 100);
  // 48 + uid 36 + cookie 104 + 3 * 104 + authenticator 4 + 4 + 16 + 16.
  EXPECT_EQ(packet.size(), 48u + 36 + 104 + 3 * 104 + 40);
  auto f = Parse(packet);
  ASSERT_TRUE(f) << NtsFieldErrorName(f.error());
  EXPECT_EQ(f->unique_id.size(), 32u);
  EXPECT_EQ(f->cookie.size(), 100u);
  EXPECT_EQ(f->placeholders, 3u);
  ASSERT_TRUE(f->authenticator);
  EXPECT_EQ(f->authenticator->nonce.size(), 16u);
  EXPECT_EQ(f->authenticator->nonce[0], 0x11);
  EXPECT_EQ(f->authenticator->ciphertext.size(), 16u);
  EXPECT_EQ(f->authenticator->ciphertext[15], 0x22);
  // §5.6: the associated data is everything before the authenticator field.
  EXPECT_EQ(f->authenticator->associated_data.data(), packet.data());
  EXPECT_EQ(f->authenticator->associated_data.size(), packet.size() - 40);
}

TEST(NtsFields, OddSizedNonceAndCiphertextArePadded) {
  std::vector<uint8_t> packet(256);
  EncodeHeader(Header{}, packet);
  NtsFieldWriter w(packet, kHeaderSize);
  const std::array<uint8_t, 13> nonce{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  const std::array<uint8_t, 19> ciphertext{9};
  w.AuthenticatorField(nonce, ciphertext);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.size() - kHeaderSize, 4u + 4 + 16 + 20);
  packet.resize(w.size());
  auto f = Parse(packet);
  ASSERT_TRUE(f && f->authenticator);
  EXPECT_EQ(f->authenticator->nonce.size(), 13u);
  EXPECT_EQ(f->authenticator->nonce[12], 13);
  EXPECT_EQ(f->authenticator->ciphertext.size(), 19u);
  EXPECT_EQ(f->authenticator->ciphertext[0], 9);
}

TEST(NtsFields, PlaceholderOfAnotherSizeIsRefused) {
  EXPECT_EQ(Parse(Request(100, 1, 96)).error(), NtsFieldError::kBadPlaceholder);
  EXPECT_EQ(Parse(Request(100, 8, 100)).error(), NtsFieldError::kTooManyPlaceholders);
}

// Patches the packet: a field's type at byte `at`.
void SetType(std::vector<uint8_t>& p, size_t at, uint16_t type) {
  p[at] = static_cast<uint8_t>(type >> 8);
  p[at + 1] = static_cast<uint8_t>(type);
}

TEST(NtsFields, DuplicatesAndShortUniqueIdAreRefused) {
  auto p = Request(32, 0, 0);  // uid at 48 (36 bytes), cookie at 84 (36 bytes)
  SetType(p, 84, kFieldUniqueId);
  EXPECT_EQ(Parse(p).error(), NtsFieldError::kDuplicateUniqueId);
  auto q = Request(32, 0, 0);
  SetType(q, 48, kFieldCookie);
  EXPECT_EQ(Parse(q).error(), NtsFieldError::kDuplicateCookie);
  auto r = Request(28, 0, 0);  // the cookie field is 32 bytes: as a uid its body is 28
  SetType(r, 48, 0x7777);
  SetType(r, 84, kFieldUniqueId);
  EXPECT_EQ(Parse(r).error(), NtsFieldError::kShortUniqueId);
}

TEST(NtsFields, FieldAfterAuthenticatorIsRefused) {
  auto p = Request(32, 0, 0);
  // §5.6: an unauthenticated field after the authenticator.
  std::array<uint8_t, 16> extra{0x77, 0x77, 0x00, 0x10};
  p.insert(p.end(), extra.begin(), extra.end());
  EXPECT_EQ(Parse(p).error(), NtsFieldError::kFieldAfterAuthenticator);
  auto q = Request(32, 0, 0);
  const size_t auth = q.size() - 40;
  q.insert(q.end(), q.begin() + static_cast<long>(auth), q.end());
  EXPECT_EQ(Parse(q).error(), NtsFieldError::kDuplicateAuthenticator);
}

TEST(NtsFields, AuthenticatorLengthsMustFitTheBody) {
  auto p = Request(32, 0, 0);
  const size_t body = p.size() - 40 + 4;
  p[body + 3] = 33;  // ciphertext 33 (padded 36) + nonce 16 + 4 > 36
  EXPECT_EQ(Parse(p).error(), NtsFieldError::kBadAuthenticator);
  auto q = Request(32, 0, 0);
  q[body] = 0;
  q[body + 1] = 0;  // zero nonce
  EXPECT_EQ(Parse(q).error(), NtsFieldError::kBadAuthenticator);
}

TEST(NtsFields, EncryptedCookiesWalkThePlaintext) {
  std::vector<uint8_t> plain(512);
  NtsFieldWriter w(plain, 0);
  const std::vector<uint8_t> c1(100, 1), c2(64, 2);
  w.Field(kFieldCookie, c1);
  w.Field(0x7777, c2);  // not a cookie: skipped
  w.Field(kFieldCookie, c2);
  plain.resize(w.size());
  std::array<std::span<const uint8_t>, 8> out{};
  auto n = EncryptedCookies(plain, out);
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(out[0].size(), 100u);
  EXPECT_EQ(out[1][63], 2);
  plain.push_back(0);  // a stray byte: not a field sequence
  EXPECT_FALSE(EncryptedCookies(plain, out));
  EXPECT_EQ(EncryptedCookies({}, out), 0u);
}

TEST(NtsFields, WriterStopsWhenFull) {
  std::vector<uint8_t> packet(kHeaderSize + 20);
  NtsFieldWriter w(packet, kHeaderSize);
  w.ZeroField(kFieldCookiePlaceholder, 12);  // 16
  EXPECT_TRUE(w.ok());
  w.ZeroField(kFieldCookiePlaceholder, 12);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), kHeaderSize + 16);
}

}  // namespace
}  // namespace tempus::core::nts
