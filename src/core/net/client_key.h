// ClientKey: how the per-client tables (the time path's RateLimiter, the control path's
// ControlLimiter) identify and hash a source: an IPv4 address, or the /64 of an IPv6 address
// (one host usually owns a whole /64), hashed with a secret key so that spoofed sources cannot
// aim at one bucket.
#ifndef TEMPUS_CORE_NET_CLIENT_KEY_H_
#define TEMPUS_CORE_NET_CLIENT_KEY_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "core/net/net_address.h"

namespace tempus::core {

// SplitMix64's finalizer: a cheap, well-mixing 64-bit permutation.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// The table key of a source with its family: the IPv4 address, or the /64 of an IPv6 address.
struct ClientKey {
  std::array<uint8_t, 16> bytes{};
  uint8_t family = 0;

  static ClientKey Of(const NetAddress& a) {
    ClientKey k;
    std::copy_n(a.bytes().begin(), a.is_v4() ? 4 : 8, k.bytes.begin());
    k.family = static_cast<uint8_t>(a.family());
    return k;
  }
  // The key's hash under the table's secret `hash_key`.
  uint64_t Hash(uint64_t hash_key) const {
    uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, bytes.data(), 8);
    std::memcpy(&hi, bytes.data() + 8, 8);
    return Mix64(Mix64(hash_key ^ lo ^ (uint64_t{family} << 56)) ^ hi);
  }
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_NET_CLIENT_KEY_H_
