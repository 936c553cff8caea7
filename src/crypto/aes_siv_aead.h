// AesSivAead: core::nts::Aead over AesSivSeal/AesSivOpen (OpenSSL 3's AES-SIV), the one the
// daemon and `tempus query --nts` pass to the core. Stateless; thread-safe.
#ifndef TEMPUS_CRYPTO_AES_SIV_AEAD_H_
#define TEMPUS_CRYPTO_AES_SIV_AEAD_H_

#include "core/nts/aead.h"

namespace tempus::crypto {

class AesSivAead final : public core::nts::Aead {
 public:
  std::optional<size_t> Seal(std::span<const uint8_t> key, std::span<const uint8_t> associated_data,
                             std::span<const uint8_t> nonce, std::span<const uint8_t> plaintext,
                             std::span<uint8_t> out) const override;
  std::optional<size_t> Open(std::span<const uint8_t> key, std::span<const uint8_t> associated_data,
                             std::span<const uint8_t> nonce, std::span<const uint8_t> sealed,
                             std::span<uint8_t> out) const override;
};

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_AES_SIV_AEAD_H_
