// RFC 5905 §7.2 global parameters that bound time errors, defined once for the core: the clock
// filter, selection, the server's root dispersion and the exchange's dispersion all use them.
#ifndef TEMPUS_CORE_TIME_CONSTANTS_H_
#define TEMPUS_CORE_TIME_CONSTANTS_H_

#include <cstdint>

#include "core/time/ntp_duration.h"

namespace tempus::core {

// PHI: the frequency tolerance of a clock (15 ppm) as a ratio; dispersion grows at this rate.
inline constexpr double kPhi = 15e-6;
// MAXDISP: the dispersion of an empty clock-filter stage and the ceiling of any (16 s).
inline constexpr NtpDuration kMaxDispersion = NtpDuration::FromWholeSeconds(16);
// MAXDIST: a source whose root distance exceeds this is not selectable (1.5 s; test 7 of a reply).
inline constexpr NtpDuration kMaxDistance = NtpDuration::FromRaw((int64_t{3} << 32) / 2);

}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_CONSTANTS_H_
