// UnixTime: an absolute instant as seconds since 1970-01-01T00:00:00Z plus a 2^-32 s fraction.
//
// The bridge between NTP's era-less wire timestamps and absolute time (RFC 5905 §6). FromNtp picks
// the era whose instant lies nearest a reference instant (normally the local clock), so a
// timestamp just past 2036-02-07T06:28:16Z (era 1, seconds field wrapped to 0) maps correctly when
// the clock says 2036, and no pivot on a build date is needed. Value type; thread-compatible.
#ifndef TEMPUS_CORE_TIME_UNIX_TIME_H_
#define TEMPUS_CORE_TIME_UNIX_TIME_H_

#include <compare>
#include <cstdint>
#include <string>

#include "core/time/ntp_duration.h"
#include "core/time/ntp_timestamp.h"

namespace tempus::core {

class UnixTime {
 public:
  // Seconds from the NTP prime epoch (1900-01-01) to the Unix epoch (1970-01-01).
  static constexpr int64_t kNtpToUnixSeconds = 2208988800;

  constexpr UnixTime() = default;
  // REQUIRES: 0 <= nanos < 1e9.
  static UnixTime FromTimespec(int64_t seconds, int64_t nanos);
  static constexpr UnixTime FromParts(int64_t seconds, uint32_t fraction) { return UnixTime(seconds, fraction); }

  constexpr int64_t seconds() const { return seconds_; }
  constexpr uint32_t fraction() const { return fraction_; }
  // The sub-second part in nanoseconds, rounded down (0..999999999).
  int64_t SubsecondNanos() const;
  // Seconds since the Unix epoch as a double (microsecond precision today): for display and ratios.
  double ToDouble() const;

  // The NTP wire timestamp of this instant (its era is dropped, RFC 5905 §6).
  NtpTimestamp ToNtp() const;
  // The instant whose wire timestamp is `ts`, in the era that puts it nearest `reference`.
  static UnixTime FromNtp(NtpTimestamp ts, UnixTime reference);
  // The NTP era number of this instant (0 until 2036-02-07T06:28:16Z, negative before 1900).
  int64_t NtpEra() const;

  // RFC 3339 with microseconds, UTC: "2026-11-29T04:54:52.510123Z".
  std::string ToIso8601() const;

  friend UnixTime operator+(UnixTime t, NtpDuration d);
  friend UnixTime operator-(UnixTime t, NtpDuration d) { return t + (-d); }
  // a - b; saturates beyond ±68 years.
  friend NtpDuration operator-(UnixTime a, UnixTime b);
  friend constexpr auto operator<=>(UnixTime, UnixTime) = default;

 private:
  constexpr UnixTime(int64_t seconds, uint32_t fraction) : seconds_(seconds), fraction_(fraction) {}
  int64_t seconds_ = 0;
  uint32_t fraction_ = 0;
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_UNIX_TIME_H_
