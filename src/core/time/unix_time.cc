#include "core/time/unix_time.h"

#include <cstdio>

#include "core/check.h"
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

// Days since 1970-01-01 to a proleptic Gregorian civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2);
}

}  // namespace

UnixTime UnixTime::FromTimespec(int64_t seconds, int64_t nanos) {
  TEMPUS_CHECK(nanos >= 0 && nanos < 1000000000);
  const NtpDuration sub = NtpDuration::FromNanos(nanos);
  return FromTotalUnits((static_cast<Int128>(seconds) << 32) + sub.raw());
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
  const int64_t days = seconds_ >= 0 ? seconds_ / 86400 : (seconds_ - 86399) / 86400;
  const int64_t secs_of_day = seconds_ - days * 86400;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(year), month,
                day, static_cast<long long>(secs_of_day / 3600), static_cast<long long>(secs_of_day / 60 % 60),
                static_cast<long long>(secs_of_day % 60), static_cast<long long>(SubsecondNanos() / 1000));
  return buf;
}

UnixTime operator+(UnixTime t, NtpDuration d) { return FromTotalUnits(TotalUnits(t) + d.raw()); }

NtpDuration operator-(UnixTime a, UnixTime b) {
  const Int128 diff = TotalUnits(a) - TotalUnits(b);
  if (diff > INT64_MAX) return NtpDuration::Max();
  if (diff < INT64_MIN) return NtpDuration::Min();
  return NtpDuration::FromRaw(static_cast<int64_t>(diff));
}

}  // namespace tempus::core
