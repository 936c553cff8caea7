// AnswerKeRequest: the server side of one NTS-KE exchange (RFC 8915 §4), without the TLS: a
// request's bytes in, the response's bytes out. The TLS layer (not written yet, docs/nts.md)
// reads until this says the request is complete, exports the session keys when asked, and
// writes the response.
//
// Negotiation (§4.1.2, §4.1.5): NTPv4 is the only next protocol and AEAD_AES_SIV_CMAC_256 the
// only AEAD; a request offering neither gets empty records of its kind and no cookies. A
// malformed request gets Error Bad Request, one with an unknown critical record Error
// Unrecognized Critical Record. Thread-compatible.
#ifndef TEMPUS_CRYPTO_KE_RESPONDER_H_
#define TEMPUS_CRYPTO_KE_RESPONDER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/random.h"
#include "crypto/cookie.h"

namespace tempus::crypto {

struct KeServerOptions {
  size_t cookies = 8;                 // New Cookie records per response (§4.1.6; chrony sends 8)
  std::optional<std::string> server;  // NTPv4 Server Negotiation (§4.1.7): another NTP host
  std::optional<uint16_t> port;       // NTPv4 Port Negotiation (§4.1.8): another NTP port
};

// The C2S and S2C keys for the negotiated protocol and AEAD, exported from the TLS session with
// the label "EXPORTER-network-time-security" (§5.1); nullopt when the export fails.
using ExportKeys = std::function<std::optional<SessionKeys>(uint16_t protocol, uint16_t aead)>;

// A TLS session's keying material exporter (RFC 5705, RFC 8446 §7.5): fills `out` from `label`
// and `context`; false when the export fails.
using TlsExporter =
    std::function<bool(std::string_view label, std::span<const uint8_t> context, std::span<uint8_t> out)>;

// §5.1: C2S and S2C from `exporter` with the label "EXPORTER-network-time-security" and the
// context protocol id (2 octets) || AEAD id (2 octets) || 0x00 (C2S) or 0x01 (S2C); nullopt
// when either export fails.
[[nodiscard]] std::optional<SessionKeys> ExportSessionKeys(const TlsExporter& exporter, uint16_t protocol,
                                                           uint16_t aead);

// Answers `request` (all bytes read so far) into `out`. nullopt: the request is not complete
// yet, read more. Otherwise the size of the response; 0 only when `out` is too small.
[[nodiscard]] std::optional<size_t> AnswerKeRequest(std::span<const uint8_t> request, const ExportKeys& export_keys,
                                                    const CookieJar& jar, Random& random,
                                                    const KeServerOptions& options, std::span<uint8_t> out);

}  // namespace tempus::crypto

#endif  // TEMPUS_CRYPTO_KE_RESPONDER_H_
