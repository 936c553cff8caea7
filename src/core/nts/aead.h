// Aead: the authenticated encryption NTS protects NTP packets with (RFC 8915 §5.6), as the core
// sees it. The core stays pure: the daemon passes crypto::AesSivAead (OpenSSL 3's AES-SIV,
// AEAD_AES_SIV_CMAC_256), tests and the simulator may pass a fake. Both the server (checking a
// request's authenticator, sealing fresh cookies for the reply) and the client (sealing its
// request, opening the reply) use it.
//
// Associated data is the packet up to the authenticator field; the nonce is the last component
// of SIV's associated-data vector (RFC 5297 §3, RFC 8915 §5.6). The sealed form is the 16-octet
// synthetic IV (the tag) followed by the ciphertext. Implementations are thread-safe.
#ifndef TEMPUS_CORE_NTS_AEAD_H_
#define TEMPUS_CORE_NTS_AEAD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tempus::core::nts {

inline constexpr size_t kAeadKeySize = 32;  // AEAD_AES_SIV_CMAC_256 (RFC 5297)
inline constexpr size_t kAeadTagSize = 16;

class Aead {
 public:
  virtual ~Aead() = default;
  // Seals `plaintext` into out as tag || ciphertext; the size written (plaintext.size() +
  // kAeadTagSize), or nullopt when the key size is wrong, out is too small or the library fails.
  virtual std::optional<size_t> Seal(std::span<const uint8_t> key, std::span<const uint8_t> associated_data,
                                     std::span<const uint8_t> nonce, std::span<const uint8_t> plaintext,
                                     std::span<uint8_t> out) const = 0;
  // Checks and decrypts `sealed` (tag || ciphertext) into out; the plaintext size, or nullopt when
  // the tag does not match (tampered, wrong key, wrong associated data) or the input is malformed.
  // Writes nothing the caller may use unless it succeeds.
  virtual std::optional<size_t> Open(std::span<const uint8_t> key, std::span<const uint8_t> associated_data,
                                     std::span<const uint8_t> nonce, std::span<const uint8_t> sealed,
                                     std::span<uint8_t> out) const = 0;
};

// The keys of one NTS session (§5.1), exported from the NTS-KE TLS session: C2S seals the
// client's requests, S2C the server's replies. The server carries them in its cookies; the client
// holds them beside its cookies. One type for the core, crypto and io.
struct SessionKeys {
  std::array<uint8_t, kAeadKeySize> c2s{};
  std::array<uint8_t, kAeadKeySize> s2c{};
  bool operator==(const SessionKeys&) const = default;
};

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_AEAD_H_
