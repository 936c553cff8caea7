#include "drift_keeper.h"

#include <fmt/format.h>

#include "log.h"

namespace tempus::daemon {
namespace {

std::string Describe(const config::DriftEstimate& e) {
  if (e.error_ppm) return fmt::format("{:+.3f} ppm ±{:.3f}", e.freq_ppm, *e.error_ppm);
  return fmt::format("{:+.3f} ppm (no error stated: counted as ±{:.3f})", e.freq_ppm, config::kUnstatedErrorPpm);
}

}  // namespace

DriftKeeper::DriftKeeper(std::string path, std::string_view clock_kind, std::optional<config::DriftEstimate> stored)
    : path_(std::move(path)), observe_(clock_kind == "observe"), stored_(stored) {}

void DriftKeeper::Start(core::discipline::DisciplineConfig* discipline) {
  if (observe_) {
    if (!path_.empty()) {
      Log(
          fmt::format("driftfile {}: neither applied nor written with clock observe (the system clock is not "
                      "steered: its frequency is whatever another program set, and the correction observe "
                      "measures on top of it is no driftfile value)",
                      path_));
    }
    if (discipline->initial_frequency_ppm) {
      Log(
          fmt::format("tinker freq {:+.3f} ppm: not applied with clock observe (the correction starts from the "
                      "system clock as it runs)",
                      *discipline->initial_frequency_ppm));
      discipline->initial_frequency_ppm.reset();
    }
    return;
  }
  if (path_.empty()) return;
  if (auto removed = config::RemoveStaleDriftTemporaries(path_); !removed) {
    Log("driftfile: " + removed.error().ToString());
  } else if (*removed > 0) {
    Log(fmt::format("driftfile {}: removed {} temporary file(s) left by an interrupted write", path_, *removed));
  }
  // tinker freq, when given, overrides the driftfile (as in ntpd).
  if (stored_ && !discipline->initial_frequency_ppm) discipline->initial_frequency_ppm = stored_->freq_ppm;
}

void DriftKeeper::Save(const core::discipline::DisciplineState& state, bool at_exit) {
  if (observe_ || path_.empty()) return;
  if (!state.synchronized || !state.frequency_known) {
    if (at_exit) Log(fmt::format("driftfile {}: unchanged (this run did not measure the frequency)", path_));
    return;
  }
  const config::DriftEstimate measured{state.frequency_ppm, state.frequency_bound_ppm};
  if (!config::ShouldReplaceDrift(measured.freq_ppm, state.frequency_bound_ppm, stored_)) {
    if (at_exit && stored_) {
      Log(fmt::format("driftfile {}: kept {}; this run's {} is not better", path_, Describe(*stored_),
                      Describe(measured)));
    } else if (at_exit) {
      Log(fmt::format("driftfile {}: unchanged; this run's {} is no measurement (at the limit or unbounded)", path_,
                      Describe(measured)));
    }
    return;
  }
  if (auto w = config::WriteDriftFile(path_, measured.freq_ppm, state.frequency_bound_ppm); !w) {
    Log("driftfile: " + w.error().ToString());
    return;
  }
  Log(fmt::format("driftfile {}: wrote {}", path_, Describe(measured)));
  stored_ = measured;
}

}  // namespace tempus::daemon
