// MonoTime: a reading of a monotonic clock (CLOCK_MONOTONIC at the edge, simulated time in the
// simulator), for timers and intervals. Never sent on the wire and never stepped. Its origin is
// arbitrary but fixed per process. Value type; thread-compatible.
#ifndef TEMPUS_CORE_TIME_MONO_TIME_H_
#define TEMPUS_CORE_TIME_MONO_TIME_H_

#include <compare>

#include "core/time/ntp_duration.h"

namespace tempus::core {

class MonoTime {
 public:
  constexpr MonoTime() = default;
  static constexpr MonoTime FromSinceOrigin(NtpDuration since_origin) { return MonoTime(since_origin); }
  static MonoTime FromNanos(int64_t nanos) { return MonoTime(NtpDuration::FromNanos(nanos)); }
  constexpr NtpDuration since_origin() const { return since_origin_; }

  friend constexpr MonoTime operator+(MonoTime t, NtpDuration d) { return MonoTime(t.since_origin_ + d); }
  friend constexpr MonoTime operator-(MonoTime t, NtpDuration d) { return MonoTime(t.since_origin_ - d); }
  friend constexpr NtpDuration operator-(MonoTime a, MonoTime b) { return a.since_origin_ - b.since_origin_; }
  MonoTime& operator+=(NtpDuration d) { return *this = *this + d; }
  friend constexpr auto operator<=>(MonoTime, MonoTime) = default;

 private:
  constexpr explicit MonoTime(NtpDuration d) : since_origin_(d) {}
  NtpDuration since_origin_;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_MONO_TIME_H_
