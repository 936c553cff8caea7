// What an Association asks its host to do: the outputs of OnTimer, OnPacket and SetSystemPoll.
//
// A call returns an AssocActions, a small fixed-capacity list (no allocation per packet) that the
// host carries out in order: send these bytes to the association's address, re-arm the one timer
// of the association, hand a measurement to the clock filter, log a reachability change, drop the
// association. Value types; thread-compatible.
#ifndef TEMPUS_CORE_ASSOC_ACTIONS_H_
#define TEMPUS_CORE_ASSOC_ACTIONS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "base/check.h"
#include "core/filter/sample.h"
#include "core/time/mono_time.h"
#include "core/time/poll_exp.h"
#include "core/wire/exchange.h"
#include "core/wire/packet.h"

namespace tempus::core::assoc {

// Send `bytes` (a 48-byte request, or a symmetric mode 1/2 packet) to the association's address. `cookie` is its
// transmit timestamp; the host may report the real send time with Association::RefineTransmitTime.
struct SendRequest {
  std::array<uint8_t, kHeaderSize> bytes{};
  NtpTimestamp cookie;
};

// (Re-)arm the association's only timer: call OnTimer at `deadline`. Replaces any earlier one.
struct SetTimer {
  MonoTime deadline;
};

// A reply passed every test: feed the clock filter (RFC 5905 §10). `received` is when (OnPacket's
// `now`).
struct NewMeasurement {
  Measurement measurement;
  MonoTime received;

  // The measurement as the clock filter takes it.
  filter::Sample ToSample() const {
    return filter::Sample{measurement.offset, measurement.delay, measurement.dispersion, received};
  }
};

// The reach register went from zero to non-zero (RFC 5905 §13).
struct BecameReachable {};

// The reach register went to zero: eight polls without a reply.
struct BecameUnreachable {};

// Stop: the server sent kiss-o'-death DENY or RSTR (RFC 5905 §7.4), `reason` says which; or,
// with reason kNone, an ephemeral (passive) association lost its peer and should be removed. The
// association ignores all further input.
struct Demobilize {
  KissCode reason = KissCode::kDeny;
};

// The poll exponent hpoll changed (for logs, ntpq and the system's poll bookkeeping).
struct PollChanged {
  PollExp old_poll;
  PollExp new_poll;
};

using AssocAction =
    std::variant<SendRequest, SetTimer, NewMeasurement, BecameReachable, BecameUnreachable, Demobilize, PollChanged>;

// A fixed-capacity list of actions; no call ever produces more than kCapacity.
class AssocActions {
 public:
  static constexpr size_t kCapacity = 8;

  // REQUIRES: size() < kCapacity (a bug otherwise).
  void Push(AssocAction action) {
    TEMPUS_CHECK(size_ < kCapacity);
    items_[size_++] = action;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const AssocAction& operator[](size_t i) const {
    TEMPUS_CHECK(i < size_);
    return items_[i];
  }
  const AssocAction* begin() const { return items_.data(); }
  const AssocAction* end() const { return items_.data() + size_; }

 private:
  std::array<AssocAction, kCapacity> items_{};
  size_t size_ = 0;
};

}  // namespace tempus::core::assoc

#endif  // TEMPUS_CORE_ASSOC_ACTIONS_H_
