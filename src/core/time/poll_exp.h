// PollExp: a poll interval as a power of two seconds (RFC 5905 §7.3 "poll", log2 s, signed 8 bits).
// Value type; thread-compatible.
#ifndef TEMPUS_CORE_TIME_POLL_EXP_H_
#define TEMPUS_CORE_TIME_POLL_EXP_H_

#include <algorithm>
#include <compare>
#include <cstdint>

#include "core/time/ntp_duration.h"

namespace tempus::core {

class PollExp {
 public:
  static constexpr int kMinPoll = 3;   // MINPOLL, 8 s: the lowest ntp.conf accepts for minpoll
  static constexpr int kMaxPoll = 17;  // MAXPOLL, 36.4 h
  static constexpr int kFloor = -6;    // the smallest exponent the core ever schedules (15.6 ms)

  constexpr PollExp() = default;
  constexpr explicit PollExp(int log2_seconds) : value_(static_cast<int8_t>(std::clamp(log2_seconds, -128, 127))) {}
  constexpr int log2() const { return value_; }
  // 2^log2 seconds; exponents below kFloor are treated as kFloor, above 30 as 30.
  constexpr NtpDuration Interval() const {
    const int e = std::clamp<int>(value_, kFloor, 30);
    return NtpDuration::FromRaw(e >= 0 ? (NtpDuration::kUnitsPerSecond << e) : (NtpDuration::kUnitsPerSecond >> -e));
  }
  constexpr PollExp Clamped(PollExp lo, PollExp hi) const { return PollExp(std::clamp(log2(), lo.log2(), hi.log2())); }
  friend constexpr auto operator<=>(PollExp, PollExp) = default;

 private:
  int8_t value_ = 6;  // 64 s, NTP's default minpoll
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_POLL_EXP_H_
