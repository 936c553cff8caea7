// The subcommands of `tempus`, one file each. Each registers itself on the app and, when run,
// stores its exit status (exit_codes.h) in *exit_code.
#ifndef TEMPUS_APPS_TEMPUS_SUBCOMMANDS_H_
#define TEMPUS_APPS_TEMPUS_SUBCOMMANDS_H_

#include <vector>

#include <CLI/CLI.hpp>

#include "one_shot.h"

namespace tempus::app {

void RegisterQuery(CLI::App& app, int* exit_code);
void RegisterSync(CLI::App& app, int* exit_code);
void RegisterCluster(CLI::App& app, int* exit_code);
void RegisterSim(CLI::App& app, int* exit_code);
void RegisterPeers(CLI::App& app, int* exit_code);
void RegisterStatus(CLI::App& app, int* exit_code);
void RegisterWaitSync(CLI::App& app, int* exit_code);

// The exit status of one server's outcome (exit_codes.h): the one mapping every subcommand uses.
int ExitCodeOf(ServerStatus status);
// The exit status for a set of one-shot reports: ok if any server answered usefully; else the
// most telling outcome: kiss-o'-death, then not synchronized, then timeout, then no reply.
int ExitCodeFor(const std::vector<ServerReport>& reports);

}  // namespace tempus::app

#endif  // TEMPUS_APPS_TEMPUS_SUBCOMMANDS_H_
