// tempus: the operator's tool. Subcommands live one per file (query.cc, sync.cc, ...); main only
// parses and dispatches. Exceptions from CLI11 stop here and become one line and an exit status.
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "cli/checks.h"
#include "cli/describe.h"
#include "cli/version.h"
#include "exit_codes.h"
#include "subcommands.h"

int main(int argc, char** argv) {
  CLI::App app{"tempus: NTP time synchronization for server clusters"};
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 usage error, 2 no reply, 3 timeout, 4 kiss-o'-death, 5 not synchronized, "
      "6 clock error, 7 above limit.");
  tempus::cli::AddVersionFlag(app, "tempus", "none (not used by tempus)");
  tempus::cli::AddDescribeFlag(app);
  int exit_code = tempus::app::kExitOk;
  tempus::app::RegisterQuery(app, &exit_code);
  tempus::app::RegisterSync(app, &exit_code);
  tempus::app::RegisterCluster(app, &exit_code);
  tempus::app::RegisterSim(app, &exit_code);
  tempus::app::RegisterPeers(app, &exit_code);
  tempus::app::RegisterStatus(app, &exit_code);
  tempus::app::RegisterWaitSync(app, &exit_code);
  // TEMPUS_PARSE_ONLY=1: check the command line as for a run, then run nothing (no lookup, no
  // packet, no clock): how tests check the commands the documentation shows. This callback runs
  // once every option is checked, before the subcommand's own.
  struct ParseOnly {};
  if (std::getenv("TEMPUS_PARSE_ONLY") != nullptr) app.parse_complete_callback([] { throw ParseOnly(); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version, --describe-cli
    return app.exit(e);
  } catch (const ParseOnly&) {
    return tempus::app::kExitOk;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tempus: %s\n", tempus::cli::ErrorText(e).c_str());
    return tempus::app::kExitUsage;
  }
  return exit_code;
}
