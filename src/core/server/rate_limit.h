// Per-client rate limiting with ntpd's `discard` semantics, in bounded memory.
//
// ntpd (ntp_monitor.c, ntp.conf(5) "discard"): a client is limited when its packets come closer
// than `minimum` seconds apart, or when its average interval falls below 2^`average` seconds. The
// average is a leaky bucket: each served packet adds 2^average s of "leak", which drains at 1 s
// per second; a burst of up to 8 packets is allowed (ntpd's limit of 8 headways). A limited
// packet adds nothing, so a client that slows down recovers.
//
// State lives in a fixed table allocated once: a set-associative hash (kWays entries per bucket,
// keyed with a secret from the host so that an attacker cannot aim sources at one bucket). A new
// client takes a free way or evicts the least recently seen one in its bucket, so memory stays
// at capacity() entries whatever the number of (spoofed) sources; an entry idle for `monitor`
// seconds counts as free. Each bucket keeps a one-byte fingerprint per way (compared eight at a
// time before any full key) and its ways in the order they were last seen, so that neither a hit
// nor a miss reads the other ways' entries. IPv6 clients are keyed by their /64, the unit an attacker can rotate
// addresses in. Kiss-o'-death replies are themselves limited: at most one per client per
// 2^average s, and at most `kod_burst` in a row across all clients, refilled at `kod_per_second`.
// Pure: time is passed in. Not thread-safe.
#ifndef TEMPUS_CORE_SERVER_RATE_LIMIT_H_
#define TEMPUS_CORE_SERVER_RATE_LIMIT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/net/net_address.h"
#include "core/time/mono_time.h"

namespace tempus::core::server {

// `discard` and the table size, with ntpd's defaults.
struct RateLimitConfig {
  int average_log2 = 3;        // discard average: log2 s of the minimum mean interval (ntpd: 3)
  int minimum_s = 2;           // discard minimum: s between two packets (ntpd: 2)
  int monitor_s = 3000;        // discard monitor: s after which an idle entry may be reused
  size_t capacity = 1 << 14;   // entries in the table (rounded up to whole buckets)
  double kod_per_second = 16;  // KoD replies per second across all clients
  double kod_burst = 32;       // KoD replies in a row across all clients
  friend bool operator==(const RateLimitConfig&, const RateLimitConfig&) = default;
};

// What to do with one packet of a `limited` client.
enum class RateVerdict : uint8_t {
  kAllow,       // within the limits: serve it
  kLimited,     // over the limits: drop it
  kLimitedKod,  // over the limits and a RATE kiss-o'-death may be sent (when the rule says kod)
};

class RateLimiter {
 public:
  static constexpr size_t kWays = 8;

  // `hash_key` should be secret and random (the host draws it from its Random).
  explicit RateLimiter(const RateLimitConfig& config = {}, uint64_t hash_key = 0);

  // Records a packet from `source` at `now` and judges it. `kod_wanted`: the client's rule has
  // kod, so a kLimitedKod verdict consumes the per-client and global KoD allowance.
  RateVerdict Check(const NetAddress& source, MonoTime now, bool kod_wanted);

  // Entries the table can hold (fixed at construction; allocated at the first Check).
  size_t capacity() const { return buckets_ * kWays; }
  // Bytes of the table: nothing before the first Check, then capacity() entries for good.
  size_t memory_bytes() const { return entries_.capacity() * sizeof(Entry) + heads_.capacity() * sizeof(Bucket); }
  // Entries in use.
  size_t tracked() const { return tracked_; }
  // Entries taken from another client while it was still within `monitor` s.
  uint64_t evictions() const { return evictions_; }
  const RateLimitConfig& config() const { return config_; }
  // The table's hash key (other per-client tables of the host derive theirs from it).
  uint64_t hash_key() const { return hash_key_; }

 private:
  struct Entry {
    std::array<uint8_t, 16> key{};  // IPv4 address, or IPv6 /64
    uint8_t family = 0;             // 0: free
    MonoTime last;                  // last packet
    MonoTime last_kod;              // last KoD sent; valid when sent_kod
    int64_t leak_ns = 0;            // the leaky bucket, in ns of headway still owed
    bool sent_kod = false;
  };
  // What a lookup reads first: 16 bytes per bucket, apart from its entries.
  struct Bucket {
    uint64_t tags = 0;  // byte i: way i's fingerprint (a byte of the key's hash, never 0); 0: free
    // The ways by when they were last seen, one per nibble: the low nibble the most recent, the
    // high one the least (the next victim). Free ways were never seen, so they stay at the high
    // end, lowest way last: a new client takes the lowest free way, as a scan would.
    uint32_t order = 0x01234567;
  };
  // The entry of `source`, taking a free or the least recently seen way of its bucket when it has
  // none (then `*created` is true and the entry is blank). Never null. The way found becomes its
  // bucket's most recently seen: every packet that finds an entry sets its `last` to `now`.
  Entry* Find(const NetAddress& source, MonoTime now, bool* created);
  bool TakeGlobalKod(MonoTime now);

  RateLimitConfig config_;
  uint64_t hash_key_;
  std::vector<Entry> entries_;
  std::vector<Bucket> heads_;  // one per bucket, beside entries_
  size_t buckets_ = 1;
  // From config_, once: in NtpDuration's raw units.
  int64_t headway_raw_ = 0;  // 2^average s
  int64_t minimum_raw_ = 0;  // minimum s
  NtpDuration idle_limit_;   // monitor s
  size_t tracked_ = 0;
  uint64_t evictions_ = 0;
  double kod_tokens_;
  MonoTime kod_refilled_;
  bool kod_started_ = false;
};

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_RATE_LIMIT_H_
