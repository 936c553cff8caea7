// NTS cookies (RFC 8915 §6): what a server hands its clients so that it keeps no per-client
// state. A cookie carries the client's two session keys (C2S and S2C, exported from the TLS
// session, §5.1), sealed with a server key only the server (and the nodes of its cluster) know.
//
//   +--------+--------------+----------------------------------------------+
//   | key id |    nonce     | AES-SIV(server key, AD = key id, nonce,      |
//   |  (4)   |    (16)      |         C2S (32) || S2C (32))  = tag + 64    |
//   +--------+--------------+----------------------------------------------+   100 octets
//
// The key id picks the server key: the current one seals, the current and the previous one open,
// so that cookies survive one rotation. Nonces come from the Random the caller passes (the kernel
// CSPRNG in the daemon): AES-SIV stays safe if one repeats, it then only shows that two cookies
// hold the same keys. Thread-compatible.
#ifndef TEMPUS_CRYPTO_COOKIE_H_
#define TEMPUS_CRYPTO_COOKIE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/random.h"
#include "base/result.h"
#include "core/nts/aead.h"
#include "crypto/aes_siv.h"

namespace tempus::crypto {

inline constexpr size_t kCookieNonceSize = 16;
inline constexpr size_t kCookieSize = 4 + kCookieNonceSize + kAesSivTagSize + 2 * kAesSivKeySize;

// The session keys a cookie carries: the core's type (AEAD_AES_SIV_CMAC_256 keys).
using SessionKeys = core::nts::SessionKeys;
static_assert(core::nts::kAeadKeySize == kAesSivKeySize);

struct ServerKey {
  uint32_t id = 0;
  std::array<uint8_t, kAesSivKeySize> key{};
};

enum class CookieError : uint8_t {
  kBadSize,         // not kCookieSize octets
  kUnknownKey,      // sealed with a key that is neither current nor previous (expired, or forged)
  kAuthentication,  // tampered, or a forged cookie under a known key id
};
const char* CookieErrorName(CookieError error);

class CookieJar {
 public:
  explicit CookieJar(ServerKey current, std::optional<ServerKey> previous = std::nullopt)
      : current_(current), previous_(previous) {}

  // Seals `keys` into out (kCookieSize octets) with the current key and a fresh nonce.
  // REQUIRES: out.size() >= kCookieSize.
  void Seal(const SessionKeys& keys, Random& random, std::span<uint8_t> out) const;
  // The session keys in `cookie`, or why it is refused.
  [[nodiscard]] Result<SessionKeys, CookieError> Open(std::span<const uint8_t> cookie) const;
  // The id of the key that seals (a cookie's first 4 octets, big-endian).
  uint32_t current_id() const { return current_.id; }
  // The id of the key that sealed `cookie`. REQUIRES: cookie.size() >= 4.
  static uint32_t KeyIdOf(std::span<const uint8_t> cookie) {
    return (uint32_t{cookie[0]} << 24) | (uint32_t{cookie[1]} << 16) | (uint32_t{cookie[2]} << 8) | cookie[3];
  }

 private:
  ServerKey current_;
  std::optional<ServerKey> previous_;
};

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_COOKIE_H_
