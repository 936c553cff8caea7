#include "engine/reply.h"

#include <algorithm>

#include "base/check.h"
#include "core/server/server.h"
#include "core/wire/codec.h"

namespace tempus::engine {

std::span<const uint8_t> FinishReply(const core::node::Reply& reply, std::span<uint8_t> buffer, Clock& clock,
                                     const KeyRing& keys) {
  if (!reply.restamp && !reply.sign_key) return reply.bytes;
  TEMPUS_CHECK(buffer.size() >= core::server::kReplyCapacity && reply.bytes.size() <= core::kHeaderSize + 4);
  std::copy(reply.bytes.begin(), reply.bytes.end(), buffer.begin());
  const std::span<uint8_t> bytes = buffer.first(reply.bytes.size());
  if (reply.restamp) core::StampTransmit(bytes, clock.Now().ToNtp());  // as late as possible
  if (!reply.sign_key) return bytes;
  // The MAC covers the transmit stamp, so it is computed last.
  const auto signed_size = keys.Sign(*reply.sign_key, buffer, bytes.size());
  TEMPUS_CHECK(signed_size.has_value());
  return buffer.first(*signed_size);
}

}  // namespace tempus::engine
