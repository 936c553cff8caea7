// The daemon's log: one line per event, to stderr (default), a file (`logfile PATH`) or syslog
// (--syslog). On stderr and in a file each line starts with the UTC time (kernel clock) and
// "tempusd[PID]:"; under systemd (JOURNAL_STREAM set) stderr lines carry no time, the journal
// adds it. A logfile that cannot be written (a full disk) never loses a line: they go to stderr
// (to syslog when stderr is closed or /dev/null) with one notice, and back to the file with one
// notice when it works again (obs/log_file.h). Single-threaded, like the rest of the daemon.
#ifndef TEMPUS_APPS_TEMPUSD_LOG_H_
#define TEMPUS_APPS_TEMPUSD_LOG_H_

#include <string>
#include <string_view>

#include "base/result.h"

namespace tempus::daemon {

// Writes one line to the current destination.
void Log(std::string_view message);

// Appends to `path` from now on (created 0640 if missing); stderr stays on failure.
[[nodiscard]] Result<void, std::string> LogToFile(const std::string& path);
// Sends lines to syslog (daemon facility) from now on.
void LogToSyslog();
// Writes bare lines to stderr from now on, without time or "tempusd[PID]:" (--check-config: the
// diagnostics as a compiler prints them, `ntp.conf:12:8: expected ...`).
void LogPlain();
// Reopens the log file (after rotation; called on SIGHUP). No-op for stderr and syslog.
void ReopenLog();

}  // namespace tempus::daemon

#endif  // TEMPUS_APPS_TEMPUSD_LOG_H_
