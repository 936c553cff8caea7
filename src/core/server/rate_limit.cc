#include "core/server/rate_limit.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/net/client_key.h"

namespace tempus::core::server {
namespace {

constexpr int kBurstHeadways = 8;  // ntpd: the bucket holds 8 headways (a burst of 8)

// Two 16-byte keys equal: as two 64-bit words (std::array's == calls memcmp, 8 times a lookup).
bool SameKey(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b) {
  uint64_t x[2];
  uint64_t y[2];
  std::memcpy(x, a.data(), sizeof x);
  std::memcpy(y, b.data(), sizeof y);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

int64_t HeadwayRaw(int average_log2) {
  return NtpDuration::FromWholeSeconds(int64_t{1} << std::clamp(average_log2, 0, 17)).raw();
}

}  // namespace

RateLimiter::RateLimiter(const RateLimitConfig& config, uint64_t hash_key)
    : config_(config),
      hash_key_(hash_key),
      headway_raw_(HeadwayRaw(config.average_log2)),
      minimum_raw_(NtpDuration::FromWholeSeconds(std::max(config.minimum_s, 0)).raw()),
      idle_limit_(NtpDuration::FromWholeSeconds(std::max(config.monitor_s, 0))),
      kod_tokens_(config.kod_burst) {
  buckets_ = std::max<size_t>(1, (config.capacity + kWays - 1) / kWays);
}

RateLimiter::Entry* RateLimiter::Find(const NetAddress& source, MonoTime now, bool* created) {
  static_assert(kWays == 8, "a bucket's tags are one 64-bit word and its order one 32-bit word");
  constexpr uint64_t kBytes = 0x0101010101010101ull;
  constexpr uint32_t kNibbles = 0x11111111u;
  const ClientKey client = ClientKey::Of(source);
  const uint64_t h = client.Hash(hash_key_);
  if (entries_.empty()) {  // allocated at the first limited packet: a node nobody polls pays nothing
    entries_.assign(buckets_ * kWays, Entry{});
    entries_.shrink_to_fit();
    heads_.assign(buckets_, Bucket{});
    heads_.shrink_to_fit();
  }
  const size_t index = h % buckets_;
  Bucket& head = heads_[index];
  Entry* bucket = &entries_[index * kWays];
  // The fingerprint: the hash's top byte (the bucket came from all of it), never 0 (a free way).
  const uint8_t tag = std::max<uint8_t>(1, static_cast<uint8_t>(h >> 56));
  // The ways whose tag byte is `tag`: a zero byte of tags ^ tag*kBytes. The lowest flag is exact;
  // above it a borrow can raise a false one, which the full key then rejects.
  const uint64_t x = head.tags ^ (tag * kBytes);
  for (uint64_t m = (x - kBytes) & ~x & (kBytes << 7); m != 0; m &= m - 1) {
    const unsigned way = static_cast<unsigned>(std::countr_zero(m)) / 8;
    Entry& e = bucket[way];
    if (e.family != client.family || !SameKey(e.key, client.bytes)) continue;
    // Move `way` to the front of the order: the nibble holding it is found as the tag was.
    const uint32_t y = head.order ^ (way * kNibbles);
    const unsigned rank = static_cast<unsigned>(std::countr_zero((y - kNibbles) & ~y & (kNibbles << 3))) / 4;
    const uint64_t order = head.order;
    const uint64_t below = order & ((uint64_t{1} << (4 * rank)) - 1);
    const uint64_t above = order >> (4 * rank + 4) << (4 * rank + 4);
    head.order = static_cast<uint32_t>(above | (below << 4) | way);
    *created = false;
    return &e;
  }
  // No entry: the least recently seen way (a free one while there is one) becomes the client's.
  const unsigned way = head.order >> 28;
  head.order = (head.order << 4) | way;
  Entry* victim = &bucket[way];
  const uint64_t tag_mask = uint64_t{0xff} << (8 * way);
  if ((head.tags & tag_mask) == 0) {
    ++tracked_;
  } else if (now - victim->last < idle_limit_) {
    ++evictions_;
  }
  head.tags = (head.tags & ~tag_mask) | (uint64_t{tag} << (8 * way));
  *victim = Entry{};
  victim->key = client.bytes;
  victim->family = client.family;
  *created = true;
  return victim;
}

bool RateLimiter::TakeGlobalKod(MonoTime now) {
  if (!kod_started_) {
    kod_started_ = true;
    kod_refilled_ = now;
  }
  const double elapsed = std::max(0.0, (now - kod_refilled_).Seconds());
  kod_refilled_ = now;
  kod_tokens_ = std::min(config_.kod_burst, kod_tokens_ + elapsed * config_.kod_per_second);
  if (kod_tokens_ < 1.0) return false;
  kod_tokens_ -= 1.0;
  return true;
}

RateVerdict RateLimiter::Check(const NetAddress& source, MonoTime now, bool kod_wanted) {
  if (source.family() == NetAddress::Family::kNone) return RateVerdict::kAllow;  // no address: nothing to key
  const int64_t headway = headway_raw_;
  const int64_t limit = kBurstHeadways * headway;
  bool created = false;
  Entry* e = Find(source, now, &created);
  if (created) {
    e->last = now;
    e->leak_ns = headway;
    return RateVerdict::kAllow;
  }
  const int64_t interval = std::max<int64_t>(0, (now - e->last).raw());
  e->last = now;
  const int64_t leak = std::max<int64_t>(0, e->leak_ns - interval);
  const bool too_soon = interval < minimum_raw_;
  if (!too_soon && leak + headway <= limit) {
    e->leak_ns = leak + headway;
    return RateVerdict::kAllow;
  }
  e->leak_ns = leak;  // a limited packet adds nothing: a client that slows down recovers
  if (!kod_wanted) return RateVerdict::kLimited;
  if (e->sent_kod && (now - e->last_kod).raw() < headway) return RateVerdict::kLimited;
  if (!TakeGlobalKod(now)) return RateVerdict::kLimited;
  e->sent_kod = true;
  e->last_kod = now;
  return RateVerdict::kLimitedKod;
}

}  // namespace tempus::core::server
