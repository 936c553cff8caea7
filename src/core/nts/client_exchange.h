// NtsClientSession: the client side of NTS on the NTP port (RFC 8915 §5), after NTS-KE gave it
// the two session keys and a handful of cookies.
//
// It builds NTS-protected mode 3 requests (§5.7: a fresh Unique Identifier, one cookie used once,
// placeholders asking for enough cookies to hold 8 again, an Authenticator sealed with C2S over
// the packet before it) and checks the replies: the Unique Identifier is the one just sent, the
// Authenticator opens with S2C, and the new cookies are taken from the encrypted part only. A
// reply that is not authenticated is refused whatever its header says; an NTS NAK (a kiss-o'-death
// NTSN echoing our Unique Identifier, §5.7) says the cookies are no good and a new NTS-KE is due.
// The time itself is judged by core::ProcessReply on the same bytes, after this check.
//
// Pure: randomness (unique identifiers, nonces) and the AEAD are passed in. One request is
// outstanding at a time (a new one forgets the previous identifier). Thread-compatible.
#ifndef TEMPUS_CORE_NTS_CLIENT_EXCHANGE_H_
#define TEMPUS_CORE_NTS_CLIENT_EXCHANGE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "core/nts/aead.h"
#include "core/nts/ke_record.h"
#include "core/time/ntp_timestamp.h"

namespace tempus::core::nts {

inline constexpr size_t kClientUniqueIdSize = 32;  // §5.3: at least 32 octets
inline constexpr size_t kClientNonceSize = 16;     // AES-SIV takes any; chrony and NTPsec send 16
inline constexpr size_t kCookiesWanted = 8;        // §5.7: what a client keeps (chrony: 8)

// Why a request cannot be built.
enum class NtsRequestError : uint8_t {
  kNoCookie,    // every cookie is spent: a new NTS-KE is due
  kNoRoom,      // the output buffer is too small
  kSealFailed,  // the AEAD refused (wrong key size)
};
std::string_view NtsRequestErrorName(NtsRequestError error);

// Why a reply is refused. Only kNak is a message from the server; the rest are drops.
enum class NtsReplyError : uint8_t {
  kMalformed,             // does not decode, or its NTS fields are malformed
  kNoRequest,             // no request is outstanding (or its reply was already taken)
  kWrongUniqueId,         // no Unique Identifier, or not ours (§5.7: a stale or forged reply)
  kNak,                   // NTS NAK: kiss NTSN with our identifier; the cookie was refused (§5.7)
  kNotAuthenticated,      // no Authenticator (§5.7: unauthenticated replies are discarded)
  kAuthenticationFailed,  // the Authenticator does not open with S2C (tampered, wrong keys)
  kBadEncryptedFields,    // the decrypted part is not a sequence of extension fields
};
inline constexpr size_t kNtsReplyErrorCount = 7;
std::string_view NtsReplyErrorName(NtsReplyError error);

class NtsClientSession {
 public:
  NtsClientSession(const SessionKeys& keys, const std::vector<std::vector<uint8_t>>& cookies);

  // Writes an NTS-protected client request into out: the 48-octet header (transmit timestamp
  // `transmit_cookie`, as core::BuildClientRequest writes it) and the NTS fields. Takes the
  // oldest cookie (§5.7: each cookie is sent once) and draws the Unique Identifier and the nonce
  // from `random` (the kernel CSPRNG outside tests). Returns the request's size.
  [[nodiscard]] Result<size_t, NtsRequestError> BuildRequest(NtpTimestamp transmit_cookie, int8_t poll, Random& random,
                                                             const Aead& aead, std::span<uint8_t> out);
  // The same around a 48-octet header the caller built (an association's request, as the core
  // wrote it): the header is copied, then sealed with the NTS fields.
  [[nodiscard]] Result<size_t, NtsRequestError> BuildRequest(std::span<const uint8_t> header, Random& random,
                                                             const Aead& aead, std::span<uint8_t> out);

  // Checks a reply to the outstanding request; on success keeps the cookies it carried (at most
  // kCookiesWanted held) and forgets the request (a duplicate is then kNoRequest). A refused
  // reply leaves the request outstanding, so that the genuine reply may still arrive.
  [[nodiscard]] Result<void, NtsReplyError> CheckReply(std::span<const uint8_t> reply, const Aead& aead);

  size_t cookies() const { return cookies_.size(); }
  // Cookies received in authenticated replies so far.
  size_t cookies_received() const { return cookies_received_; }
  // Placeholders the next request carries: enough that the reply brings the store back to
  // kCookiesWanted, at most kMaxPlaceholders (§5.7).
  size_t PlaceholdersForNextRequest() const;

 private:
  SessionKeys keys_;
  std::deque<std::vector<uint8_t>> cookies_;  // oldest first
  std::array<uint8_t, kClientUniqueIdSize> unique_id_{};
  bool outstanding_ = false;
  size_t cookies_received_ = 0;
};

}  // namespace tempus::core::nts

#endif  // TEMPUS_CORE_NTS_CLIENT_EXCHANGE_H_
