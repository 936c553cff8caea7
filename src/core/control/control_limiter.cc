#include "core/control/control_limiter.h"

#include <algorithm>

#include "core/net/client_key.h"

namespace tempus::core::control {

bool ControlLimiter::Bucket::Take(MonoTime now, double per_second, double burst) {
  const double elapsed = std::max(0.0, (now - refilled).Seconds());
  refilled = now;
  tokens = std::min(burst, tokens + elapsed * std::max(per_second, 0.0));
  if (tokens < 1.0) return false;
  tokens -= 1.0;
  return true;
}

ControlLimiter::ControlLimiter(const ControlLimitConfig& config, uint64_t hash_key)
    : config_(config), hash_key_(Mix64(hash_key ^ 0x6d6f646536ull)) {
  buckets_ = std::max<size_t>(1, (config.capacity + kWays - 1) / kWays);
  entries_.assign(buckets_ * kWays, Entry{});
  entries_.shrink_to_fit();
  global_.tokens = config.global_burst;
}

ControlLimiter::Entry& ControlLimiter::Find(const NetAddress& source, MonoTime now) {
  const ClientKey client = ClientKey::Of(source);
  const std::array<uint8_t, 16>& key = client.bytes;
  const uint8_t family = client.family;
  const uint64_t h = client.Hash(hash_key_);
  Entry* bucket = &entries_[(h % buckets_) * kWays];
  Entry* victim = nullptr;
  for (size_t i = 0; i < kWays; ++i) {
    Entry& e = bucket[i];
    if (e.family == family && e.key == key) return e;
    if (e.family == 0) {
      if (!victim || victim->family != 0) victim = &e;
    } else if (!victim || (victim->family != 0 && e.bucket.refilled < victim->bucket.refilled)) {
      victim = &e;
    }
  }
  if (victim->family == 0) ++tracked_;
  *victim = Entry{};
  victim->key = key;
  victim->family = family;
  victim->bucket.tokens = config_.client_burst;
  victim->bucket.refilled = now;
  return *victim;
}

ControlVerdict ControlLimiter::Check(const NetAddress& source, MonoTime now) {
  if (source.family() != NetAddress::Family::kNone) {
    Entry& e = Find(source, now);
    // A dropped request still spends nothing: the client's tokens refill whatever it sends.
    if (!e.bucket.Take(now, config_.client_per_second, config_.client_burst)) return ControlVerdict::kClientLimited;
  }
  if (!global_.Take(now, config_.global_per_second, config_.global_burst)) return ControlVerdict::kGlobalLimited;
  return ControlVerdict::kAllow;
}

}  // namespace tempus::core::control
