// The server's packets as pure functions of a decoded request, the receive timestamp and the
// system snapshot (RFC 5905 §8, §9.2 fast_xmit): the time reply (mode 4, or mode 2 to a peer
// that mobilizes nothing) and the kiss-o'-death (§7.4). core::server::Server decides which one a
// datagram gets; these only build it.
//
// Every packet is 48 bytes, so never longer than the request it answers (no amplification). A
// time reply's transmit timestamp is set to the receive time and must be restamped by the host
// (StampTransmit) right before sending, so that it is read as late as possible; a KoD carries no
// time of ours and is not restamped. Stateless and thread-compatible.
#ifndef TEMPUS_CORE_SERVER_REPLY_H_
#define TEMPUS_CORE_SERVER_REPLY_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "core/server/drop_reason.h"
#include "core/system/snapshot.h"
#include "core/time/ntp_timestamp.h"
#include "core/wire/codec.h"
#include "core/wire/packet.h"

namespace tempus::core::server {

// Whether `decoded` (from `request`, any mode) is a time request the server answers: mode 3, or
// NTPv1 mode 0 (NTPv1 had no mode field), or the reason it is not (RFC 5905 §9.2: a server
// answers only clients). Mode 6 and 7 are refused on the first byte: they have formats of their own.
[[nodiscard]] Result<void, DropReason> CheckTimeRequest(std::span<const uint8_t> request,
                                                        const Result<DecodedPacket, DecodeError>& decoded);

// Writes the time reply to the request header `req` in `mode` (kServer, or kSymmetricPassive for
// a peer answered without an association) into `out`: the system variables of `system`, T1
// echoed in origin, `receive_time` (T2, the local clock's) in receive and transmit.
// REQUIRES: out.size() >= kHeaderSize.
void EncodeReply(const Header& req, Mode mode, NtpTimestamp receive_time, const system::SystemSnapshot& system,
                 std::span<uint8_t> out);

// Writes a kiss-o'-death answering `req` into `out`: leap 3, stratum 0, the kiss code in refid,
// and the client's transmit timestamp in the origin, receive and transmit fields (as ntpd), so
// it carries no time and is not restamped. REQUIRES: out.size() >= kHeaderSize.
void EncodeKissOfDeath(const Header& req, KissCode code, std::span<uint8_t> out);

// Decodes `request` and builds its time reply (CheckTimeRequest, EncodeReply in mode 4) into
// `reply`; returns its size (48). For hosts that serve without access control: tests, benchmarks.
[[nodiscard]] Result<size_t, DropReason> HandleRequest(std::span<const uint8_t> request, NtpTimestamp receive_time,
                                                       const system::SystemSnapshot& system, std::span<uint8_t> reply);

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_REPLY_H_
