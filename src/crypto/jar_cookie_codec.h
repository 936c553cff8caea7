// JarCookieCodec: core::nts::CookieCodec over a CookieJar (cookie.h), the one the daemon passes
// to the core's NTS server. It reads the jar its owner holds at each call, so that a rotation of
// the cookie keys (the NTS-KE server replacing its jar) reaches the NTP port at once: one set of
// keys for both. It counts what it sealed and opened, by key (counts(): NTPsec's ntsinfo cookie
// counters). Thread-compatible, as the jar (the counts change in its const calls).
#ifndef TEMPUS_CRYPTO_JAR_COOKIE_CODEC_H_
#define TEMPUS_CRYPTO_JAR_COOKIE_CODEC_H_

#include <optional>

#include "core/nts/cookie_codec.h"
#include "crypto/cookie.h"

namespace tempus::crypto {

static_assert(core::nts::kAeadKeySize == kAesSivKeySize);

class JarCookieCodec final : public core::nts::CookieCodec {
 public:
  struct Counts {
    uint64_t sealed = 0;
    uint64_t opened_current = 0;   // opened with the jar's current key
    uint64_t opened_previous = 0;  // with its previous key
    uint64_t unknown_key = 0;      // CookieError::kUnknownKey (and every cookie while the jar is empty)
    uint64_t bad = 0;              // kAuthentication or kBadSize
  };

  // `jar` (empty: every cookie is refused) must outlive the codec.
  explicit JarCookieCodec(const std::optional<CookieJar>& jar) : jar_(jar) {}

  std::optional<core::nts::SessionKeys> Open(std::span<const uint8_t> cookie) const override;
  // REQUIRES: the jar holds keys.
  void Seal(const core::nts::SessionKeys& keys, Random& random, std::span<uint8_t> out) const override;
  size_t cookie_size() const override { return kCookieSize; }
  // What Seal and Open did so far.
  const Counts& counts() const { return counts_; }

 private:
  const std::optional<CookieJar>& jar_;
  mutable Counts counts_;
};

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_JAR_COOKIE_CODEC_H_
