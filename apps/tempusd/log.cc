#include "log.h"

#include <fcntl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace tempus::daemon {
namespace {

enum class Target { kStderr, kFile, kSyslog };
Target target = Target::kStderr;
int file_fd = -1;
std::string file_path;

std::string Stamp() {
  struct timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);  // a read, for the log line only
  struct tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

void WriteAll(int fd, const std::string& line) {
  size_t done = 0;
  for (int i = 0; i < 8 && done < line.size(); ++i) {  // bounded: a log line never blocks the loop
    const ssize_t n = write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

Result<int, std::string> OpenLog(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Unexpected(fmt::format("logfile {}: {}", path, std::strerror(errno)));
  return fd;
}

}  // namespace

void Log(std::string_view message) {
  switch (target) {
    case Target::kSyslog:
      syslog(LOG_INFO, "%.*s", static_cast<int>(message.size()), message.data());
      return;
    case Target::kFile:
      WriteAll(file_fd, fmt::format("{}tempusd[{}]: {}\n", Stamp(), getpid(), message));
      return;
    case Target::kStderr: {
      static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
      WriteAll(2, fmt::format("{}tempusd[{}]: {}\n", journal ? "" : Stamp(), getpid(), message));
      return;
    }
  }
}

Result<void, std::string> LogToFile(const std::string& path) {
  auto fd = OpenLog(path);
  if (!fd) return Unexpected(fd.error());
  if (file_fd >= 0) close(file_fd);
  file_fd = *fd;
  file_path = path;
  target = Target::kFile;
  return {};
}

void LogToSyslog() {
  openlog("tempusd", LOG_PID, LOG_DAEMON);
  target = Target::kSyslog;
}

void ReopenLog() {
  if (target != Target::kFile) return;
  auto fd = OpenLog(file_path);
  if (!fd) {
    Log(fd.error() + "; still writing to the old file");
    return;
  }
  close(file_fd);
  file_fd = *fd;
}

}  // namespace tempus::daemon
