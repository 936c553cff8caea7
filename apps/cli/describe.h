// A machine-readable description of a program's command line, taken from its CLI11 definitions:
// the one source scripts/gen-cli-docs.py turns into the man pages and the bash completion, so
// neither can say anything `--help` does not (docs/packaging.md).
#ifndef TEMPUS_APPS_CLI_DESCRIBE_H_
#define TEMPUS_APPS_CLI_DESCRIBE_H_

#include <string>

#include <CLI/CLI.hpp>

namespace tempus::cli {

// JSON: {"name", "description", "footer", "options": [...], "positionals": [...],
// "subcommands": [...]}, each option {"names": ["-c", "--config"], "type", "default",
// "description", "takes_value", "repeatable", "required"}; hidden options (no group) are left out.
std::string DescribeApp(const CLI::App& app);

// Adds the hidden flag --describe-cli: prints DescribeApp(app) and exits 0 (CLI::Success).
void AddDescribeFlag(CLI::App& app);

}  // namespace tempus::cli

#endif  // TEMPUS_APPS_CLI_DESCRIBE_H_
