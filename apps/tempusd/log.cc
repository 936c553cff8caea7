#include "log.h"

#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "obs/log_file.h"

namespace tempus::daemon {
namespace {

enum class Target { kStderr, kPlain, kFile, kSyslog };
Target target = Target::kStderr;
std::unique_ptr<obs::LogFile> file;

std::string Stamp() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);  // a read, for the log line only
  struct tm tm {};
  gmtime_r(&ts.tv_sec, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

void ToSyslog(std::string_view message) {
  static bool opened = false;
  if (!opened) openlog("tempusd", LOG_PID, LOG_DAEMON);
  opened = true;
  syslog(LOG_INFO, "%.*s", static_cast<int>(message.size()), message.data());
}

// False when stderr is closed or /dev/null (a daemon started with `2>/dev/null`): then the
// fallback of a failing logfile is syslog, where the lines are kept.
bool StderrKeepsLines() {
  struct stat err {
  }, null{};
  if (fstat(2, &err) != 0) return false;
  return !(S_ISCHR(err.st_mode) && stat("/dev/null", &null) == 0 && err.st_rdev == null.st_rdev);
}

void ToStderr(std::string_view message) {
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  const std::string line = fmt::format("{}tempusd[{}]: {}\n", journal ? "" : Stamp(), getpid(), message);
  if (obs::LogFile::WriteAll(2, line) != 0) ToSyslog(message);
}

}  // namespace

void Log(std::string_view message) {
  switch (target) {
    case Target::kSyslog: return ToSyslog(message);
    case Target::kFile: return file->Log(message);
    case Target::kStderr: return ToStderr(message);
    case Target::kPlain: (void)obs::LogFile::WriteAll(2, fmt::format("{}\n", message)); return;
  }
}

Result<void, std::string> LogToFile(const std::string& path) {
  if (!file) {
    const bool use_stderr = StderrKeepsLines();
    file = std::make_unique<obs::LogFile>(
        [](std::string_view m) { return fmt::format("{}tempusd[{}]: {}\n", Stamp(), getpid(), m); },
        use_stderr ? obs::LogFile::Fallback(&ToStderr) : obs::LogFile::Fallback(&ToSyslog),
        use_stderr ? "stderr" : "syslog");
  }
  if (auto r = file->Open(path); !r) return r;
  target = Target::kFile;
  return {};
}

void LogToSyslog() { target = Target::kSyslog; }

void LogPlain() { target = Target::kPlain; }

void ReopenLog() {
  if (target != Target::kFile) return;
  if (auto r = file->Reopen(); !r) Log(r.error() + "; still writing to the old file");
}

}  // namespace tempus::daemon
