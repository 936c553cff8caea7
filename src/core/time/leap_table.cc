// Leap table lookups (the calendar arithmetic is core/time/civil_date).
#include "core/time/leap_table.h"

#include <cstdio>

#include "core/time/civil_date.h"

namespace tempus::core {
namespace {

constexpr int64_t kDay = 86400;

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
