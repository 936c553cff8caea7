// CookieCodec: how the NTS server (core::server::Server) opens the cookie of a request and seals
// fresh ones for its reply (RFC 8915 §5.7, §6), as the pure core sees it. The daemon passes
// crypto::JarCookieCodec over the cookie keys its NTS-KE server loads and rotates (a cookie of
// either the current or the previous key opens); tests pass a fake. The cookie's format is the
// codec's business: the core only copies cookies of cookie_size() octets. Thread-compatible.
#ifndef TEMPUS_CORE_NTS_COOKIE_CODEC_H_
#define TEMPUS_CORE_NTS_COOKIE_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/random.h"
#include "core/nts/aead.h"

namespace tempus::core::nts {

class CookieCodec {
 public:
  virtual ~CookieCodec() = default;
  // The session keys `cookie` carries, or nullopt when it does not open (a key we no longer
  // have, a forged or tampered cookie, a wrong size): the client gets an NTS NAK.
  virtual std::optional<SessionKeys> Open(std::span<const uint8_t> cookie) const = 0;
  // Seals `keys` into a fresh cookie in out with a nonce from `random`.
  // REQUIRES: out.size() >= cookie_size().
  virtual void Seal(const SessionKeys& keys, Random& random, std::span<uint8_t> out) const = 0;
  // The size of every cookie Seal writes.
  virtual size_t cookie_size() const = 0;
};

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_COOKIE_CODEC_H_
