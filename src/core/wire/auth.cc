#include "core/wire/auth.h"

namespace tempus::core {

std::string_view AuthVerdictName(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kNone: return "none";
    case AuthVerdict::kOk: return "ok";
    case AuthVerdict::kBad: return "bad";
    case AuthVerdict::kCryptoNak: return "crypto_nak";
  }
  return "unknown";
}

AuthVerdict CheckMac(std::span<const uint8_t> bytes, const DecodedPacket& packet, std::optional<uint32_t> expected_key,
                     const Authenticator& auth) {
  if (!packet.mac) return AuthVerdict::kNone;
  const Mac& mac = *packet.mac;
  if (mac.digest.empty()) return mac.key_id == 0 ? AuthVerdict::kCryptoNak : AuthVerdict::kBad;
  if (expected_key && mac.key_id != *expected_key) return AuthVerdict::kBad;
  // The digest covers everything before the key id: the header and any extension fields.
  const size_t covered = packet.size - 4 - mac.digest.size();
  return auth.Verify(mac.key_id, bytes.first(covered), mac.digest) ? AuthVerdict::kOk : AuthVerdict::kBad;
}

}  // namespace tempus::core
