// Leap table lookups and the civil-calendar arithmetic they need.
#include "core/time/leap_table.h"

#include <cstdio>

namespace tempus::core {
namespace {

constexpr int64_t kDay = 86400;

struct CivilDate {
  int64_t year = 0;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant's civil_from_days).
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Proleptic Gregorian date -> days since 1970-01-01 (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

int64_t NextMonthStart(int64_t ntp_seconds) {
  const int64_t unix_seconds = ntp_seconds - UnixTime::kNtpToUnixSeconds;
  const CivilDate d = CivilFromDays(FloorDiv(unix_seconds, kDay));
  const int64_t year = d.month == 12 ? d.year + 1 : d.year;
  const int month = d.month == 12 ? 1 : d.month + 1;
  return DaysFromCivil(year, month, 1) * kDay + UnixTime::kNtpToUnixSeconds;
}

bool InLastDayOfMonth(int64_t ntp_seconds) { return NextMonthStart(ntp_seconds) - ntp_seconds <= kDay; }

LeapStatus LeapStatusAt(const LeapTable& table, int64_t ntp_seconds) {
  LeapStatus s;
  s.expired = ntp_seconds >= table.expires;
  size_t next = 0;
  while (next < table.entries.size() && table.entries[next].ntp_seconds <= ntp_seconds) {
    s.tai_utc = table.entries[next].tai_utc;
    ++next;
  }
  if (next == table.entries.size()) return s;
  const LeapEntry& e = table.entries[next];
  // RFC 5905 §7.3: LI warns of a leap in the last minute of the current month. The first entry
  // only sets the starting offset (1972: 10 s), it is no leap.
  if (next == 0 || e.ntp_seconds != NextMonthStart(ntp_seconds) || e.tai_utc == s.tai_utc) return s;
  s.month_end = e.tai_utc > s.tai_utc ? Leap::kInsertSecond : Leap::kDeleteSecond;
  s.leap_at = e.ntp_seconds;
  s.announce = e.ntp_seconds - ntp_seconds <= kLeapAnnounceSeconds;
  return s;
}

std::string NtpDateMinute(int64_t ntp_seconds) {
  const int64_t unix_seconds = ntp_seconds - UnixTime::kNtpToUnixSeconds;
  const int64_t days = FloorDiv(unix_seconds, kDay);
  const int64_t in_day = unix_seconds - days * kDay;
  const CivilDate d = CivilFromDays(days);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld%02d%02d%02d%02d", static_cast<long long>(d.year), d.month, d.day,
                static_cast<int>(in_day / 3600), static_cast<int>(in_day % 3600 / 60));
  return buf;
}

}  // namespace tempus::core
