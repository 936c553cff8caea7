#include "core/time/unix_time.h"

#include <cstdio>

#include "base/check.h"
#include "core/time/civil_date.h"
#include "core/time/int128.h"

namespace tempus::core {
namespace {

// 2^-32 s units since the Unix epoch, in 128 bits: the common ground of both representations.
Int128 TotalUnits(UnixTime t) { return (static_cast<Int128>(t.seconds()) << 32) + t.fraction(); }

UnixTime FromTotalUnits(Int128 units) {
  // Arithmetic shift floors, so the fraction is always the non-negative remainder.
  const Int128 seconds = units >> 32;
  const auto fraction = static_cast<uint32_t>(static_cast<UInt128>(units) & 0xffffffffu);
  return UnixTime::FromParts(static_cast<int64_t>(seconds), fraction);
}

}  // namespace

UnixTime UnixTime::FromTimespec(int64_t seconds, int64_t nanos) {
  TEMPUS_CHECK(nanos >= 0 && nanos < 1000000000);
  // The fraction is round(nanos * 2^32 / 1e9), half up, as NtpDuration::FromNanos rounds. This
  // runs for every receive stamp and clock reading: nanos * 2^32 + 5e8 < 2^62, and a 64-bit
  // division by the constant 1e9 compiles to a multiplication and shifts (no 128-bit arithmetic,
  // no call). It is at most 2^32 - 4 (nanos = 999999999), so it never carries into the seconds.
  const uint64_t fraction = ((static_cast<uint64_t>(nanos) << 32) + 500000000) / 1000000000;
  return UnixTime(seconds, static_cast<uint32_t>(fraction));
}

int64_t UnixTime::SubsecondNanos() const {
  return static_cast<int64_t>((static_cast<uint64_t>(fraction_) * 1000000000u) >> 32);
}

double UnixTime::ToDouble() const {
  return static_cast<double>(seconds_) + static_cast<double>(fraction_) / 4294967296.0;
}

NtpTimestamp UnixTime::ToNtp() const {
  const auto ntp_seconds = static_cast<uint64_t>(seconds_ + kNtpToUnixSeconds);  // mod 2^32 below
  return NtpTimestamp::FromParts(static_cast<uint32_t>(ntp_seconds), fraction_);
}

UnixTime UnixTime::FromNtp(NtpTimestamp ts, UnixTime reference) {
  // The wrapping difference to the reference's own wire timestamp is the signed distance to the
  // nearest instant with this wire value (RFC 5905 §6: era arithmetic in 64-bit two's complement).
  return reference + (ts - reference.ToNtp());
}

int64_t UnixTime::NtpEra() const {
  const Int128 ntp_seconds = static_cast<Int128>(seconds_) + kNtpToUnixSeconds;
  return static_cast<int64_t>(ntp_seconds >> 32);
}

std::string UnixTime::ToIso8601() const {
  const int64_t days = FloorDiv(seconds_, 86400);
  const int64_t secs_of_day = seconds_ - days * 86400;
  const CivilDate d = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(d.year),
                d.month, d.day, static_cast<long long>(secs_of_day / 3600),
                static_cast<long long>(secs_of_day / 60 % 60), static_cast<long long>(secs_of_day % 60),
                static_cast<long long>(SubsecondNanos() / 1000));
  return buf;
}

// Both in 64 bits when the seconds allow (every receive stamp and reply goes through them), else
// in 128; the same result either way.
UnixTime operator+(UnixTime t, NtpDuration d) {
  // Arithmetic shift floors, so the low word is the non-negative fraction to add.
  const uint64_t fraction = uint64_t{t.fraction()} + (static_cast<uint64_t>(d.raw()) & 0xffffffffu);
  int64_t seconds;
  if (!__builtin_add_overflow(t.seconds(), (d.raw() >> 32) + static_cast<int64_t>(fraction >> 32), &seconds)) {
    return UnixTime::FromParts(seconds, static_cast<uint32_t>(fraction));
  }
  return FromTotalUnits(TotalUnits(t) + d.raw());
}

NtpDuration operator-(UnixTime a, UnixTime b) {
  // Seconds less than 2^31 - 1 apart: the difference in units fits in 64 bits, without saturating.
  int64_t seconds;
  if (!__builtin_sub_overflow(a.seconds(), b.seconds(), &seconds) && seconds < (int64_t{1} << 31) - 1 &&
      seconds > -(int64_t{1} << 31) + 1) {
    return NtpDuration::FromRaw(seconds * NtpDuration::kUnitsPerSecond + int64_t{a.fraction()} - int64_t{b.fraction()});
  }
  const Int128 diff = TotalUnits(a) - TotalUnits(b);
  if (diff > INT64_MAX) return NtpDuration::Max();
  if (diff < INT64_MIN) return NtpDuration::Min();
  return NtpDuration::FromRaw(static_cast<int64_t>(diff));
}

}  // namespace tempus::core
