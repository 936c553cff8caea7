// Why the server sent no time: one typed reason per drop, each a counter (ServerStats), shown by
// Prometheus (tempus_server_drops_total) and folded into ntpq's sysstats (control/counters.h).
// Value types; thread-compatible.
#ifndef TEMPUS_CORE_SERVER_DROP_REASON_H_
#define TEMPUS_CORE_SERVER_DROP_REASON_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/wire/codec.h"

namespace tempus::core::server {

// Why a datagram got no time reply. Each is a counter (ServerStats, Prometheus, ntpq sysstats).
enum class DropReason : uint8_t {
  kTooShort,            // < 48 bytes
  kBadVersion,          // VN 0 or 5..7
  kBadExtensionLength,  // malformed extension field
  kBadTrailer,          // bytes after the header that are neither fields nor a MAC
  kServerMode,          // mode 4: a reply is never answered
  kBroadcastMode,       // mode 5
  kSymmetricMode,       // modes 1 and 2: for the peer associations, not the server
  kControlMode,         // mode 6: for the control (ntpq) handler
  kPrivateMode,         // mode 7: never answered (ntpd's monlist amplification)
  kReservedMode,        // mode 0 in versions 2..4
  kReplyBufferTooSmall,
  kRestricted,        // a restrict rule refused it (ignore, noserve, nopeer, version)
  kRateLimited,       // over the client's discard limits (restrict limited), dropped silently
  kKodSent,           // over the limits and answered with a RATE kiss-o'-death instead of time
  kPeerLimit,         // a mode 1 packet that would mobilize a passive association beyond the limit
  kCryptoNakSent,     // its MAC failed (unknown/untrusted key, wrong digest): answered with a crypto-NAK
  kNotAuthenticated,  // `restrict ... notrust` source without a valid MAC by a trusted key: dropped
  // A mode 1 packet from an address without a `peer` line and without a valid MAC by a trusted
  // key: no association (RFC 5905 §9.2 with ntpd's `enable auth`); answered by a mode 2 reply
  // when it had no MAC at all (Server::HandleNewPeer), dropped otherwise.
  kUnauthenticatedPeer,
  // NTS on the NTP port (RFC 8915 §5, server side: nts_answer.h).
  kNtsDisabled,   // a request with NTS fields to a server without `nts enable`: no plain time for it
  kNtsMalformed,  // NTS fields that do not parse, or a unique identifier, cookie or authenticator missing
  kNtsBadAuth,    // its cookie opened but its authenticator does not verify (tampered): dropped
  kNtsNakSent,    // its cookie does not open (unknown key, forged): answered with an NTS NAK (§5.7)
};
inline constexpr size_t kDropReasonCount = 22;
std::string_view DropReasonName(DropReason reason);
// The drop reason of a datagram that does not decode.
DropReason DropReasonOf(DecodeError error);

// Counters of the server, by reason. Not synchronized: one per Server.
struct ServerStats {
  uint64_t received = 0;      // datagrams handed to the server (Server::Handle, HandleNewPeer)
  uint64_t replied = 0;       // time replies (mode 4), signed or not; KoDs and crypto-NAKs are drops
  uint64_t nts_answered = 0;  // of `replied`, NTS-authenticated replies (RFC 8915 §5.7)
  uint64_t nts_replayed = 0;  // of `nts_answered`, to a cookie answered before (nts_replay.h)
  std::array<uint64_t, kDropReasonCount> dropped{};

  void CountDrop(DropReason reason) { ++dropped[static_cast<size_t>(reason)]; }
  uint64_t Dropped(DropReason reason) const { return dropped[static_cast<size_t>(reason)]; }
  uint64_t TotalDropped() const;
  // Adds `other`'s counts (another thread's server: tempusd's workers).
  void Add(const ServerStats& other);
};

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_DROP_REASON_H_
