// Intersection: the Marzullo-style interval intersection of RFC 5905 §11.2.1 (clock_select()).
//
// Each candidate's correctness interval [θ − λ, θ + λ] contains the true time if the candidate is
// a truechimer. Starting with no falsetickers allowed, find the smallest interval [low, high] that
// lies in at least n − f of the n correctness intervals; increase f until such an interval exists
// or f reaches n/2 (then there is no majority and nothing may be selected). This is the form ntpd
// 4.2.8 uses: the midpoint counting of the RFC's pseudocode is dropped, and a candidate whose
// correctness interval overlaps [low, high] counts as a truechimer, so that a source with a wide
// but consistent interval is not called a falseticker. Pure function; thread-safe.
#ifndef TEMPUS_CORE_SELECT_INTERSECTION_H_
#define TEMPUS_CORE_SELECT_INTERSECTION_H_

#include <optional>
#include <span>

#include "core/time/int128.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::select {

// A correctness interval [offset − distance, offset + distance].
struct Correctness {
  NtpDuration offset;    // θ
  NtpDuration distance;  // λ, REQUIRES: > 0
};

// The intersection interval and how many falsetickers it had to allow.
struct Intersection {
  NtpDuration low;
  NtpDuration high;
  int falsetickers_allowed = 0;
};

// The intersection of a majority (more than half) of `intervals`, or nullopt if there is none
// (including for an empty span).
std::optional<Intersection> Intersect(std::span<const Correctness> intervals);

// Whether `c` overlaps `x`: the test that makes a candidate a truechimer. REQUIRES: distance ≥ 0.
inline bool Overlaps(const Correctness& c, const Intersection& x) {
  // In 128 bits, so that offsets near ±68 years cannot wrap.
  const Int128 lo = static_cast<Int128>(c.offset.raw()) - c.distance.raw();
  const Int128 hi = static_cast<Int128>(c.offset.raw()) + c.distance.raw();
  return hi >= x.low.raw() && lo <= x.high.raw();
}

}  // namespace tempus::core::select

#endif  // TEMPUS_CORE_SELECT_INTERSECTION_H_
