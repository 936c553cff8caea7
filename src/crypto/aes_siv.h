// AesSiv: AEAD_AES_SIV_CMAC_256 (RFC 5297, RFC 5116 §5.4), the AEAD every NTS implementation
// supports (RFC 8915 §5.1): a 256-bit key, two AES-128 keys, one for S2V/CMAC and one for CTR
// (OpenSSL 3 calls it "AES-128-SIV"; its "AES-256-SIV" is AEAD_AES_SIV_CMAC_512). Composed from
// OpenSSL's AES-128 (CBC and ECB contexts: libcrypto's built-in ciphers where OpenSSL 3 still
// runs them without a provider, else the provider's, fetched once) and a CMAC (RFC 4493) written here,
// because OpenSSL's own SIV cipher fetches three algorithms every time it is keyed and its CMAC
// re-initializes a cipher context for every MAC (aes_siv.cc says more).
//
// The output is the 16-octet synthetic IV (the tag) followed by the ciphertext, as NTS carries
// it. Associated data is a list of components (RFC 5297 §3); for NTS they are the packet up to
// the authenticator and then the nonce, which SIV treats as the last component. Stateless for the
// caller; each thread keeps its own OpenSSL contexts, so it is safe to call from any thread.
#ifndef TEMPUS_CRYPTO_AES_SIV_H_
#define TEMPUS_CRYPTO_AES_SIV_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "base/result.h"

namespace tempus::crypto {

inline constexpr size_t kAesSivKeySize = 32;
inline constexpr size_t kAesSivTagSize = 16;

enum class AeadError : uint8_t {
  kBadKeySize,      // not kAesSivKeySize
  kBufferTooSmall,  // the output does not fit
  kTooShort,        // a sealed input shorter than the tag
  kAuthentication,  // the tag does not match: tampered, wrong key or wrong associated data
  kLibrary,         // OpenSSL failed (no AES-SIV in this build of OpenSSL)
};
const char* AeadErrorName(AeadError error);

using Bytes = std::span<const uint8_t>;

// Encrypts `plaintext` into out: tag || ciphertext. Returns the size written
// (plaintext.size() + kAesSivTagSize).
[[nodiscard]] Result<size_t, AeadError> AesSivSeal(Bytes key, std::initializer_list<Bytes> associated_data,
                                                   Bytes plaintext, std::span<uint8_t> out);

// Checks and decrypts `sealed` (tag || ciphertext) into out. Returns the plaintext size. Writes
// nothing the caller may use unless it succeeds.
[[nodiscard]] Result<size_t, AeadError> AesSivOpen(Bytes key, std::initializer_list<Bytes> associated_data,
                                                   Bytes sealed, std::span<uint8_t> out);

namespace internal {
// AES-128-CMAC (RFC 4493) of `message` under `key` (16 octets), as S2V computes it. Exposed for
// tests.
[[nodiscard]] Result<std::array<uint8_t, kAesSivTagSize>, AeadError> AesCmac(Bytes key, Bytes message);

// S2V (RFC 5297 §2.4) with CMAC under the first half of `key`: the synthetic IV (the tag) of
// `plaintext` after the associated data. Exposed for tests.
// REQUIRES: key.size() == kAesSivKeySize.
[[nodiscard]] Result<std::array<uint8_t, kAesSivTagSize>, AeadError> S2v(Bytes key,
                                                                         std::initializer_list<Bytes> associated_data,
                                                                         Bytes plaintext);

// Which AES-128 ciphers a thread's contexts run on (aes_siv.cc says why there are two): kLegacy,
// libcrypto's built-in ciphers driven without a provider (OpenSSL 3 with its deprecated API, not
// in FIPS mode), or kProvider, the ciphers EVP_CIPHER_fetch gives.
enum class AesPath : uint8_t { kLegacy, kProvider };
// The path of the calling thread (decided at its first AES-SIV operation).
AesPath ThisThreadsAesPath();
// Threads whose first AES-SIV operation comes after this call take `path` (kLegacy only where it
// is available, the default). For tests, which run both paths.
void SetAesPathForNewThreads(AesPath path);
}  // namespace internal

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_AES_SIV_H_
