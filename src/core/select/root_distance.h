// RootDistance: the synchronization distance λ of a source (RFC 5905 §11.2, root_dist()).
//
// λ = (δ_root + δ) / 2 + ε_root + ε + PHI × (now − t) + ψ: half the round trip to the primary
// reference plus all dispersion accumulated on the way, grown since the peer variables were last
// updated, plus the peer jitter. It is the half-width of the source's correctness interval
// [θ − λ, θ + λ] used by the intersection algorithm and the inverse weight used by combining.
// Pure function; thread-safe.
#ifndef TEMPUS_CORE_SELECT_ROOT_DISTANCE_H_
#define TEMPUS_CORE_SELECT_ROOT_DISTANCE_H_

#include <algorithm>

#include "core/filter/sample.h"
#include "core/time/constants.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::select {

// MINDISP / `tos mindist`: the smallest distance a source is credited with (ntpd's default 1 ms).
inline constexpr NtpDuration kDefaultMinDistance = NtpDuration::FromRaw(NtpDuration::kUnitsPerSecond / 1000);

// The inputs of λ: the peer variables from the clock filter plus the source's root values from
// its packets (RFC 5905 §7.3 "rootdelay", "rootdisp").
struct DistanceInputs {
  NtpDuration delay;            // δ, from the filter
  NtpDuration dispersion;       // ε, from the filter
  NtpDuration jitter;           // ψ, from the filter
  MonoTime updated;             // t: when the filter last produced these values
  NtpDuration root_delay;       // δ_root of the source
  NtpDuration root_dispersion;  // ε_root of the source
};

// λ at `now`; at least `min_distance`. Negative inputs (never valid) count as zero.
inline NtpDuration RootDistance(const DistanceInputs& in, MonoTime now,
                                NtpDuration min_distance = kDefaultMinDistance) {
  const auto nonneg = [](NtpDuration d) { return std::max(d, NtpDuration::Zero()); };
  const NtpDuration age = nonneg(now - in.updated);
  const NtpDuration lambda = (nonneg(in.root_delay) + nonneg(in.delay)).Half() + nonneg(in.root_dispersion) +
                             nonneg(in.dispersion) + age.Scaled(kPhi) + nonneg(in.jitter);
  return std::max(lambda, min_distance);
}

}  // namespace tempus::core::select

#endif  // TEMPUS_CORE_SELECT_ROOT_DISTANCE_H_
