// NTS extension fields of an NTP packet (RFC 8915 §5): unique identifier, cookie, cookie
// placeholder, and the authenticator that carries the AEAD nonce and ciphertext.
//
// Pure codec, no cryptography: ParseNtsFields finds the NTS fields among a packet's extension
// fields (already validated by core::Decode) and reports what the edge must verify: the nonce,
// the ciphertext and the associated data (the packet up to the authenticator, §5.6). Unknown
// fields are skipped (RFC 7822). Never reads out of bounds, allocates or throws; every
// malformed input is a typed NtsFieldError. Results borrow the packet. Thread-compatible.
//
// Authenticator body (§5.6):
//  |        Nonce Length           |      Ciphertext Length        |
//  .        Nonce, padded to a multiple of 4 octets                .
//  .        Ciphertext, padded to a multiple of 4 octets           .
//  .        Additional Padding                                     .
#ifndef TEMPUS_CORE_NTS_NTP_FIELDS_H_
#define TEMPUS_CORE_NTS_NTP_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.h"
#include "core/wire/codec.h"

namespace tempus::core::nts {

// Extension field types (RFC 8915 §7.5, IANA NTP Extension Field Types).
inline constexpr uint16_t kFieldUniqueId = 0x0104;
inline constexpr uint16_t kFieldCookie = 0x0204;
inline constexpr uint16_t kFieldCookiePlaceholder = 0x0304;
inline constexpr uint16_t kFieldAuthenticator = 0x0404;

inline constexpr size_t kMinUniqueIdSize = 32;  // §5.3: at least 32 octets
inline constexpr size_t kMaxPlaceholders = 7;   // §5.7: a client asks for at most 7 more cookies

enum class NtsFieldError : uint8_t {
  kShortUniqueId,            // a unique identifier body under 32 octets
  kDuplicateUniqueId,        // two unique identifiers
  kDuplicateCookie,          // two cookies (§5.7: exactly one per request)
  kBadPlaceholder,           // a placeholder of a size other than the cookie's (§5.5)
  kTooManyPlaceholders,      // more than kMaxPlaceholders
  kBadAuthenticator,         // nonce or ciphertext lengths that do not fit the body, or a zero nonce
  kFieldAfterAuthenticator,  // an extension field after the authenticator (§5.6: it is last)
  kDuplicateAuthenticator,
};
inline constexpr size_t kNtsFieldErrorCount = 8;
std::string_view NtsFieldErrorName(NtsFieldError error);

struct Authenticator {
  std::span<const uint8_t> nonce;
  std::span<const uint8_t> ciphertext;
  // §5.6: the AEAD's associated data, the packet from its first octet to the authenticator's.
  std::span<const uint8_t> associated_data;
};

struct NtsFields {
  std::span<const uint8_t> unique_id;  // empty when absent
  std::span<const uint8_t> cookie;     // empty when absent
  size_t placeholders = 0;
  std::optional<Authenticator> authenticator;
};

// Finds the NTS fields of `packet` (the bytes `decoded` was decoded from).
[[nodiscard]] Result<NtsFields, NtsFieldError> ParseNtsFields(std::span<const uint8_t> packet,
                                                              const DecodedPacket& decoded);

// Walks the plaintext of an authenticator (the encrypted extension fields, §5.6) and returns the
// cookies it carries (§5.7), up to out.size(); nullopt when the plaintext is not a well-formed
// sequence of extension fields (RFC 7822 §3: each at least 16 octets, a multiple of 4).
[[nodiscard]] std::optional<size_t> EncryptedCookies(std::span<const uint8_t> plaintext,
                                                     std::span<std::span<const uint8_t>> out);

// Appends extension fields to a packet under construction. Once a field does not fit, ok()
// stays false and nothing more is written.
class NtsFieldWriter {
 public:
  // `out` is the whole packet buffer; fields go from `at` on (kHeaderSize after the header).
  NtsFieldWriter(std::span<uint8_t> out, size_t at) : out_(out), size_(at) {}
  // A field with `body` (zero-padded to a multiple of 4 and to at least 16 octets in all).
  void Field(uint16_t type, std::span<const uint8_t> body);
  // A field of `body_size` zeros (a cookie placeholder, §5.5).
  void ZeroField(uint16_t type, size_t body_size);
  // The authenticator: the packet so far is its associated data; `ciphertext` is the AEAD
  // output over it. REQUIRES: !nonce.empty().
  void AuthenticatorField(std::span<const uint8_t> nonce, std::span<const uint8_t> ciphertext);
  bool ok() const { return ok_; }
  size_t size() const { return size_; }

 private:
  bool Reserve(size_t field_size);
  std::span<uint8_t> out_;
  size_t size_;
  bool ok_ = true;
};

// The size of a field with a body of `body_size` octets, padded as Field() pads it.
size_t FieldSize(size_t body_size);

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_NTP_FIELDS_H_
