// CheckRun: the bounds on a run's length and work (sim/scenario.h), for the file and for the
// command line's overrides alike.
#include <fmt/format.h>

#include "sim/scenario.h"

namespace tempus::sim {

std::vector<std::string> CheckRun(const Scenario& sc) {
  std::vector<std::string> out;
  const auto error = [&](std::string message) { out.push_back(fmt::format("{}: {}", sc.file, message)); };
  if (!(sc.duration_s > 0 && sc.duration_s <= kMaxDurationS)) {
    error(fmt::format("expected a duration > 0 and at most {} s, got {}", kMaxDurationS, sc.duration_s));
    return out;
  }
  if (!(sc.sample_interval_s > 0)) {
    error(fmt::format("expected a sample_interval > 0, got {}", sc.sample_interval_s));
  } else if (sc.duration_s / sc.sample_interval_s > kMaxSamples) {
    error(fmt::format("expected at most {} samples (duration / sample_interval), got {} s / {} s", kMaxSamples,
                      sc.duration_s, sc.sample_interval_s));
  }
  if (static_cast<double>(sc.nodes.size()) * sc.duration_s > kMaxNodeSeconds) {
    error(fmt::format("expected at most {} node-seconds (nodes x duration), got {} nodes x {} s", kMaxNodeSeconds,
                      sc.nodes.size(), sc.duration_s));
  }
  if (!(sc.stats_from_s >= 0 && sc.stats_from_s < sc.duration_s)) {
    error(fmt::format("expected stats_from ({} s) before the end of the run ({} s): the stats window would be empty",
                      sc.stats_from_s, sc.duration_s));
  } else if (sc.stats_to_s && !(*sc.stats_to_s > sc.stats_from_s)) {
    error(fmt::format("expected stats_to ({} s) after stats_from ({} s): the stats window would be empty",
                      *sc.stats_to_s, sc.stats_from_s));
  }
  return out;
}

}  // namespace tempus::sim
