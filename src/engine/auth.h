// Symmetric-key authentication at the edge (RFC 5905 §7.3 MAC, RFC 8573 AES-CMAC), with OpenSSL.
//
// A packet's MAC is a 4-byte key id followed by a digest over everything before the key id (the
// 48-byte header and any extension fields):
//   MD5, SHA1 (and the SHA-2 family, as ntpd): H(key ‖ packet), truncated to 20 bytes (MD5: 16);
//   AES128CMAC (RFC 8573): AES-CMAC with the key (zero-padded or cut to 16 bytes, as ntpd) over the
//   packet, 16 bytes.
// A 4-byte MAC whose key id is 0 is a crypto-NAK. Digests are compared in constant time
// (CRYPTO_memcmp). The core never computes a MAC: KeyRing is the core::Authenticator the core
// asks whether a digest is right (core::CheckMac, core::server::Server), and signs what the core
// says to sign (a reply's sign_key, a keyed source's requests).
// Not thread-safe for writing; const methods may run on several threads.
#ifndef TEMPUS_ENGINE_AUTH_H_
#define TEMPUS_ENGINE_AUTH_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/wire/auth.h"

namespace tempus::engine {

// The MAC algorithms tempus computes (ntp.keys(5) types).
enum class MacAlgorithm : uint8_t { kMd5, kSha1, kSha224, kSha256, kSha384, kSha512, kAes128Cmac };
std::string_view MacAlgorithmName(MacAlgorithm algorithm);

// The longest key id + digest this module writes (SHA1 and longer digests, truncated: 4 + 20).
inline constexpr size_t kMaxMacSize = core::kMaxMacSize;

// One symmetric key. The secret is wiped when the key is destroyed.
struct AuthKey {
  AuthKey() = default;
  AuthKey(uint32_t id_, MacAlgorithm algorithm_, std::vector<uint8_t> secret_, bool trusted_)
      : id(id_), algorithm(algorithm_), secret(std::move(secret_)), trusted(trusted_) {}
  AuthKey(const AuthKey&) = default;
  AuthKey(AuthKey&&) = default;
  AuthKey& operator=(const AuthKey&) = default;
  AuthKey& operator=(AuthKey&&) = default;
  ~AuthKey();

  uint32_t id = 0;
  MacAlgorithm algorithm = MacAlgorithm::kMd5;
  std::vector<uint8_t> secret;
  bool trusted = false;  // `trustedkey`: only trusted keys authenticate anything
};

// The digest size (without the key id) that `algorithm` puts on the wire: 16 or 20.
size_t DigestSize(MacAlgorithm algorithm);

// Computes the digest of `message` under `key` into `out` and returns its size (DigestSize), or 0
// when OpenSSL fails (an algorithm the library lacks). REQUIRES: out.size() >= 20.
size_t ComputeDigest(const AuthKey& key, std::span<const uint8_t> message, std::span<uint8_t> out);

// The keys of a node, by id.
class KeyRing final : public core::Authenticator {
 public:
  KeyRing() = default;
  explicit KeyRing(std::vector<AuthKey> keys);

  bool empty() const { return keys_.empty(); }
  // The key with `id`, trusted or not; null when unknown.
  const AuthKey* Find(uint32_t id) const;
  // The key with `id` when it is trusted; null otherwise.
  const AuthKey* FindTrusted(uint32_t id) const;

  // Appends key id + digest of `packet[0, length)` by the trusted key `id` at packet[length...].
  // Returns the new length, or nothing when the key is not trusted or `packet` is too small.
  std::optional<size_t> Sign(uint32_t id, std::span<uint8_t> packet, size_t length) const;

  // core::Authenticator: whether `digest` is the MAC of `covered` by the trusted key `key_id`.
  bool Verify(uint32_t key_id, std::span<const uint8_t> covered, std::span<const uint8_t> digest) const override;

  // The verdict on the MAC of a packet (`bytes` as received; decoded here, then core::CheckMac).
  // With `expected_key`, a MAC by any other key is kBad (a keyed association accepts only its own
  // key); without, any trusted key will do. `key_id` receives the MAC's key id when there is one.
  core::AuthVerdict Check(std::span<const uint8_t> bytes, std::optional<uint32_t> expected_key = std::nullopt,
                          uint32_t* key_id = nullptr) const;

 private:
  std::map<uint32_t, AuthKey> keys_;
};

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_AUTH_H_
