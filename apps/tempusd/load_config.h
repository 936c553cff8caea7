// Turning an ntp.conf file (src/config) into DaemonOptions: resolve names, map directives to the
// core's settings, read the driftfile. Errors and warnings are printed with file:line:column.
#ifndef TEMPUS_APPS_TEMPUSD_LOAD_CONFIG_H_
#define TEMPUS_APPS_TEMPUSD_LOAD_CONFIG_H_

#include <optional>
#include <string>

#include "daemon.h"

namespace tempus::daemon {

// Parses `path` and fills `options` (clock, listen, source lines, system settings, driftfile,
// logfile). Logs every diagnostic; returns false when the file has errors, with the first (and
// how many more) in *error when not null. Names are not looked up here (Sources does, without
// blocking). With `reload`, the driftfile is not read again.
bool LoadConfig(const std::string& path, DaemonOptions* options, bool reload = false, std::string* error = nullptr);

// Reads the leap seconds file `path` and logs what it says (TAI-UTC, expiry, hash) or why it is
// not used: a file that cannot be read or parsed gives no table (the daemon runs without one).
// Returns the number of warnings and errors logged in *problems when not null.
std::optional<core::LeapTable> LoadLeapFile(const std::string& path, size_t* problems = nullptr);

// `tempusd --check-config FILE`: prints the diagnostics and a summary; the exit status.
int CheckConfig(const std::string& path);

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_LOAD_CONFIG_H_
