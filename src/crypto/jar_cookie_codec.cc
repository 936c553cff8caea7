#include "crypto/jar_cookie_codec.h"

#include <cstring>

#include "base/check.h"

namespace tempus::crypto {

std::optional<core::nts::SessionKeys> JarCookieCodec::Open(std::span<const uint8_t> cookie) const {
  if (!jar_) {
    ++counts_.unknown_key;
    return std::nullopt;
  }
  auto keys = jar_->Open(cookie);
  if (!keys) {
    ++(keys.error() == CookieError::kUnknownKey ? counts_.unknown_key : counts_.bad);
    return std::nullopt;
  }
  ++(CookieJar::KeyIdOf(cookie) == jar_->current_id() ? counts_.opened_current : counts_.opened_previous);
  const core::nts::SessionKeys out = *keys;
  std::memset(keys->c2s.data(), 0, keys->c2s.size());  // no second copy of the keys left behind
  std::memset(keys->s2c.data(), 0, keys->s2c.size());
  return out;
}

void JarCookieCodec::Seal(const core::nts::SessionKeys& keys, Random& random, std::span<uint8_t> out) const {
  TEMPUS_CHECK(jar_.has_value());
  jar_->Seal(keys, random, out);
  ++counts_.sealed;
}

}  // namespace tempus::crypto
