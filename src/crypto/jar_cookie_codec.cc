#include "crypto/jar_cookie_codec.h"

#include <cstring>

#include "base/check.h"

namespace tempus::crypto {

std::optional<core::nts::SessionKeys> JarCookieCodec::Open(std::span<const uint8_t> cookie) const {
  if (!jar_) return std::nullopt;
  auto keys = jar_->Open(cookie);
  if (!keys) return std::nullopt;
  core::nts::SessionKeys out{keys->c2s, keys->s2c};
  std::memset(keys->c2s.data(), 0, keys->c2s.size());
  std::memset(keys->s2c.data(), 0, keys->s2c.size());
  return out;
}

void JarCookieCodec::Seal(const core::nts::SessionKeys& keys, Random& random, std::span<uint8_t> out) const {
  TEMPUS_CHECK(jar_.has_value());
  SessionKeys session{keys.c2s, keys.s2c};
  jar_->Seal(session, random, out);
  std::memset(session.c2s.data(), 0, session.c2s.size());
  std::memset(session.s2c.data(), 0, session.s2c.size());
}

}  // namespace tempus::crypto
