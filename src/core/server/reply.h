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

#include <array>
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

// A time reply's bytes that depend only on the snapshot (RFC 5905 §9.2 fast_xmit: leap, stratum,
// precision, root delay, refid, reference time), encoded once per published snapshot rather than
// once per request; the snapshot is immutable between clock updates.
struct ReplyTemplate {
  std::array<uint8_t, kHeaderSize> bytes{};  // version, mode, poll and the timestamps left zero
  NtpDuration root_dispersion;               // sys.rootdisp, grown per request (RootDispersionAt)
  NtpTimestamp reference_time;
};
ReplyTemplate MakeReplyTemplate(const system::SystemSnapshot& system);

// Whether the first byte of a request is that of a time request the server answers (mode 3 of
// NTPv1-4, or NTPv1 mode 0): CheckTimeRequest's verdict on a 48-byte request, whose decode
// cannot fail otherwise.
constexpr bool IsTimeRequestByte(uint8_t first) {
  const uint8_t version = (first >> 3) & 0x7;
  const uint8_t mode = first & 0x7;
  return (mode == 3 && version >= 1 && version <= 4) || (mode == 0 && version == 1);
}

// The root dispersion field of a template's replies over a span of ages (receive time minus
// reference time) in which it does not change, from an earlier reply. The field grows by one unit
// (2^-16 s) in about a second of age (PHI, 15 ppm) and never falls as the age grows, so when it
// is equal at both ends of a span it is the same throughout: a reply whose age lies in the span
// takes it without the arithmetic, to the bit as computed. Empty (lo > hi) until the first reply.
// Valid for one template: reset it with the template.
struct RootDispersionMemo {
  int64_t lo = 1;  // ages in NtpDuration's raw units (2^-32 s), inclusive
  int64_t hi = 0;
  uint32_t field = 0;  // NtpShort raw
};

// EncodeReply in mode 4 for the raw 48-byte request `request` (IsTimeRequestByte) from the
// template of the snapshot: the same bytes, without decoding the request or encoding the
// snapshot; with `memo` (of this template), the root dispersion from it when the age is within
// its span, else computed and the memo moved to a span from this age on. `out` may not overlap
// `request`. REQUIRES: sizes >= kHeaderSize.
void EncodeReplyFromTemplate(const ReplyTemplate& t, std::span<const uint8_t> request, NtpTimestamp receive_time,
                             std::span<uint8_t> out, RootDispersionMemo* memo = nullptr);

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
