// NtsReplayWindow: which NTS requests the server answered lately, to count a replayed one (RFC
// 8915 §5.3, §5.7). A client uses each cookie once (§5.7), so a cookie seen again in a request
// that verified is a replay: the same packet sent twice (captured on the path and resent), or a
// client that reuses cookies. It is answered again, as chrony 4.3 and NTPsec 1.2.2 do: RFC 8915
// keeps the server stateless and leaves replay detection to the client, which drops the second
// reply (its Unique Identifier is no longer outstanding); refusing it would let anyone who sees
// a request and sends a copy first take the real client's answer away. Counted only
// (ServerStats::nts_replayed).
//
// Remembers the fingerprints (a 64-bit hash of the cookie, word by word: only requests that
// verified enter, so nobody without the session keys chooses them) of the last `capacity` to
// 2 * `capacity` answered requests in two generations. Each generation is an open-addressed table
// of at least twice `capacity` slots (at most half full), made on first use and never grown, so
// recording a cookie allocates nothing and memory is bounded (2 x 32,768 x 8 octets by default).
// Thread-compatible: one per Server.
#ifndef TEMPUS_CORE_SERVER_NTS_REPLAY_H_
#define TEMPUS_CORE_SERVER_NTS_REPLAY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tempus::core::server {

class NtsReplayWindow {
 public:
  static constexpr size_t kDefaultCapacity = 16384;
  explicit NtsReplayWindow(size_t capacity = kDefaultCapacity) : capacity_(capacity > 0 ? capacity : 1) {}

  // Records the cookie of an answered request; true when it was recorded already (a replay).
  bool SeenBefore(std::span<const uint8_t> cookie);

 private:
  // The slot of `f` in `table`, or of the empty slot (0) where it would go.
  size_t Find(const std::vector<uint64_t>& table, uint64_t f) const;

  size_t capacity_;
  size_t mask_ = 0;                // slots - 1 (a power of two), once the tables are made
  std::vector<uint64_t> current_;  // fingerprints, 0 for an empty slot
  std::vector<uint64_t> previous_;
  size_t current_count_ = 0;
};

}  // namespace tempus::core::server

#endif  // TEMPUS_CORE_SERVER_NTS_REPLAY_H_
