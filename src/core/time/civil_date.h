// Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (H. Hinnant's civil_from_days
// and days_from_civil), for the UTC dates the core prints and the month ends leap seconds use.
// Pure functions; thread-safe.
#ifndef TEMPUS_CORE_TIME_CIVIL_DATE_H_
#define TEMPUS_CORE_TIME_CIVIL_DATE_H_

#include <cstdint>

namespace tempus::core {

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 (negative before) to the civil date.
CivilDate CivilFromDays(int64_t days);

// The civil date to days since 1970-01-01. REQUIRES: 1 <= month <= 12.
int64_t DaysFromCivil(int64_t year, int month, int day);

// a / b rounded toward negative infinity (whole days of a negative second count). REQUIRES: b > 0.
constexpr int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_CIVIL_DATE_H_
