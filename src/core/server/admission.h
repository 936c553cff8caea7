// The server's access decisions, taken before any reply is built: the restrict flags of a
// source (ntpd's order in receive(): restrict first, then the MRU monitor's rate limit, which
// core::server::Server applies) and the rules that let a mode 1 packet from an address without an
// association mobilize a passive one. Mode 6 is not decided here: the control server asks
// RestrictTable::AllowQuery. Pure functions of their arguments; thread-compatible.
#ifndef TEMPUS_CORE_SERVER_ADMISSION_H_
#define TEMPUS_CORE_SERVER_ADMISSION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/net/net_address.h"
#include "core/server/drop_reason.h"
#include "core/server/rate_limit.h"
#include "core/server/restrict.h"
#include "core/time/mono_time.h"
#include "core/wire/auth.h"
#include "core/wire/packet.h"

namespace tempus::core::server {

// Everything access control needs from configuration (config::ToAccessPolicy).
struct AccessPolicy {
  std::vector<RestrictRule> restricts;  // configuration order
  RateLimitConfig rate;
};

// The restrict rule that refuses a datagram of `mode` and `version` (its first byte: nothing is
// decoded yet) from a source whose flags are `flags`, if any: ignore drops everything
// (kRestricted); mode 6 goes to the control server (kControlMode); noserve drops time requests,
// nopeer modes 1 and 2, version anything but NTPv4 (kRestricted). `notrust` needs the MAC and is
// the caller's.
[[nodiscard]] std::optional<DropReason> RefusedByRestrict(AccessFlags flags, Mode mode, uint8_t version);

// What a node allows of peers it has no association with (RFC 5905 §9.2).
struct NewPeerPolicy {
  // ntpd's sys_authenticate (`enable auth`, the default): only a valid MAC by a trusted key
  // mobilizes a passive association; otherwise anyone who sends mode 1 packets would become a
  // source that selection can follow.
  bool require_auth = true;
  size_t ephemeral = 0;  // passive associations that exist now
  size_t limit = 8;      // at most this many at once (a flood creates at most `limit`)
};

// What becomes of a mode 1 packet from an address without an association.
enum class NewPeerAction : uint8_t { kMobilize, kReplyPassive, kDrop };

struct NewPeerDecision {
  NewPeerAction action = NewPeerAction::kDrop;
  DropReason reason = DropReason::kSymmetricMode;  // kDrop: why; kReplyPassive: kUnauthenticatedPeer
};

// The decision on the decoded mode 1 packet `h` from `from`, a source whose flags are `flags` and
// whose MAC verdict is `auth` (ntpd's AM_NEWPASS in ntp_proto.c receive()), in order:
//   - not mode 1, no transmit time (test 3), no usable source address: kDrop kSymmetricMode;
//   - restrict version (other than v4): kDrop kRestricted (ignore and noserve are decided
//     before any decode: RefusedByRestrict);
//   - a valid MAC by a trusted key (kOk): kMobilize, also under nopeer and notrust (they forbid
//     *unauthenticated* mobilization, as in ntpd), or kDrop kPeerLimit at the policy's limit;
//   - otherwise restrict nopeer: kDrop kRestricted; notrust: kDrop kNotAuthenticated;
//   - a MAC that fails or a crypto-NAK: kDrop kUnauthenticatedPeer;
//   - no MAC: with `require_auth`, kReplyPassive (reason kUnauthenticatedPeer: a mode 2 reply
//     from the system variables and no association, ntpd's fast_xmit MODE_PASSIVE), unless the
//     source is `limited` and over its rate in `limiter` at `now` (kDrop kRateLimited); without
//     `require_auth`, kMobilize unkeyed.
[[nodiscard]] NewPeerDecision DecideNewPeer(const Header& h, const NetAddress& from, AccessFlags flags,
                                            AuthVerdict auth, const NewPeerPolicy& policy, RateLimiter& limiter,
                                            MonoTime now);

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_ADMISSION_H_
