#include "obs/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tempus::obs {

LogFile::LogFile(Format format, Fallback fallback, std::string fallback_name, Write write)
    : format_(std::move(format)),
      fallback_(std::move(fallback)),
      fallback_name_(std::move(fallback_name)),
      write_(std::move(write)) {}

LogFile::~LogFile() {
  if (fd_ >= 0) ::close(fd_);
}

int LogFile::WriteAll(int fd, std::string_view bytes) {
  size_t done = 0;
  for (int i = 0; i < 8 && done < bytes.size(); ++i) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    done += static_cast<size_t>(n);
  }
  return done == bytes.size() ? 0 : EAGAIN;
}

Result<void, std::string> LogFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Unexpected(fmt::format("logfile {}: {}", path, std::strerror(errno)));
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  path_ = path;
  return {};
}

bool LogFile::TryRecover() {
  const std::string notice =
      fmt::format("logfile {}: writable again; {} line(s) went to {} meanwhile", path_, diverted_, fallback_name_);
  if (write_(fd_, format_(notice)) != 0) return false;
  failing_ = false;
  diverted_ = 0;
  fallback_(notice);
  return true;
}

void LogFile::Log(std::string_view message) {
  if (fd_ < 0) return fallback_(message);
  if (!failing_ || TryRecover()) {
    const int err = write_(fd_, format_(message));
    if (err == 0) return;
    failing_ = true;
    fallback_(fmt::format("logfile {}: cannot write ({}); logging to {} until it works again", path_,
                          std::strerror(err), fallback_name_));
  }
  ++diverted_;
  fallback_(message);
}

}  // namespace tempus::obs
