// --version for tempusd and tempus: what a bug report needs to name the build.
#ifndef TEMPUS_APPS_CLI_VERSION_H_
#define TEMPUS_APPS_CLI_VERSION_H_

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace tempus::cli {

// Five lines: "<program> <version>" (CMake's project VERSION), the git commit the build was made
// from ("unknown" outside a git checkout, "-dirty" with uncommitted changes), the build type, the
// OpenSSL library loaded at run time (and the one built against when they differ), and
// `libsystemd`, the libsystemd version the program was built against or "none".
std::string VersionText(std::string_view program, std::string_view libsystemd);

// Adds --version (text from VersionText, computed only when asked); CLI11 then throws
// CLI::CallForVersion, a CLI::Success that main() hands to app.exit().
void AddVersionFlag(CLI::App& app, std::string_view program, std::string_view libsystemd);

}  // namespace tempus::cli

#endif  // TEMPUS_APPS_CLI_VERSION_H_
