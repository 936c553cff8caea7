// The server's gate, decided before any reply is built: restrict flags first, then the rate
// limit of `limited` sources (ntpd's order in receive(): restrict, then the MRU monitor).
//
// A request is served, dropped with a DropReason, or (over the limit, `limited kod`) answered with
// a RATE kiss-o'-death that the caller builds with BuildKissOfDeath. Mode 6 is not decided here:
// the control handler asks RestrictTable::AllowQuery. Pure; not thread-safe (the limiter has state).
#ifndef TEMPUS_CORE_SERVER_ADMISSION_H_
#define TEMPUS_CORE_SERVER_ADMISSION_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/assoc/association_config.h"
#include "core/net/net_address.h"
#include "core/server/rate_limit.h"
#include "core/server/restrict.h"
#include "core/server/server.h"
#include "core/time/mono_time.h"

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

// Whether a symmetric packet from a source without an association mobilizes an ephemeral passive
// association (RFC 5905 §9.2, ntpd's AM_NEWPASS), given the `ephemeral` passive associations
// there are and their `limit`. Only a well-formed mode 1 does; mode 2 without an association is
// kSymmetricMode. `ignore`, `noserve` and `nopeer` (and `notrust`, `version`) refuse it with
// kRestricted: ntpd drops an unauthenticated mode 1 from a nopeer source without answering
// (ntp_proto.c receive(), AM_NEWPASS; tempus has no keys). At the limit: kPeerLimit, so a flood
// of spoofed mode 1 packets creates at most `limit` associations.
// Returns the passive association's configuration: the source's address, mode 2, its version, and
// its poll as minpoll (ntpd's newpeer for AM_NEWPASS), at most 6 (64 s).
[[nodiscard]] Result<AssociationConfig, DropReason> AdmitPassive(std::span<const uint8_t> packet,
                                                                 const NetAddress& from, AccessFlags flags,
                                                                 size_t ephemeral, size_t limit);

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_ADMISSION_H_
