#include "crypto/aes_siv_aead.h"

#include "crypto/aes_siv.h"

namespace tempus::crypto {

static_assert(core::nts::kAeadKeySize == kAesSivKeySize && core::nts::kAeadTagSize == kAesSivTagSize);

std::optional<size_t> AesSivAead::Seal(std::span<const uint8_t> key, std::span<const uint8_t> associated_data,
                                       std::span<const uint8_t> nonce, std::span<const uint8_t> plaintext,
                                       std::span<uint8_t> out) const {
  auto sealed = AesSivSeal(key, {associated_data, nonce}, plaintext, out);
  if (!sealed) return std::nullopt;
  return *sealed;
}

std::optional<size_t> AesSivAead::Open(std::span<const uint8_t> key, std::span<const uint8_t> associated_data,
                                       std::span<const uint8_t> nonce, std::span<const uint8_t> sealed,
                                       std::span<uint8_t> out) const {
  auto opened = AesSivOpen(key, {associated_data, nonce}, sealed, out);
  if (!opened) return std::nullopt;
  return *opened;
}

}  // namespace tempus::crypto
