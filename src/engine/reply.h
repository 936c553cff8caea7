// FinishReply: the edge's part of answering a datagram, what needs the clock and the keys.
//
// The policy is the core's (core::node::Node::OnDatagram -> core::server::Server: restrict, rate
// limit, KoD, crypto-NAK, counters, the request decoded once; core::control::ControlServer for
// mode 6). The engine carries the core's Reply action: it restamps the transmit time from a clock
// read as the very last step before sending (T3 as late as possible, RFC 5905 §8), then appends
// the MAC by the key the core named, which covers that stamp (RFC 5905 §7.3).
#ifndef TEMPUS_ENGINE_REPLY_H_
#define TEMPUS_ENGINE_REPLY_H_

#include <cstdint>
#include <optional>
#include <span>

#include "core/node/actions.h"
#include "core/wire/codec.h"
#include "engine/auth.h"
#include "engine/clock.h"

namespace tempus::engine {

// Carries out the core's `reply`: copies its bytes into `buffer`, stamps the transmit time from
// `clock` when asked, then appends the MAC by `reply.sign_key` from `keys`. Returns the bytes to
// send, a prefix of `buffer`; a reply with neither (a mode 6 response) is returned as it is.
// REQUIRES: a reply to restamp or sign is a header (48 bytes) or a crypto-NAK, and buffer.size()
// >= core::server::kReplyCapacity; the key is trusted in `keys` (the core names only a key that
// just verified the request).
std::span<const uint8_t> FinishReply(const core::node::Reply& reply, std::span<uint8_t> buffer, Clock& clock,
                                     const KeyRing& keys);
// The same for a reply already copied to the front of `buffer` (`size` bytes), with the transmit
// time read and converted beforehand (a batch's replies share one reading, taken right before
// they are sent). Returns the size to send. Inline: a batch seals every reply it sends, and most
// are only restamped.
// REQUIRES: as FinishReply.
size_t SignReply(std::span<uint8_t> buffer, size_t size, uint32_t key, const KeyRing& keys);
inline size_t SealReply(std::span<uint8_t> buffer, size_t size, bool restamp, std::optional<uint32_t> sign_key,
                        core::NtpTimestamp transmit, const KeyRing& keys) {
  if (restamp) core::StampTransmit(buffer.first(size), transmit);
  // The MAC covers the transmit stamp, so it is computed last.
  return sign_key ? SignReply(buffer, size, *sign_key, keys) : size;
}

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_REPLY_H_
