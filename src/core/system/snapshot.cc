#include "core/system/snapshot.h"

#include "core/time/constants.h"

namespace tempus::core::system {

NtpDuration RootDispersionAt(const SystemSnapshot& system, NtpTimestamp now) {
  if (system.reference_time.IsZero()) return system.root_dispersion;
  const NtpDuration age = now - system.reference_time;
  if (age <= NtpDuration::Zero()) return system.root_dispersion;
  const NtpDuration grown = age.Scaled(kPhi);
  // Saturate: a wrapped sum would advertise a tiny dispersion for a huge one.
  if (system.root_dispersion > NtpDuration::Max() - grown) return NtpDuration::Max();
  return system.root_dispersion + grown;
}

}  // namespace tempus::core::system
