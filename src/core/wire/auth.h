// Symmetric-key authentication verdicts (RFC 5905 §7.3 MAC, RFC 8573 AES-CMAC).
//
// The core computes no MAC: it has no hash. The edge (engine/auth.h) checks a packet's MAC
// against its keys and hands the core a verdict; the core decides what the verdict means for
// an association (only kOk replies are taken when it has a key) or a server request (restrict
// notrust). Value types; thread-compatible.
#ifndef TEMPUS_CORE_WIRE_AUTH_H_
#define TEMPUS_CORE_WIRE_AUTH_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tempus::core {

// What the edge found when it checked a packet's MAC.
enum class AuthVerdict : uint8_t {
  kNone,       // no MAC in the packet
  kOk,         // a MAC by a trusted key, valid (and, for a reply, by the key the association uses)
  kBad,        // a MAC that fails: unknown or untrusted key, another key than expected, wrong digest
  kCryptoNak,  // a crypto-NAK: a 4-byte MAC with key id 0 (RFC 5905 §7.4)
};
std::string_view AuthVerdictName(AuthVerdict verdict);

// How the core asks the edge for a verdict (engine::KeyRing, with OpenSSL): the one call into the
// edge the core makes, for packets that carry a MAC. Pure from the core's side (no I/O, no time).
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The verdict on the MAC of `bytes` (as received). With `expected_key`, a MAC by any other key
  // is kBad; without, any trusted key will do. `key_id` receives the MAC's key id when there is one.
  virtual AuthVerdict Check(std::span<const uint8_t> bytes, std::optional<uint32_t> expected_key = std::nullopt,
                            uint32_t* key_id = nullptr) const = 0;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_WIRE_AUTH_H_
