// The rate limit of mode 6 (ntpq, RFC 9327) requests, in bounded memory.
//
// A mode 6 answer is larger than its request (up to kMaxResponseFragments datagrams), so even
// from addresses allowed to query it must come at a bounded rate (issue 6, "No amplification").
// Two token buckets decide: one per client (IPv4 address or IPv6 /64) and one across all
// clients. A bucket holds up to `burst` requests and refills at `per_second`; a request takes
// one token from both, or is dropped with the reason of the bucket that was empty. The per-client
// burst lets a normal `ntpq -p` (one READSTAT, then one READVAR per association) or
// `tempus peers --watch` through; a flood from one address gets `per_second` answers.
//
// Per-client state lives in a fixed table allocated once: a set-associative hash keyed with a
// secret (as core::server::RateLimiter), a new client taking a free way or the least recently
// seen one of its bucket, so memory does not grow with the number of sources. An evicted client
// comes back with a full bucket; the global bucket bounds what rotating sources can get.
// Pure: time is passed in. Not thread-safe.
#ifndef TEMPUS_CORE_CONTROL_CONTROL_LIMITER_H_
#define TEMPUS_CORE_CONTROL_CONTROL_LIMITER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/net/net_address.h"
#include "core/time/mono_time.h"

namespace tempus::core::control {

// The limits, per client and across all clients.
struct ControlLimitConfig {
  double client_per_second = 32;   // requests per second one client may sustain
  double client_burst = 128;       // requests in a row (ntpq -p on ~120 associations)
  double global_per_second = 256;  // requests per second across all clients
  double global_burst = 512;
  size_t capacity = 1024;  // clients tracked (rounded up to whole buckets)
};

// What to do with one mode 6 request.
enum class ControlVerdict : uint8_t {
  kAllow,          // answer it
  kClientLimited,  // this client's bucket is empty: drop
  kGlobalLimited,  // the bucket of all clients is empty: drop
};

class ControlLimiter {
 public:
  static constexpr size_t kWays = 8;

  // `hash_key` should be secret and random.
  explicit ControlLimiter(const ControlLimitConfig& config = {}, uint64_t hash_key = 0);

  // Records a request from `source` at `now` and judges it. A request without an address is
  // judged by the global bucket alone.
  ControlVerdict Check(const NetAddress& source, MonoTime now);

  // Entries the table can hold (its memory is fixed at construction).
  size_t capacity() const { return entries_.size(); }
  // Bytes of the table, constant after construction.
  size_t memory_bytes() const { return entries_.capacity() * sizeof(Entry); }
  // Entries in use.
  size_t tracked() const { return tracked_; }
  const ControlLimitConfig& config() const { return config_; }

 private:
  struct Bucket {
    double tokens = 0;
    MonoTime refilled;
    // Adds what accrued since the last refill (at most `burst`), then takes one token if any.
    bool Take(MonoTime now, double per_second, double burst);
  };
  struct Entry {
    std::array<uint8_t, 16> key{};  // IPv4 address, or IPv6 /64
    uint8_t family = 0;             // 0: free
    Bucket bucket;
  };
  Entry& Find(const NetAddress& source, MonoTime now);

  ControlLimitConfig config_;
  uint64_t hash_key_;
  std::vector<Entry> entries_;
  size_t buckets_ = 1;
  size_t tracked_ = 0;
  Bucket global_;
};

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_CONTROL_LIMITER_H_
