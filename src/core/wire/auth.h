// Symmetric-key authentication for the core (RFC 5905 §7.3 MAC, RFC 8573 AES-CMAC): the verdicts,
// and the one interface through which the core has a MAC checked.
//
// The core computes no MAC: it has no hash. It reads the MAC's shape itself (none, a crypto-NAK,
// a key id without digest, the key an association expects) and asks an Authenticator, which the
// edge implements with its keys and OpenSSL (engine::KeyRing), only whether a digest is right.
// The core decides what a verdict means: for an association (only kOk replies are taken when it
// has a key), a server request (a signed reply, a crypto-NAK, restrict notrust) or a new peer.
// Value types and an interface; thread-compatible.
#ifndef TEMPUS_CORE_WIRE_AUTH_H_
#define TEMPUS_CORE_WIRE_AUTH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/wire/codec.h"

namespace tempus::core {

// What a check found of a packet's MAC.
enum class AuthVerdict : uint8_t {
  kNone,       // no MAC in the packet
  kOk,         // a MAC by a trusted key, valid (and, for a reply, by the key the association uses)
  kBad,        // a MAC that fails: unknown or untrusted key, another key than expected, wrong digest
  kCryptoNak,  // a crypto-NAK: a 4-byte MAC with key id 0 (RFC 5905 §7.4)
};
std::string_view AuthVerdictName(AuthVerdict verdict);

// The longest MAC (key id + digest) on the wire: SHA-1 and longer digests are cut to 20 bytes.
inline constexpr size_t kMaxMacSize = 24;

// Checks digests with the node's keys. Implemented at the edge (engine::KeyRing) and by tests.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Whether `digest` is the MAC of `covered` (the packet's bytes before the key id) by the
  // trusted key `key_id`. False for an unknown or untrusted key, a digest of another size than
  // the key's algorithm makes, or a wrong digest.
  [[nodiscard]] virtual bool Verify(uint32_t key_id, std::span<const uint8_t> covered,
                                    std::span<const uint8_t> digest) const = 0;

 protected:
  Authenticator() = default;
  Authenticator(const Authenticator&) = default;
  Authenticator& operator=(const Authenticator&) = default;
};

// The verdict on the MAC of `packet`, decoded from `bytes` (RFC 5905 §7.3, test 5). kNone without
// a MAC; kCryptoNak for a 4-byte MAC with key id 0; kBad for a 4-byte MAC with another key id, or
// (with `expected_key`: a keyed association takes only its own key) a MAC by another key; else
// kOk or kBad as `auth` verifies the digest. `auth` is called only in that last case.
[[nodiscard]] AuthVerdict CheckMac(std::span<const uint8_t> bytes, const DecodedPacket& packet,
                                   std::optional<uint32_t> expected_key, const Authenticator& auth);

}  // namespace tempus::core

#endif  // TEMPUS_CORE_WIRE_AUTH_H_
