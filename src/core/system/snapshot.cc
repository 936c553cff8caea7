#include "core/system/snapshot.h"

#include "core/time/constants.h"

namespace tempus::core::system {

NtpDuration RootDispersionAt(const SystemSnapshot& system, NtpTimestamp now) {
  return RootDispersionAt(system.root_dispersion, system.reference_time, now);
}

NtpDuration RootDispersionAt(NtpDuration root_dispersion, NtpTimestamp reference_time, NtpTimestamp now) {
  if (reference_time.IsZero()) return root_dispersion;
  const NtpDuration age = now - reference_time;
  if (age <= NtpDuration::Zero()) return root_dispersion;
  // age * PHI (15 ppm), rounded half up, in integers: this runs for every reply the server sends,
  // and age.Scaled(kPhi) (long double, llroundl) cost 70 instructions of the ~700 per request.
  // The same to the unit (2^-32 s) but for a tie beyond a week of age.
  static_assert(kPhi == 15e-6);
  const int64_t a = age.raw();
  const NtpDuration grown = NtpDuration::FromRaw(a / 1000000 * 15 + (a % 1000000 * 15 + 500000) / 1000000);
  // Saturate: a wrapped sum would advertise a tiny dispersion for a huge one.
  if (root_dispersion > NtpDuration::Max() - grown) return NtpDuration::Max();
  return root_dispersion + grown;
}

}  // namespace tempus::core::system
