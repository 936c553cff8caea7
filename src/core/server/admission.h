// The server's gate, decided before any reply is built: restrict flags first, then the rate
// limit of `limited` sources (ntpd's order in receive(): restrict, then the MRU monitor).
//
// A request is served, dropped with a DropReason, or (over the limit, `limited kod`) answered with
// a RATE kiss-o'-death that the caller builds with BuildKissOfDeath. Mode 6 is not decided here:
// the control handler asks RestrictTable::AllowQuery. Pure; not thread-safe (the limiter has state).
#ifndef TEMPUS_CORE_SERVER_ADMISSION_H_
#define TEMPUS_CORE_SERVER_ADMISSION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/net/net_address.h"
#include "core/server/rate_limit.h"
#include "core/server/restrict.h"
#include "core/server/server.h"
#include "core/time/mono_time.h"
#include "core/wire/auth.h"
#include "core/wire/packet.h"

namespace tempus::core::server {

// Everything access control needs from configuration (config::ToAccessPolicy).
struct AccessPolicy {
  std::vector<RestrictRule> restricts;  // configuration order
  RateLimitConfig rate;
};

struct Admission {
  enum class Action : uint8_t { kServe, kDrop, kKissOfDeath };
  Action action = Action::kServe;
  DropReason reason = DropReason::kRestricted;  // kDrop: why; kKissOfDeath: kKodSent
};

// Judges one datagram from `source` (of any mode) whose restrict flags are `flags`.
// `authenticated`: it carried a valid MAC by a trusted key (the edge checked it: engine/auth.h);
// `notrust` drops everything else (kNotAuthenticated), as ntpd does.
Admission Admit(std::span<const uint8_t> request, AccessFlags flags, bool authenticated, RateLimiter& limiter,
                const NetAddress& source, MonoTime now);

// What becomes of a symmetric active packet (mode 1) from a source without an association. The
// verdict only: on kMobilize the caller builds the passive association from `peer` and `key_id`
// (core::assoc::PassiveConfig), so that the server's policy does not depend on associations.
struct PassiveAdmission {
  enum class Action : uint8_t { kMobilize, kReplyPassive, kDrop };
  Action action = Action::kDrop;
  // kDrop: why; kReplyPassive: kUnauthenticatedPeer (counted, though a reply goes out).
  DropReason reason = DropReason::kSymmetricMode;
  Header peer;                     // kMobilize: the packet's header (its version and poll)
  std::optional<uint32_t> key_id;  // kMobilize: the trusted key of its valid MAC; none: unkeyed
};

// The MAC of a mode 1 packet as the edge found it (engine/auth.h KeyRing::Check, any trusted key).
struct PeerAuth {
  AuthVerdict verdict = AuthVerdict::kNone;
  uint32_t key_id = 0;  // the MAC's key id; meaningful when verdict is kOk
};

// Judges a mode 1 packet from `from`, which has no association (RFC 5905 §9.2, ntpd's AM_NEWPASS
// in ntp_proto.c receive()). `require_auth` is ntpd's sys_authenticate (`enable auth`, the
// default): an unconfigured peer is mobilized only when its packet carries a valid MAC by a
// trusted key, and its passive association then uses that key; otherwise anyone who sends mode 1
// packets would become a source that selection can follow. In order:
//   - not a well-formed mode 1 with a transmit time: kDrop (a decode reason, kSymmetricMode);
//   - restrict ignore, noserve or version (other than v4): kDrop, kRestricted;
//   - a valid MAC by a trusted key (kOk): kMobilize with that key, also under nopeer and notrust
//     (they forbid *unauthenticated* mobilization, as in ntpd), or kDrop kPeerLimit when
//     `ephemeral` passive associations of `limit` exist (a flood creates at most `limit`);
//   - otherwise restrict nopeer: kDrop kRestricted; notrust: kDrop kNotAuthenticated;
//   - a MAC that fails or a crypto-NAK: kDrop kUnauthenticatedPeer;
//   - no MAC: with `require_auth`, kReplyPassive (a mode 2 reply from the system variables and
//     no association: ntpd's fast_xmit MODE_PASSIVE, never larger than the request), unless the
//     source is `limited` and over its rate (kDrop kRateLimited); without it, kMobilize unkeyed.
[[nodiscard]] PassiveAdmission AdmitPassive(std::span<const uint8_t> packet, const NetAddress& from,
                                            AccessFlags flags, PeerAuth auth, bool require_auth,
                                            RateLimiter& limiter, MonoTime now, size_t ephemeral, size_t limit);

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_ADMISSION_H_
