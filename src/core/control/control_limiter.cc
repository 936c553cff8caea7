#include "core/control/control_limiter.h"

#include <algorithm>
#include <cstring>

namespace tempus::core::control {
namespace {

uint64_t Mix(uint64_t x) {  // SplitMix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// The table key of a source: the IPv4 address, or the /64 of an IPv6 address.
std::array<uint8_t, 16> KeyOf(const NetAddress& a) {
  std::array<uint8_t, 16> k{};
  const size_t n = a.is_v4() ? 4 : 8;
  std::copy_n(a.bytes().begin(), n, k.begin());
  return k;
}

}  // namespace

bool ControlLimiter::Bucket::Take(MonoTime now, double per_second, double burst) {
  const double elapsed = std::max(0.0, (now - refilled).Seconds());
  refilled = now;
  tokens = std::min(burst, tokens + elapsed * std::max(per_second, 0.0));
  if (tokens < 1.0) return false;
  tokens -= 1.0;
  return true;
}

ControlLimiter::ControlLimiter(const ControlLimitConfig& config, uint64_t hash_key)
    : config_(config), hash_key_(Mix(hash_key ^ 0x6d6f646536ull)) {
  buckets_ = std::max<size_t>(1, (config.capacity + kWays - 1) / kWays);
  entries_.assign(buckets_ * kWays, Entry{});
  entries_.shrink_to_fit();
  global_.tokens = config.global_burst;
}

ControlLimiter::Entry& ControlLimiter::Find(const NetAddress& source, MonoTime now) {
  const std::array<uint8_t, 16> key = KeyOf(source);
  const auto family = static_cast<uint8_t>(source.family());
  uint64_t lo = 0, hi = 0;
  std::memcpy(&lo, key.data(), 8);
  std::memcpy(&hi, key.data() + 8, 8);
  const uint64_t h = Mix(Mix(hash_key_ ^ lo ^ (uint64_t{family} << 56)) ^ hi);
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
