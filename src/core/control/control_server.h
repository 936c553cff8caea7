// core::control::ControlServer: the mode 6 (ntpq, RFC 9327) entry, with its access rules, its rate
// limit and its one counter set.
//
// Handle judges a request in the order that keeps a flood cheap: access first (control off:
// nothing; with restrict lines, `restrict ... noquery` or `ignore` refuse a source; without any,
// loopback only unless control_from_any), then the ControlLimiter (per client and across all
// clients, control_limiter.h), and only then builds the node's snapshot and answers from it
// (control.h HandleControl). Each outcome is counted once in ControlStats (core/report/counters.h),
// which travels in the snapshot: Prometheus shows it by reason, SysStats folds it into sysstats.
// Pure (time is passed in); not thread-safe.
#ifndef TEMPUS_CORE_CONTROL_CONTROL_SERVER_H_
#define TEMPUS_CORE_CONTROL_CONTROL_SERVER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "core/control/control.h"
#include "core/control/control_limiter.h"
#include "core/net/net_address.h"
#include "core/report/counters.h"
#include "core/server/restrict.h"
#include "core/time/mono_time.h"

namespace tempus::core::control {

// Who may ask, and how often.
struct ControlConfig {
  bool enabled = true;  // false: every request is dropped as kRestricted
  // Without restrict lines, answer any source, not only loopback ones (`restrict` lines decide
  // alone once there are any).
  bool from_any = false;
  ControlLimitConfig limit;
};

// The request gets nothing; counted under `reason`.
struct Ignore {
  report::ControlDrop reason = report::ControlDrop::kMalformed;
};
// The request is answered with these datagrams (at most kMaxResponseFragments), in order.
struct Respond {
  Datagrams datagrams;
};
using ControlAction = std::variant<Ignore, Respond>;

class ControlServer {
 public:
  // `hash_key` keys the limiter's client table (draw it at random).
  explicit ControlServer(const ControlConfig& config = {}, uint64_t hash_key = 0);

  // Judges one mode 6 request from `from` at `now` under `restricts` (the server's table), and
  // answers it from `make_view()`, a callable returning the node's report::NodeSnapshot (or a
  // reference to one), called only for a request that passed access and rate limits.
  template <typename MakeView>
  [[nodiscard]] ControlAction Handle(std::span<const uint8_t> request, const NetAddress& from, MonoTime now,
                                     const server::RestrictTable& restricts, const MakeView& make_view) {
    if (std::optional<report::ControlDrop> refused = Admit(request, from, now, restricts)) return Drop(*refused);
    return Answer(request, make_view());
  }

  const report::ControlStats& stats() const { return stats_; }
  const ControlLimiter& limiter() const { return limiter_; }
  const ControlConfig& config() const { return config_; }

 private:
  // Counts the request; the reason it may not be answered, if any.
  std::optional<report::ControlDrop> Admit(std::span<const uint8_t> request, const NetAddress& from, MonoTime now,
                                           const server::RestrictTable& restricts);
  ControlAction Answer(std::span<const uint8_t> request, const report::NodeSnapshot& view);
  Ignore Drop(report::ControlDrop reason) {
    ++stats_.dropped[static_cast<size_t>(reason)];
    return Ignore{reason};
  }

  ControlConfig config_;
  ControlLimiter limiter_;
  report::ControlStats stats_;
};

}  // namespace tempus::core::control

#endif  // TEMPUS_CORE_CONTROL_CONTROL_SERVER_H_
