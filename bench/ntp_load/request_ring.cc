#include "ntp_load/request_ring.h"

#include <bit>

#include "base/check.h"

namespace tempus::bench {

RequestRing::RequestRing(uint64_t capacity, Random* random)
    : slots_(std::bit_ceil(capacity < 2 ? uint64_t{2} : capacity)), random_(random) {
  TEMPUS_CHECK(capacity <= (uint64_t{1} << 32));  // the cookie carries 32 bits of sequence
  mask_ = slots_.size() - 1;
}

uint64_t RequestRing::NextCookie() { return (random_->NextU64() & 0xffffffff00000000u) | (head_ & 0xffffffffu); }

std::optional<int64_t> RequestRing::Complete(uint64_t origin) {
  Slot& s = At(origin);  // the low bits of the cookie are the sequence number
  if (s.sent_ns == kDone || s.cookie != origin) return std::nullopt;
  const int64_t sent = s.sent_ns;
  s.sent_ns = kDone;
  --pending_;
  return sent;
}

}  // namespace tempus::bench
