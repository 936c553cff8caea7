#include "core/server/rate_limit.h"

#include <algorithm>
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
    : config_(config), hash_key_(hash_key), kod_tokens_(config.kod_burst) {
  buckets_ = std::max<size_t>(1, (config.capacity + kWays - 1) / kWays);
}

RateLimiter::Entry* RateLimiter::Find(const NetAddress& source, MonoTime now, bool* created) {
  const ClientKey client = ClientKey::Of(source);
  const std::array<uint8_t, 16>& key = client.bytes;
  const uint8_t family = client.family;
  const uint64_t h = client.Hash(hash_key_);
  if (entries_.empty()) {  // allocated at the first limited packet: a node nobody polls pays nothing
    entries_.assign(buckets_ * kWays, Entry{});
    entries_.shrink_to_fit();
  }
  Entry* bucket = &entries_[(h % buckets_) * kWays];
  Entry* victim = nullptr;
  const NtpDuration idle_limit = NtpDuration::FromWholeSeconds(std::max(config_.monitor_s, 0));
  for (size_t i = 0; i < kWays; ++i) {
    Entry& e = bucket[i];
    if (e.family == family && SameKey(e.key, key)) {
      *created = false;
      return &e;
    }
    if (e.family == 0) {
      if (!victim || victim->family != 0) victim = &e;
    } else if (!victim || (victim->family != 0 && e.last < victim->last)) {
      victim = &e;
    }
  }
  if (victim->family == 0) {
    ++tracked_;
  } else if (now - victim->last < idle_limit) {
    ++evictions_;
  }
  *victim = Entry{};
  victim->key = key;
  victim->family = family;
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
  const int64_t headway = HeadwayRaw(config_.average_log2);
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
  const bool too_soon = interval < NtpDuration::FromWholeSeconds(std::max(config_.minimum_s, 0)).raw();
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
