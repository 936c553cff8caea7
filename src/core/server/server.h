// The NTP server as a pure function: request bytes + receive timestamp + system snapshot ->
// reply bytes or a typed DropReason (RFC 5905 §8, §9.2 fast_xmit).
//
// The caller (the edge) hands in the kernel receive timestamp in the local clock's time scale,
// then overwrites the transmit timestamp with StampTransmit() right before sending, so that the
// transmit time is read as late as possible. The reply is never longer than the request (no
// amplification); mode 4/5 packets and kiss-o'-death are never answered (no reflection loops).
// Stateless and thread-compatible; counting is the caller's, through ServerStats.
#ifndef TEMPUS_CORE_SERVER_SERVER_H_
#define TEMPUS_CORE_SERVER_SERVER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "core/system/snapshot.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/codec.h"
#include "core/wire/packet.h"

namespace tempus::core::server {

// Why a datagram got no reply. Each is a counter (ServerStats, Prometheus, ntpq sysstats).
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
  kRestricted,   // a restrict rule refused it (ignore, noserve, nopeer, version)
  kRateLimited,  // over the client's discard limits (restrict limited), dropped silently
  kKodSent,      // over the limits and answered with a RATE kiss-o'-death instead of time
  kPeerLimit,    // a mode 1 packet that would mobilize a passive association beyond the limit
  kCryptoNakSent,    // its MAC failed (unknown/untrusted key, wrong digest): answered with a crypto-NAK
  kNotAuthenticated, // `restrict ... notrust` source without a valid MAC by a trusted key: dropped
  // A mode 1 packet from an address without a `peer` line and without a valid MAC by a trusted
  // key: no association (RFC 5905 §9.2 with ntpd's `enable auth`); answered by a mode 2 reply
  // when it had no MAC at all (BuildPassiveReply), dropped otherwise.
  kUnauthenticatedPeer,
};
inline constexpr size_t kDropReasonCount = 18;
std::string_view DropReasonName(DropReason reason);
// The drop reason of a datagram that does not decode.
DropReason DropReasonOf(DecodeError error);

// Counters of the server path, by reason. Not synchronized: one per thread, summed for display.
struct ServerStats {
  uint64_t received = 0;
  uint64_t replied = 0;
  std::array<uint64_t, kDropReasonCount> dropped{};

  void CountDrop(DropReason reason) { ++dropped[static_cast<size_t>(reason)]; }
  uint64_t TotalDropped() const;
};

// Builds the reply to a client request (mode 3; NTPv1 mode 0 counts as a client request) into
// `reply` and returns its size (48). `receive_time` is T2, when the request arrived by the local
// clock. The reply's transmit timestamp is set to `receive_time` and must be restamped with
// StampTransmit() just before sending.
[[nodiscard]] Result<size_t, DropReason> HandleRequest(std::span<const uint8_t> request, NtpTimestamp receive_time,
                                                       const system::SystemSnapshot& system, std::span<uint8_t> reply);

// Builds the mode 2 reply to a symmetric active `request` (mode 1) that mobilizes no association
// (ntpd's fast_xmit MODE_PASSIVE): the same system variables and timestamps as HandleRequest,
// in mode 2, 48 bytes, never more than the request; restamp it with StampTransmit. The sender
// gets our time and we take none of its.
[[nodiscard]] Result<size_t, DropReason> BuildPassiveReply(std::span<const uint8_t> request, NtpTimestamp receive_time,
                                                           const system::SystemSnapshot& system,
                                                           std::span<uint8_t> reply);

// Whether HandleRequest would answer `request` (a well-formed time request), or why not. Lets the
// gate spend rate-limit state and KoD allowance only on requests that could be answered.
[[nodiscard]] Result<void, DropReason> CheckRequest(std::span<const uint8_t> request);

// Builds a kiss-o'-death (RFC 5905 §7.4) answering `request` into `reply` and returns its size
// (48, never more than the request). Only what HandleRequest would answer gets one (never modes
// 4/5, never another KoD); it carries no time: leap 3, stratum 0, the kiss code in refid, and the
// client's transmit timestamp in the origin, receive and transmit fields (as ntpd), so it must
// not be restamped.
[[nodiscard]] Result<size_t, DropReason> BuildKissOfDeath(std::span<const uint8_t> request, KissCode code,
                                                          std::span<uint8_t> reply);

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_SERVER_H_
