// Source selection, clustering and combining: RFC 5905 §11.2 (clock_select(), clock_cluster(),
// clock_combine()) and the system peer choice, as one pure function of the candidate sources.
//
//   candidates ──sanity──> intersection (§11.2.1) ──maxclock──> clustering (§11.2.2)
//              ' ' reject   'x' falseticker           '.' excess    '-' outlier
//   ──> survivors '+' ──> combine (§11.2.3) by 1/λ; first `max_combine`; the rest '#' backup
//   ──> system peer '*' ('o' for a PPS source), chosen with hysteresis or by `prefer`.
//
// Rules beyond the RFC text, as in ntpd 4.2.8: a `true` source is never a falseticker or an
// outlier; a `prefer` source is never clustered out and, if it survives, is the system peer whose
// own offset is used; `noselect` sources are shown but never used; fewer than `tos minsane`
// truechimers means no system peer. Hysteresis: the current system peer stays while it survives
// and no survivor is clearly better (a lower stratum, or a distance λ with
// switch_ratio × λ_best + reselect_distance < λ_current), so that the peer does not hop between
// equals. Pure; no state (the caller passes the current system peer); thread-safe.
#ifndef TEMPUS_CORE_SELECT_SELECT_H_
#define TEMPUS_CORE_SELECT_SELECT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/select/intersection.h"
#include "core/time/constants.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::select {

// One source as selection sees it.
struct Candidate {
  uint32_t id = 0;            // the caller's handle (association id)
  NtpDuration offset;         // θ from the clock filter
  NtpDuration root_distance;  // λ, see root_distance.h
  // λ without the dispersion that grows with the age of samples (ε and PHI × age): what the
  // system peer hysteresis compares, so that sources polled at different moments (whose λ
  // saw-tooth out of phase by several times) do not trade places at every poll. Zero: use λ.
  NtpDuration quality;
  NtpDuration jitter;      // ψ from the clock filter
  int stratum = 16;        // the source's stratum (ours would be stratum + 1)
  bool reachable = false;  // reach register non-zero and the filter has produced values
  bool prefer = false;     // `prefer`
  bool noselect = false;   // `noselect`: polled and shown, never selected
  bool trusted = false;    // `true`: always survives intersection and clustering
  bool pps = false;        // a PPS source: shown as 'o' when it is the system peer
};

// The `tos` knobs (ntp.conf) that selection obeys.
struct SelectConfig {
  int min_sane = 1;                         // `tos minsane`: truechimers needed to select at all
  int min_clock = 3;                        // `tos minclock`: clustering keeps at least this many survivors
  int max_clock = 10;                       // `tos maxclock`: truechimers beyond this many (by distance) are excess
  int max_combine = 6;                      // survivors beyond this many (by distance) are backups, not combined
  NtpDuration max_distance = kMaxDistance;  // `tos maxdist`
  NtpDuration min_distance = NtpDuration::FromRaw(NtpDuration::kUnitsPerSecond / 1000);  // `tos mindist`
  // Survivors combined with the peer: at most its stratum and λ ≤ combine_limit × λ_peer
  // (chrony's combinelimit); the others are backups ('#').
  double combine_limit = 3.0;
  double switch_ratio = 1.5;  // hysteresis: how much smaller λ must be to replace the peer
  NtpDuration reselect_distance = NtpDuration::FromRaw(429497);  // 100 µs, like chrony's reselectdist
};

// The tally code ntpq shows in front of a source (RFC 5905 Figure 20 / ntpq "peers").
enum class Tally : char {
  kReject = ' ',       // unreachable, noselect, stratum 16 or distance beyond maxdist
  kFalseticker = 'x',  // outside the intersection interval
  kExcess = '.',       // a truechimer beyond maxclock
  kOutlier = '-',      // discarded by clustering
  kCandidate = '+',    // survivor, combined
  kBackup = '#',       // survivor beyond max_combine
  kSystemPeer = '*',
  kPpsPeer = 'o',
};

// The verdict on one candidate, in the order of the input.
struct Verdict {
  uint32_t id = 0;
  Tally tally = Tally::kReject;
};

struct SelectResult {
  std::vector<Verdict> verdicts;             // one per candidate, same order
  std::optional<Intersection> intersection;  // §11.2.1, over the sane candidates
  int truechimers = 0;
  int survivors = 0;                    // after clustering
  std::optional<uint32_t> system_peer;  // none: do not discipline the clock
  NtpDuration offset;                   // Θ, combined system offset (§11.2.3)
  NtpDuration jitter;                   // ϑ, system jitter: √(ψ_peer² + φ_selection²)
  NtpDuration selection_jitter;         // φ of the combined survivors around the system peer
};

// Runs selection over the candidates `cands`. `current_peer` is the present system peer, if any
// (for hysteresis). REQUIRES: candidate ids are distinct.
[[nodiscard]] SelectResult Select(std::span<const Candidate> cands, const SelectConfig& config,
                                  std::optional<uint32_t> current_peer);

}  // namespace tempus::core::select

#endif  // TEMPUS_CORE_SELECT_SELECT_H_
