// ntp_load: a bounded NTP load generator for benchmarking servers on loopback (bench/server_bench.sh
// runs it; docs/performance.md explains the method). Prints one human line on standard error and,
// with --json, the full report. Exit status: 0 when the run completed (whatever the server
// answered), 1 when it could not run, 2 for a bad command line.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ntp_load/load_run.h"
#include "ntp_load/options.h"
#include "ntp_load/report.h"

int main(int argc, char** argv) {
  using namespace tempus::bench;
  auto options = ParseLoadOptions(std::vector<std::string>(argv, argv + argc));
  if (!options) {
    const ParseStop& stop = options.error();
    std::fprintf(stop.exit_code == 0 ? stdout : stderr, "%s%s\n",
                 stop.exit_code == 0 ? "" : "ntp_load: ", stop.message.c_str());
    return stop.exit_code;
  }
  auto result = RunLoad(*options);
  if (!result) {
    std::fprintf(stderr, "ntp_load: %s\n", result.error().c_str());
    return 1;
  }
  const nlohmann::json report = ReportJson(*options, *result);
  if (!options->quiet) std::fprintf(stderr, "%s\n", ReportLine(report).c_str());
  if (options->json_path == "-") {
    std::printf("%s\n", report.dump().c_str());
  } else if (!options->json_path.empty()) {
    std::ofstream out(options->json_path);
    out << report.dump(2) << "\n";
    if (!out.flush()) {
      std::fprintf(stderr, "ntp_load: cannot write %s\n", options->json_path.c_str());
      return 1;
    }
  }
  return 0;
}
