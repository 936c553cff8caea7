// Sample: one clock offset measurement of one source (RFC 5905 §8), the unit the clock filter
// (§10), selection (§11) and the discipline (§11.3) work on.
//
// A sample is plain data; it does not know its source. The association computes it from the four
// timestamps of an exchange and hands it to its filter. Value type; thread-compatible.
#ifndef TEMPUS_CORE_FILTER_SAMPLE_H_
#define TEMPUS_CORE_FILTER_SAMPLE_H_

#include "core/time/constants.h"
#include "core/time/mono_time.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::filter {

struct Sample {
  NtpDuration offset;      // θ = ((T2 - T1) + (T3 - T4)) / 2, RFC 5905 §8; positive: we are behind
  NtpDuration delay;       // δ = (T4 - T1) - (T3 - T2), the round-trip delay
  NtpDuration dispersion;  // ε = ρ_local + ρ_remote + PHI × (T4 - T1): the error bound at `when`
  MonoTime when;           // local monotonic time the sample was taken (T4)
};

}  // namespace tempus::core::filter

#endif  // TEMPUS_CORE_FILTER_SAMPLE_H_
