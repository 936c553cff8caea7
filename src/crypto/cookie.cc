#include "crypto/cookie.h"

#include <cstring>

#include "base/check.h"
#include "crypto/system_random.h"

namespace tempus::crypto {
namespace {

constexpr size_t kIdSize = 4;
constexpr size_t kSealedOffset = kIdSize + kCookieNonceSize;

void PutId(std::span<uint8_t> out, uint32_t id) {
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<uint8_t>(id >> (24 - 8 * i));
}

}  // namespace

const char* CookieErrorName(CookieError error) {
  switch (error) {
    case CookieError::kBadSize: return "bad_size";
    case CookieError::kUnknownKey: return "unknown_key";
    case CookieError::kAuthentication: return "authentication";
  }
  return "unknown";
}

void CookieJar::Seal(const SessionKeys& keys, Random& random, std::span<uint8_t> out) const {
  TEMPUS_CHECK(out.size() >= kCookieSize);
  PutId(out, current_.id);
  const std::span<uint8_t> nonce = out.subspan(kIdSize, kCookieNonceSize);
  FillRandom(random, nonce);
  std::array<uint8_t, 2 * kAesSivKeySize> plaintext{};
  std::memcpy(plaintext.data(), keys.c2s.data(), kAesSivKeySize);
  std::memcpy(plaintext.data() + kAesSivKeySize, keys.s2c.data(), kAesSivKeySize);
  auto sealed = AesSivSeal(current_.key, {out.first(kIdSize), nonce}, plaintext,
                           out.subspan(kSealedOffset, kCookieSize - kSealedOffset));
  std::memset(plaintext.data(), 0, plaintext.size());
  // Sizes are fixed and checked above: only a broken OpenSSL could fail here.
  TEMPUS_CHECK(sealed.has_value() && *sealed == kCookieSize - kSealedOffset);
}

Result<SessionKeys, CookieError> CookieJar::Open(std::span<const uint8_t> cookie) const {
  if (cookie.size() != kCookieSize) return Unexpected(CookieError::kBadSize);
  const uint32_t id = KeyIdOf(cookie);
  const ServerKey* key = id == current_.id ? &current_ : (previous_ && id == previous_->id) ? &*previous_ : nullptr;
  if (key == nullptr) return Unexpected(CookieError::kUnknownKey);
  std::array<uint8_t, 2 * kAesSivKeySize> plaintext{};
  auto opened = AesSivOpen(key->key, {cookie.first(kIdSize), cookie.subspan(kIdSize, kCookieNonceSize)},
                           cookie.subspan(kSealedOffset), plaintext);
  if (!opened) return Unexpected(CookieError::kAuthentication);
  SessionKeys keys;
  std::memcpy(keys.c2s.data(), plaintext.data(), kAesSivKeySize);
  std::memcpy(keys.s2c.data(), plaintext.data() + kAesSivKeySize, kAesSivKeySize);
  std::memset(plaintext.data(), 0, plaintext.size());
  return keys;
}

}  // namespace tempus::crypto
