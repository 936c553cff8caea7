// Scenario: a simulated cluster as plain data, and the reader of scenario files (docs/sim.md).
//
// A scenario file is INI-like text: [sim] (duration, seed, sampling, stats window), [node NAME]
// and [nodes NAME A..B] (clock knobs as `key = value`, every other line is ntp.conf syntax),
// [link A B] (delay, jitter, asymmetry, loss), [partition] (who is cut off and when) and
// [limits] / [limits TARGET] (the numbers a test requires). Every error names FILE:LINE and
// what was expected; all errors are reported in one pass. Pure; thread-compatible.
#ifndef TEMPUS_SIM_SCENARIO_H_
#define TEMPUS_SIM_SCENARIO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/net/net_address.h"
#include "sim/node_config.h"

namespace tempus::sim {

// A value fixed for every node (lo == hi) or drawn uniformly per node from [lo, hi].
struct Range {
  double lo = 0.0;
  double hi = 0.0;
};

struct NodeSpec {
  std::string name;
  std::string group;  // [nodes GROUP A..B]: the group; else empty
  int line = 0;
  core::NetAddress address;  // port 123
  bool perfect = false;      // clock = perfect (a reference)
  Range offset_s, freq_ppm, wander_ppb;
  std::vector<std::pair<double, double>> steps;  // (at s, by s)
  std::optional<double> dies_at_s;
  std::optional<double> kill_peer_at_s;  // then this node's system peer dies
  double start_at_s = 0.0;
  std::optional<bool> stats;  // in the summary; default: unless perfect
  std::vector<ConfigLine> config;
};

struct LinkSpec {
  std::string a, b;  // node, group or "*"
  int line = 0;
  double delay_s = 0.0;      // base one-way delay
  double jitter_s = 0.0;     // mean of the exponential extra delay
  double asymmetry_s = 0.0;  // a->b base is delay + asymmetry/2, b->a delay - asymmetry/2
  double loss = 0.0;         // probability a datagram is lost
};

struct PartitionSpec {
  std::string a, b;  // b empty: a is cut off from everyone
  int line = 0;
  double from_s = 0.0, to_s = 0.0;
};

struct LimitSpec {
  std::string target;  // node or group; empty: every node in the summary
  int line = 0;
  std::optional<double> rms_s, max_s, converge_1ms_s, converge_100us_s, pairwise_s, reselect_polls;
  std::optional<double> orphan_split_s;     // two or more orphan parents at once for at most this long
  std::vector<std::string> never_selected;  // these nodes are never a system peer
  std::optional<int> orphan_parents;        // at most this many orphan parents at once (cluster-wide)
  std::optional<int> steps;                 // at most this many clock steps per node over the run
  std::optional<double> max_freq_ppm;       // |frequency correction| at most this over the run
  std::optional<double> synced_s;           // serves as synchronized (stratum < 16) by this time
  std::optional<double> recover_1ms_s;      // back below 1 ms this long after the node's last `step`
};

struct Scenario {
  std::string file;
  double duration_s = 3600;
  uint64_t seed = 1;
  double sample_interval_s = 1;
  double stats_from_s = 0;
  std::optional<double> stats_to_s;  // default: the end
  std::vector<NodeSpec> nodes;
  std::map<std::string, std::vector<size_t>> groups;  // group name -> node indices
  std::vector<LinkSpec> links;                        // later rules win
  std::vector<PartitionSpec> partitions;
  std::vector<LimitSpec> limits;

  // Node indices for a node name, a group name or "*"; nothing if unknown.
  std::optional<std::vector<size_t>> Resolve(std::string_view name) const;
};

// Bounds that keep a run finite in time and memory whatever a file or the command line says
// (a hostile `[nodes n 1..1000000000]` or `duration = 1e300` is an error, not a hang).
inline constexpr double kMaxDurationS = 1e8;       // simulated seconds (3.2 years)
inline constexpr size_t kMaxNodes = 10000;         // in all sections together
inline constexpr double kMaxNodeSeconds = 1e9;     // nodes x duration: the work of a run
inline constexpr double kMaxSamples = 1e8;         // duration / sample_interval
inline constexpr size_t kMaxSections = 1000;       // of each of [link], [partition], [limits]
inline constexpr size_t kMaxNodeLines = 1000000;   // lines of [node] sections, once per node they apply to
inline constexpr size_t kMaxScenarioErrors = 100;  // reported; the rest are counted
inline constexpr double kMaxOffsetS = 1e9;         // a node's offset and steps, as `clock virtual offset`
inline constexpr double kMaxFreqPpm = 1e5;         // as `clock virtual freq`
inline constexpr double kMaxWanderPpb = 1e6;
inline constexpr double kMaxLinkDelayS = 100;  // delay, jitter and |asymmetry| of a link

// Parses `text` (the contents of `file`).
[[nodiscard]] Result<Scenario, std::vector<std::string>> ParseScenario(std::string_view text, std::string file);

// What is wrong with the run's length and sampling (duration, sample_interval, stats window, the
// work bounds above), one message each; ParseScenario checks it, and `tempus sim` again after its
// --duration and --stats-from overrides.
std::vector<std::string> CheckRun(const Scenario& scenario);

// Parses "10ms", "100us", "2.5" (seconds), "1e-4s"; nothing if malformed.
std::optional<double> ParseSeconds(std::string_view text);

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_SCENARIO_H_
