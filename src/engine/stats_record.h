// Records for ntpd-style statistics files (ntp.conf `statistics peerstats loopstats`): what a
// Node reports after each accepted clock-filter output and each clock update, stamped with its
// own clock. Plain values; the Node hands them to an observer (obs/stats_files.h writes them).
// Thread-compatible.
#ifndef TEMPUS_ENGINE_STATS_RECORD_H_
#define TEMPUS_ENGINE_STATS_RECORD_H_

#include <cstdint>
#include <functional>
#include <variant>

#include "core/net/net_address.h"
#include "core/time/ntp_duration.h"
#include "core/time/unix_time.h"

namespace tempus::engine {

// One peerstats line: a source's new peer variables (RFC 5905 §10) after its clock filter.
struct PeerStatsRecord {
  core::UnixTime when;          // the node's clock when it was recorded
  core::NetAddress address;     // the source
  uint16_t status = 0;          // its peer status word (RFC 9327 §2.4.2), as ntpq shows it
  core::NtpDuration offset;     // θ; positive: the source is ahead of us
  core::NtpDuration delay;      // δ
  core::NtpDuration dispersion; // ε
  core::NtpDuration jitter;     // ψ
};

// One loopstats line: the discipline's state after a clock update.
struct LoopStatsRecord {
  core::UnixTime when;        // the node's clock after the update
  core::NtpDuration offset;   // the offset the update corrected; positive: the clock was behind
  double frequency_ppm = 0;   // frequency correction in effect
  core::NtpDuration jitter;   // clock jitter
  double wander_ppm = 0;      // frequency wander
  int time_constant = 0;      // the poll exponent the discipline recommends (ntpd's sys_poll)
};

using StatsRecord = std::variant<PeerStatsRecord, LoopStatsRecord>;
// Called on the Node's thread, in the order the events happened.
using StatsObserver = std::function<void(const StatsRecord&)>;

}  // namespace tempus::engine

#endif  // TEMPUS_ENGINE_STATS_RECORD_H_
