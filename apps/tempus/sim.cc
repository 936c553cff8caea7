// `tempus sim FILE`: runs a scenario in the deterministic simulator (docs/sim.md) and prints the
// summary (or JSON); optionally writes the offsets as CSV and a plot as SVG. Exits 7 when a
// [limits] line of the scenario is exceeded, 1 on a bad file or option. The file is read as
// tempusd reads ntp.conf (a regular file of at most 16 MiB: not /dev/zero, not a FIFO), and the
// run is bounded (sim/scenario.h) with the command line's overrides too.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "base/shown.h"
#include "cli/checks.h"
#include "config/file_system.h"
#include "exit_codes.h"
#include "sim/output.h"
#include "sim/scenario.h"
#include "sim/simulation.h"
#include "subcommands.h"

namespace tempus::app {
namespace {

struct SimArgs {
  std::string file;
  std::optional<uint64_t> seed;
  std::optional<double> duration, stats_from;
  std::string csv, svg;
  bool svg_log = false, json = false, log = false;
};

int RunSim(const SimArgs& args) {
  config::RealFileSystem fs;
  auto text = fs.ReadFile(args.file);
  if (!text) {
    fmt::print(stderr, "tempus sim: cannot read {}: {}\n", Shown(args.file), text.error());
    return kExitUsage;
  }
  auto scenario = sim::ParseScenario(*text, args.file);
  if (!scenario) {
    for (const auto& e : scenario.error()) fmt::print(stderr, "{}\n", e);
    return kExitUsage;
  }
  if (args.seed) scenario->seed = *args.seed;
  if (args.duration) scenario->duration_s = *args.duration;
  if (args.stats_from) scenario->stats_from_s = *args.stats_from;
  if (const auto errors = sim::CheckRun(*scenario); !errors.empty()) {
    for (const auto& e : errors) fmt::print(stderr, "tempus sim: {} (with the command line's options)\n", e);
    return kExitUsage;
  }
  sim::SimLog log;
  if (args.log)
    log = [](double t, const std::string& node, const std::string& m) { fmt::print("{:10.3f} {}: {}\n", t, node, m); };
  auto simulation = sim::Simulation::Create(*scenario, log);
  if (!simulation) {
    for (const auto& e : simulation.error()) fmt::print(stderr, "{}\n", e);
    return kExitUsage;
  }
  std::vector<sim::SampleSink*> sinks;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> csv_file(nullptr, &std::fclose);
  std::unique_ptr<sim::CsvSink> csv;
  if (!args.csv.empty()) {
    csv_file.reset(std::fopen(args.csv.c_str(), "w"));
    if (!csv_file) {
      fmt::print(stderr, "tempus sim: cannot write {}\n", Shown(args.csv));
      return kExitUsage;
    }
    csv = std::make_unique<sim::CsvSink>(csv_file.get());
    sinks.push_back(csv.get());
  }
  sim::PlotRecorder plot(scenario->duration_s);
  if (!args.svg.empty()) sinks.push_back(&plot);
  const auto wall_start = std::chrono::steady_clock::now();
  const sim::Report report = (*simulation)->Run(sinks);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!args.svg.empty()) {
    std::ofstream svg(args.svg);
    svg << plot.Svg({.log_scale = args.svg_log, .title = fmt::format("{} (seed {})", args.file, scenario->seed)});
    if (!svg) {
      fmt::print(stderr, "tempus sim: cannot write {}\n", Shown(args.svg));
      return kExitUsage;
    }
  }
  const auto failures = sim::CheckLimits(*scenario, report);
  if (args.json) {
    fmt::print("{}", sim::ReportJson(report, failures));
  } else {
    fmt::print("{}", sim::FormatSummary(report));
  }
  fmt::print(stderr, "tempus sim: {:.2f} s of wall time for {} events\n", wall, report.events);
  for (const auto& f : failures) fmt::print(stderr, "limit exceeded: {}\n", f);
  if (!scenario->limits.empty() && failures.empty()) fmt::print(stderr, "limits: all met\n");
  return failures.empty() ? kExitOk : kExitAboveLimit;
}

}  // namespace

void RegisterSim(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimArgs>();
  CLI::App* cmd = app.add_subcommand("sim", "Run a cluster scenario in the deterministic simulator (docs/sim.md)");
  cmd->add_option("file", args->file, "Scenario file")->required()->check(cli::NonEmpty("a scenario file"));
  cmd->add_option("--seed", args->seed, "Master seed (overrides the scenario's)")->check(cli::Unsigned64());
  cmd->add_option("--duration", args->duration, "Simulated seconds (overrides the scenario's)")
      ->check(cli::FiniteIn(0, sim::kMaxDurationS));
  cmd->add_option("--stats-from", args->stats_from, "Start of the stats window, s (overrides the scenario's)")
      ->check(cli::FiniteIn(0, sim::kMaxDurationS));
  cmd->add_option("--csv", args->csv, "Write every node's true offset per sample to this CSV file")
      ->check(cli::NonEmpty("a file name"));
  cmd->add_option("--svg", args->svg, "Write a plot of the offsets to this SVG file")
      ->check(cli::NonEmpty("a file name"));
  cmd->add_flag("--svg-log", args->svg_log, "Plot |offset| on a log scale");
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->add_flag("--log", args->log, "Print the nodes' events (sync, steps, peers) as they happen");
  cmd->callback([args, exit_code] { *exit_code = RunSim(*args); });
}

}  // namespace tempus::app
