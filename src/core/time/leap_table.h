// LeapTable: the leap seconds of a NIST/IERS leap-seconds.list (ntp.conf(5) `leapfile`) as a
// value, and the pure answers a node needs from it at a given time: TAI-UTC in effect, the leap at
// the end of the current UTC month, whether to announce it now, and whether the table expired.
//
// Announcement (the wire LI of RFC 5905 §7.3 and the kernel's STA_INS/STA_DEL): during the last
// day (86400 s) before the leap, as ntpd 4.2.8 and NTPsec do (ntp_leapsec.c LSPROX_ANNOUNCE; the
// month before it is only "scheduled"), and as chrony does. Earlier would be wrong for the Linux
// kernel, which inserts the leap at the end of the UTC day on which STA_INS is set.
//
// Times are NTP seconds since 1900-01-01 (era 0 extended past 2036: never wrapped), the unit the
// file uses. Value types and pure functions; thread-compatible.
#ifndef TEMPUS_CORE_TIME_LEAP_TABLE_H_
#define TEMPUS_CORE_TIME_LEAP_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time/leap.h"
#include "core/time/unix_time.h"

namespace tempus::core {

// One line of the table: from `ntp_seconds` on, TAI-UTC is `tai_utc` seconds.
struct LeapEntry {
  int64_t ntp_seconds = 0;
  int tai_utc = 0;
  friend bool operator==(const LeapEntry&, const LeapEntry&) = default;
};

struct LeapTable {
  std::vector<LeapEntry> entries;  // strictly ascending times
  int64_t updated = 0;             // `#$`: when the file was last updated, NTP seconds
  int64_t expires = 0;             // `#@`: when the file expires, NTP seconds
};

// What the table says at one instant.
struct LeapStatus {
  int tai_utc = 0;                    // in effect now (0 before the first entry)
  Leap month_end = Leap::kNoWarning;  // the leap at the end of the current UTC month, if any
  std::optional<int64_t> leap_at;     // when that leap happens (the next month's first second)
  bool announce = false;              // within the last day before it: set LI and the kernel bits
  bool expired = false;               // now >= the table's expiry
};

// The seconds of the announcement window before a leap (one day).
inline constexpr int64_t kLeapAnnounceSeconds = 86400;

// NTP seconds (since 1900, not wrapped) of a Unix instant, rounded down.
constexpr int64_t NtpSecondsOf(UnixTime t) { return t.seconds() + UnixTime::kNtpToUnixSeconds; }

// The first second (NTP seconds) of the UTC month after the one containing `ntp_seconds`.
int64_t NextMonthStart(int64_t ntp_seconds);

// Whether `ntp_seconds` lies in the last UTC day of its month.
bool InLastDayOfMonth(int64_t ntp_seconds);

// The table's answers at `ntp_seconds`.
LeapStatus LeapStatusAt(const LeapTable& table, int64_t ntp_seconds);

// The UTC date and minute of `ntp_seconds` as ntpd's mode 6 writes leapsec= and expire=
// (ctl_putfs: "YYYYMMDDhhmm", e.g. "201701010000").
std::string NtpDateMinute(int64_t ntp_seconds);

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_LEAP_TABLE_H_
