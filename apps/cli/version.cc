// --version (see version.h). The commit comes from build_commit.h, which cmake/build_commit.cmake
// rewrites at every build when HEAD moves, so a rebuild after a commit never shows the old one.
#include "cli/version.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "build_commit.h"

namespace tempus::cli {

std::string VersionText(std::string_view program, std::string_view libsystemd) {
  std::string openssl = OpenSSL_version(OPENSSL_VERSION);
  if (openssl != OPENSSL_VERSION_TEXT) openssl += fmt::format(" (built against {})", OPENSSL_VERSION_TEXT);
  return fmt::format(
      "{} {}\n"
      "commit: {}\n"
      "build type: {}\n"
      "OpenSSL: {}\n"
      "libsystemd: {}",
      program, TEMPUS_VERSION, TEMPUS_GIT_COMMIT, TEMPUS_BUILD_TYPE, openssl, libsystemd);
}

void AddVersionFlag(CLI::App& app, std::string_view program, std::string_view libsystemd) {
  app.set_version_flag(
      "--version",
      [program = std::string(program), libsystemd = std::string(libsystemd)] {
        return VersionText(program, libsystemd);
      },
      "Print the version, git commit, build type and libraries, and exit");
}

}  // namespace tempus::cli
