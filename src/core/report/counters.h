// The node's counters: one set per part of the node, each number counted once by the part that
// decides it, and the pure function that folds them into ntpd's `ntpq sysstats` categories (ss_*
// variables; RFC 9327 has no list of its own).
//
// Every datagram's version and the sources' MAC failures are counted by the node (a Counters of
// its own: CountDatagram, bad_auth), the server's outcomes by core::server::Server (ServerStats),
// mode 6's by core::control::ControlServer (ControlStats). They travel in the NodeSnapshot
// (node_snapshot.h); mode 6 folds them with SysStats when asked, Prometheus shows ServerStats and
// ControlStats by reason, so both read the same numbers. Value types; thread-compatible.
#ifndef TEMPUS_CORE_REPORT_COUNTERS_H_
#define TEMPUS_CORE_REPORT_COUNTERS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/server/drop_reason.h"

namespace tempus::core::report {

// The packet counters of `ntpq sysstats` (ss_*), as mode 6 shows them.
struct Counters {
  uint64_t received = 0;            // every datagram handed to the node
  uint64_t this_version = 0;        // VN 4
  uint64_t old_version = 0;         // VN 1..3
  uint64_t version1 = 0;            // VN 1
  uint64_t version1_client = 0;     // VN 1, mode 3
  uint64_t version1_zero = 0;       // VN 1, mode 0
  uint64_t version1_symmetric = 0;  // VN 1, mode 1
  uint64_t bad_format = 0;          // dropped as malformed
  uint64_t bad_auth = 0;
  uint64_t declined = 0;    // dropped for their mode
  uint64_t restricted = 0;  // refused by access control (mode 6 from a non-allowed source)
  uint64_t limited = 0;
  uint64_t kod_sent = 0;
  uint64_t processed = 0;         // requests answered and replies taken
  uint64_t control_requests = 0;  // mode 6 requests
  // tempusd's workers: datagrams they received for the timing thread (not plain time requests)
  // and dropped, their queue to it full (counted in `received` too). ss_fwddrop: tempus's own.
  uint64_t forward_drops = 0;

  // Counts one datagram handed to the node (received, and its version and mode), before any part
  // judges it. REQUIRES: !datagram.empty().
  void CountDatagram(std::span<const uint8_t> datagram);
  // Adds `other`'s counts (another thread's: tempusd's workers).
  void Add(const Counters& other);
};

// Why the control server answered nothing. Each is a counter (ControlStats, Prometheus).
enum class ControlDrop : uint8_t {
  kRestricted,  // control off, or the source may not query (restrict noquery; loopback only)
  kClientRate,  // over the per-client rate (ControlLimiter)
  kGlobalRate,  // over the rate across all clients
  kMalformed,   // not a request the handler answers (control.h Drop)
};
inline constexpr size_t kControlDropCount = 4;
// "restricted", "client_rate", "global_rate", "malformed" (Prometheus labels).
std::string_view ControlDropName(ControlDrop drop);

// What became of the mode 6 requests (Prometheus tempus_control_*; the drops feed sysstats).
struct ControlStats {
  uint64_t requests = 0;        // mode 6 datagrams received
  uint64_t answered = 0;        // requests answered (with data or an error response)
  uint64_t datagrams_sent = 0;  // response fragments sent
  uint64_t bytes_in = 0;        // bytes of every mode 6 datagram received
  uint64_t bytes_out = 0;       // bytes of every response fragment sent
  std::array<uint64_t, kControlDropCount> dropped{};

  uint64_t Dropped(ControlDrop drop) const { return dropped[static_cast<size_t>(drop)]; }
};

// ntpd's sysstats: `node`, what the node counted itself, plus the server's and the control
// server's outcomes and `accepted`, the replies the node's sources took (ss_processed counts
// served requests and taken replies). As ntpd: malformed packets of either path in bad_format,
// modes nobody answers (and unauthenticated peers) in declined, refused ones in restricted, rate
// limited ones (KoD or not) in limited, crypto-NAKs sent in bad_auth.
Counters SysStats(Counters node, const server::ServerStats& server, const ControlStats& control, uint64_t accepted);

}  // namespace tempus::core::report

#endif  // TEMPUS_CORE_REPORT_COUNTERS_H_
