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
  const NtpDuration grown = age.Scaled(kPhi);
  // Saturate: a wrapped sum would advertise a tiny dispersion for a huge one.
  if (root_dispersion > NtpDuration::Max() - grown) return NtpDuration::Max();
  return root_dispersion + grown;
}

}  // namespace tempus::core::system
