// NTS on the NTP port, server side (RFC 8915 §5): the answer to a time request that carries NTS
// extension fields, as a pure function of the request, its receive time, the system snapshot and
// the injected cookie codec, AEAD and Random. core::server::Server calls it once the request
// passed restrict, validity and rate limit; a plain 48-byte request never comes here.
//
// In order (§5.7): the fields must parse, with exactly one Unique Identifier, one Cookie and an
// Authenticator last (else kNtsMalformed, dropped); a cookie that does not open gets an NTS NAK
// (kiss code NTSN, stratum 0, the Unique Identifier and nothing else; kNtsNakSent); an
// Authenticator that does not verify under the cookie's C2S key is dropped (kNtsBadAuth: RFC
// 8915 says SHOULD NAK, but a NAK to a tampered packet would let anyone on the path force the
// client back to NTS-KE). Otherwise the mode 4 reply: the Unique Identifier echoed, then an
// Authenticator sealed with S2C whose encrypted part holds one fresh cookie per Cookie and
// Cookie Placeholder of the request, fewer when that would make the reply larger than the
// request (no amplification). Placeholders inside the request's encrypted part are not counted.
//
// The reply's transmit timestamp is its receive timestamp: it is covered by the Authenticator,
// so the host must not restamp it (Respond::restamp false). Thread-compatible.
#ifndef TEMPUS_CORE_SERVER_NTS_ANSWER_H_
#define TEMPUS_CORE_SERVER_NTS_ANSWER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/random.h"
#include "core/nts/aead.h"
#include "core/nts/cookie_codec.h"
#include "core/server/drop_reason.h"
#include "core/system/snapshot.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/codec.h"

namespace tempus::core::server {

// What the server needs to answer NTS requests; all null: NTS is off (`nts enable` not given).
// The pointees must outlive the Server that holds them.
struct NtsServerContext {
  const nts::CookieCodec* cookies = nullptr;
  const nts::Aead* aead = nullptr;
  Random* random = nullptr;  // the reply's AEAD nonce and the fresh cookies' nonces
  bool enabled() const { return cookies != nullptr && aead != nullptr && random != nullptr; }
};

// The nonce of our replies' Authenticator (§5.6: unpredictable, from the injected Random).
inline constexpr size_t kNtsReplyNonceSize = 16;

// Whether `decoded` carries an NTS field (Unique Identifier, Cookie or Authenticator): such a
// request gets AnswerNts's answer or nothing, never a plain reply.
bool IsNtsRequest(const DecodedPacket& decoded);

struct NtsAnswer {
  size_t size = 0;                  // the reply's octets at the start of `reply`; 0: nothing is sent
  std::optional<DropReason> drop;   // why it is not a time reply (with size > 0: the NAK)
  std::span<const uint8_t> cookie;  // a time reply: the request's cookie (within `request`)
};

// Answers `request` (decoded as `decoded`, a time request, IsNtsRequest), received at `rx`, into
// `reply`. REQUIRES: ctx.enabled(), reply.size() >= kHeaderSize.
[[nodiscard]] NtsAnswer AnswerNts(std::span<const uint8_t> request, const DecodedPacket& decoded, NtpTimestamp rx,
                                  const system::SystemSnapshot& snapshot, const NtsServerContext& ctx,
                                  std::span<uint8_t> reply);

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_NTS_ANSWER_H_
