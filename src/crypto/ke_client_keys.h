// The client's session keys from its side of an NTS-KE TLS session (RFC 8915 §5.1), as the core's
// NtsClientSession takes them: crypto::ExportSessionKeys with NTPv4 and AEAD_AES_SIV_CMAC_256,
// the only pair tempus negotiates. Thread-compatible.
#ifndef TEMPUS_CRYPTO_KE_CLIENT_KEYS_H_
#define TEMPUS_CRYPTO_KE_CLIENT_KEYS_H_

#include <optional>

#include "core/nts/client_exchange.h"
#include "crypto/ke_responder.h"

namespace tempus::crypto {

// C2S and S2C for NTPv4 with AEAD_AES_SIV_CMAC_256; nullopt when the export fails.
[[nodiscard]] std::optional<core::nts::SessionKeys> ExportClientKeys(const TlsExporter& exporter);

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_KE_CLIENT_KEYS_H_
