// Simulation: runs a Scenario with the real engine::Node on every simulated host, over SimClocks
// and a SimNetwork, driven by one EventQueue; same scenario and seed, same run, bit for bit.
//
// The loop pops the earliest event (a node's timer, a datagram's arrival, a sample, a scheduled
// step, a death or a start), sets true time to it, and calls into the node; after each call the
// node's NextDeadline() becomes its (single) timer event. Every sample_interval the true offset
// of each node is recorded: into the statistics of the Report and to any SampleSinks (CSV, plot).
// Not thread-safe; one run per object.
#ifndef TEMPUS_SIM_SIMULATION_H_
#define TEMPUS_SIM_SIMULATION_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/random.h"
#include "engine/node.h"
#include "sim/event_queue.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/sim_clock.h"
#include "sim/sim_network.h"

namespace tempus::sim {

// Receives the sampled offsets of the nodes in the summary.
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  // Called once before the first sample with the nodes' names.
  virtual void Begin(std::span<const std::string> names) = 0;
  // Offsets (clock minus true time, s) at true time t_s, in Begin's order; NaN while a node is
  // not running.
  virtual void OnSample(double t_s, std::span<const double> offsets_s) = 0;
};

// A node's log line: true time (s), node name, message.
using SimLog = std::function<void(double t_s, const std::string& node, const std::string& message)>;

class Simulation {
 public:
  // Builds every node; errors (bad ntp.conf lines) are "FILE:LINE: ...".
  [[nodiscard]] static Result<std::unique_ptr<Simulation>, std::vector<std::string>> Create(const Scenario& scenario,
                                                                                            SimLog log = {});
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  ~Simulation();

  // Runs to the scenario's duration. REQUIRES: called once.
  Report Run(std::span<SampleSink* const> sinks = {});

 private:
  struct Host;
  explicit Simulation(const Scenario& scenario);
  void Handle(const Event& e);
  void AfterCall(size_t i);
  void Sample(std::span<SampleSink* const> sinks);
  void Kill(size_t i);
  void LogPolls(size_t i);
  Report Finish();

  Scenario scenario_;
  SimLog log_;
  SimTime now_;
  core::UnixTime epoch_;
  EventQueue queue_;
  SimNetwork network_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<size_t> in_stats_;  // host indices in the summary
  std::vector<double> sample_buffer_;
  SimTime stats_from_, stats_to_;
  double max_pairwise_s_ = 0.0;
  int max_orphan_parents_ = 0;
  double orphan_split_s_ = 0.0;
  uint64_t events_ = 0;
};

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_SIMULATION_H_
