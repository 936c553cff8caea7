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
  const core::UnixTime transmit = reply.restamp ? clock.Now() : core::UnixTime();  // as late as possible
  return buffer.first(SealReply(buffer, reply.bytes.size(), reply.restamp, reply.sign_key, transmit.ToNtp(), keys));
}

size_t SignReply(std::span<uint8_t> buffer, size_t size, uint32_t key, const KeyRing& keys) {
  TEMPUS_CHECK(buffer.size() >= core::server::kReplyCapacity && size <= core::kHeaderSize + 4);
  const auto signed_size = keys.Sign(key, buffer, size);
  TEMPUS_CHECK(signed_size.has_value());
  return *signed_size;
}

}  // namespace tempus::engine
