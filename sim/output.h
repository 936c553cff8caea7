// Outputs of a simulation run: the offsets as CSV while the run goes, a plot of them as SVG, and
// the Report as a text table or JSON. Not thread-safe.
#ifndef TEMPUS_SIM_OUTPUT_H_
#define TEMPUS_SIM_OUTPUT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "sim/report.h"
#include "sim/simulation.h"

namespace tempus::sim {

// Writes "t_s,NODE,..." then one row per sample (seconds; empty while a node is not running).
class CsvSink final : public SampleSink {
 public:
  // `out` must stay open for the run; not closed here.
  explicit CsvSink(std::FILE* out) : out_(out) {}
  void Begin(std::span<const std::string> names) override;
  void OnSample(double t_s, std::span<const double> offsets_s) override;

 private:
  std::FILE* out_;
};

// Keeps what a plot needs in bounded memory: for each of at most `bins` time bins, the last
// offset of each of the first `max_lines` nodes and the min/max over all nodes (the envelope).
class PlotRecorder final : public SampleSink {
 public:
  PlotRecorder(double duration_s, size_t bins = 1000, size_t max_lines = 20);
  void Begin(std::span<const std::string> names) override;
  void OnSample(double t_s, std::span<const double> offsets_s) override;

  struct Options {
    bool log_scale = false;  // plot |offset| on a log axis
    std::string title;
  };
  // A hand-written SVG document: one line per drawn node, the envelope of all nodes when there are
  // more than drawn, axes in s/ms/µs.
  std::string Svg(const Options& options) const;

 private:
  double duration_s_;
  size_t bins_, max_lines_;
  std::vector<std::string> names_;
  size_t all_nodes_ = 0;
  std::vector<double> t_;                   // per bin: time of the last sample
  std::vector<std::vector<double>> lines_;  // [line][bin]
  std::vector<double> lo_, hi_;             // per bin envelope
};

// A human-readable summary (per node when there are at most `max_nodes`, then the cluster).
std::string FormatSummary(const Report& report, size_t max_nodes = 40);
// The report as JSON text.
std::string ReportJson(const Report& report, const std::vector<std::string>& limit_failures);

}  // namespace tempus::sim

#endif  // TEMPUS_SIM_OUTPUT_H_
