// FakeAead: a stand-in for AES-SIV in the core's tests (the real one is in src/crypto, which the
// core cannot link). The "tag" is a keyed checksum over key, associated data, nonce and
// plaintext, and the "ciphertext" is the plaintext XORed with the key: enough that a wrong key, a
// changed byte of associated data or of ciphertext is caught. Not cryptography.
#ifndef TEMPUS_TESTS_CORE_NTS_FAKE_AEAD_H_
#define TEMPUS_TESTS_CORE_NTS_FAKE_AEAD_H_

#include <array>
#include <cstring>
#include <vector>

#include "core/nts/aead.h"

namespace tempus::core::nts::testing {

class FakeAead final : public Aead {
 public:
  std::optional<size_t> Seal(std::span<const uint8_t> key, std::span<const uint8_t> ad, std::span<const uint8_t> nonce,
                             std::span<const uint8_t> plaintext, std::span<uint8_t> out) const override {
    if (key.size() != kAeadKeySize || out.size() < plaintext.size() + kAeadTagSize) return std::nullopt;
    Tag(key, ad, nonce, plaintext, out.first(kAeadTagSize));
    for (size_t i = 0; i < plaintext.size(); ++i) out[kAeadTagSize + i] = plaintext[i] ^ key[i % key.size()];
    return plaintext.size() + kAeadTagSize;
  }
  std::optional<size_t> Open(std::span<const uint8_t> key, std::span<const uint8_t> ad, std::span<const uint8_t> nonce,
                             std::span<const uint8_t> sealed, std::span<uint8_t> out) const override {
    if (key.size() != kAeadKeySize || sealed.size() < kAeadTagSize) return std::nullopt;
    const size_t n = sealed.size() - kAeadTagSize;
    if (out.size() < n) return std::nullopt;
    std::vector<uint8_t> plain(n);
    for (size_t i = 0; i < n; ++i) plain[i] = sealed[kAeadTagSize + i] ^ key[i % key.size()];
    std::array<uint8_t, kAeadTagSize> tag{};
    Tag(key, ad, nonce, plain, tag);
    if (std::memcmp(tag.data(), sealed.data(), kAeadTagSize) != 0) return std::nullopt;
    if (n > 0) std::memcpy(out.data(), plain.data(), n);
    return n;
  }

 private:
  // FNV-1a over each input in turn, with the input's length mixed in; 16 octets from two seeds.
  static void Tag(std::span<const uint8_t> key, std::span<const uint8_t> ad, std::span<const uint8_t> nonce,
                  std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
    for (uint64_t half = 0; half < 2; ++half) {
      uint64_t h = 0xcbf29ce484222325ULL ^ half;
      for (auto part : {key, ad, nonce, plaintext}) {
        for (uint8_t b : part) h = (h ^ b) * 0x100000001b3ULL;
        h = (h ^ part.size()) * 0x100000001b3ULL;
      }
      for (size_t i = 0; i < 8; ++i) out[half * 8 + i] = static_cast<uint8_t>(h >> (8 * i));
    }
  }
};

}  // namespace tempus::core::nts::testing

#endif  // TEMPUS_TESTS_CORE_NTS_FAKE_AEAD_H_
