// ClockCommand: what the core asks a clock to do. The core never touches a clock; the engine
// hands each command to its engine::Clock (system, observe, virtual or simulated).
//
// Sign convention (as chrony's): a positive offset moves the clock forward. Value types.
#ifndef TEMPUS_CORE_DISCIPLINE_CLOCK_COMMAND_H_
#define TEMPUS_CORE_DISCIPLINE_CLOCK_COMMAND_H_

#include <variant>

#include "core/time/leap.h"
#include "core/time/ntp_duration.h"

namespace tempus::core::discipline {

// Jump the clock by `offset` at once (ntpd's step, ntpdate -b). Cancels a slew in progress.
struct StepClock {
  NtpDuration offset{};
};

// Move the clock by `offset` gradually, at the clock's bounded slew rate (ntpdate -B, adjtime()).
// Replaces the unfinished part of an earlier slew, as adjtime() does. `tempus sync -B` uses it;
// the discipline corrects through SetFrequency's slew_ppm instead (a bounded rate error).
struct SlewClock {
  NtpDuration offset{};
};

// Set the clock's frequency correction, in parts per million; positive runs the clock faster.
// The clock runs at freq_ppm + slew_ppm: freq_ppm is the frequency estimate (what the driftfile
// keeps and FrequencyPpm() reports), slew_ppm a temporary offset by which the discipline removes
// a phase error gradually (as chrony does); the discipline takes it back with another
// SetFrequency when the phase is corrected. Replaces both parts set before.
struct SetFrequency {
  double freq_ppm = 0.0;
  double slew_ppm = 0.0;
};

// Tell the clock (and through it the kernel) the sync state, error bounds and pending leap.
struct SetSyncStatus {
  bool synchronized = false;
  Leap leap = Leap::kNoWarning;
  NtpDuration max_error{};  // root distance
  NtpDuration est_error{};  // system jitter
};

using ClockCommand = std::variant<StepClock, SlewClock, SetFrequency, SetSyncStatus>;

}  // namespace tempus::core::discipline

#endif  // TEMPUS_CORE_DISCIPLINE_CLOCK_COMMAND_H_
