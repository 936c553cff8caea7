// Report: what a simulation run measured, per node and for the cluster, and the scenario's limits
// checked against it. Offsets are the node clock minus true time. Plain data.
#ifndef TEMPUS_SIM_REPORT_H_
#define TEMPUS_SIM_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/sim_network.h"

namespace tempus::sim {

struct NodeReport {
  std::string name;
  bool in_stats = false;   // counted in the cluster summary (not a reference)
  bool alive = true;       // at the end of the run
  uint64_t samples = 0;    // in the stats window
  double rms_s = 0.0;      // RMS offset over the stats window
  double max_abs_s = 0.0;  // max |offset| over the stats window
  // Time from the start of the run until |offset| stayed below 1 ms / 100 µs to the end;
  // nothing if it never did.
  std::optional<double> converge_1ms_s, converge_100us_s;
  double final_offset_s = 0.0;
  double frequency_ppm = 0.0;  // the correction in effect at the end
  uint64_t packets_sent = 0;
  uint64_t steps = 0;
  // After its system peer died: the time until another source was selected (nothing: never),
  // counted from the death and from the first request the dead peer could not answer, and the
  // poll interval of the dead peer's association at its death.
  bool lost_peer = false;
  std::optional<double> reselect_s, reselect_after_miss_s;
  double reselect_poll_s = 0.0;
  std::vector<std::string> system_peers;  // every node that was ever its system peer
  double orphan_parent_s = 0.0;           // time it served as orphan parent in the stats window
  double max_freq_ppm = 0.0;              // largest |frequency correction| over the run (samples)
  std::optional<double> synced_s;         // first served as synchronized (stratum < 16); none: never
  // After the node's last scenario `step`: the time until |offset| stayed below 1 ms (none: no
  // step, or never).
  std::optional<double> recover_1ms_s;
};

struct Report {
  std::string file;
  uint64_t seed = 0;
  double duration_s = 0.0;
  double stats_from_s = 0.0, stats_to_s = 0.0;
  std::vector<NodeReport> nodes;
  // The cluster: over the nodes in the summary.
  double rms_s = 0.0;
  double max_abs_s = 0.0;
  double max_pairwise_s = 0.0;                             // max over the stats window of (max offset − min offset)
  std::optional<double> converge_1ms_s, converge_100us_s;  // the slowest node
  std::optional<double> synced_s;  // when the last node in the summary first served as synchronized
  // Orphan mode over the stats window: the most nodes serving as orphan parent (stratum `tos
  // orphan`, System::orphan_parent) at one sample, and how long two or more did (a split).
  int max_orphan_parents = 0;
  double orphan_split_s = 0.0;
  uint64_t packets_sent = 0;
  NetworkStats network;
  uint64_t events = 0;
};

// Checks the scenario's [limits] against `report`; returns one line per exceeded limit.
std::vector<std::string> CheckLimits(const Scenario& scenario, const Report& report);

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_REPORT_H_
