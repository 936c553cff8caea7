// RefusalLog: decides when a refusal (core/system/refusal.h) is worth a log line (engine/refusal_text.h words it).
//
// One line when a source's refusal, or the system's, appears or changes; never one per packet.
// A new value is told once it has held for kSettle (the minute a cluster's peers are still
// unsynchronized at start, or a falseticker among the first samples, is no news), except a kiss
// code or the panic refusal, which are told at once. A value already logged for the same key
// within kRepeatAfter is held back, so a source that flaps between two states (a falseticker at
// the edge of the intersection, λ hovering at maxdist) costs at most a line per state an hour; a
// value held back is logged once the hour is up if it still holds, so the last line about a
// source is true within the hour. Values that other lines already tell (unreachable: the
// reachability lines; kiss DENY/RSTR: the demobilization line; a source's panic or minsane: the
// system's line; the system back to kNone: "system peer X") change nothing or are recorded
// silently. Not thread-safe.
#ifndef TEMPUS_CORE_NODE_REFUSAL_LOG_H_
#define TEMPUS_CORE_NODE_REFUSAL_LOG_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>

#include "core/system/refusal.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::node {

class RefusalLog {
 public:
  static constexpr NtpDuration kRepeatAfter = NtpDuration::FromWholeSeconds(3600);
  static constexpr NtpDuration kSettle = NtpDuration::FromWholeSeconds(60);
  // The key of the system's own refusal (sources use their association ids, which start at 1).
  static constexpr uint32_t kSystemKey = 0;

  // Starts a pass over every key (which then calls Changed for each).
  void BeginPass() {
    waiting_ = 0;
    next_due_.reset();
  }
  // Whether `refusal`, now the value for `key`, is to be logged at `now`; records it if so. A
  // value still settling or held back counts in waiting(): call again later (every few seconds).
  bool Changed(uint32_t key, system::Refusal refusal, MonoTime now);
  // Values of the last pass still settling or held back.
  int waiting() const { return waiting_; }
  // When the earliest of them may be told (settled, or the hour up): the next pass worth making.
  std::optional<MonoTime> next_due() const { return next_due_; }
  // Drops what is known about `key` (its source went).
  void Forget(uint32_t key) { entries_.erase(key); }

 private:
  struct Entry {
    system::Refusal last = system::Refusal::kNone;     // the value the log last told
    system::Refusal pending = system::Refusal::kNone;  // a new value settling, when pending_since is set
    std::optional<MonoTime> pending_since;
    std::array<std::optional<MonoTime>, system::kRefusalCount> logged_at{};
  };
  std::map<uint32_t, Entry> entries_;
  int waiting_ = 0;
  std::optional<MonoTime> next_due_;
};

}  // namespace tempus::core::node

#endif  // TEMPUS_CORE_NODE_REFUSAL_LOG_H_
