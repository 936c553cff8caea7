#include "config/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace tempus::config {
namespace {

// write() all of `data`, retrying on EINTR and short writes.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::filesystem::path DirectoryOf(const std::filesystem::path& target) {
  std::filesystem::path dir = target.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

Result<void, SysError> WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = DirectoryOf(target);
  std::string tmp = (dir / (target.filename().string() + std::string(kTempInfix) + "XXXXXX")).string();
  // mkostemp creates the file with mode 0600: a key is never readable by others, even briefly.
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Unexpected(SysError{"create temporary file for " + path, errno});
  const auto fail = [&](const char* op) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Unexpected(SysError{fmt::format("{} {}", op, tmp), err});
  };
  if (!WriteAll(fd, content)) return fail("write");
  if (::fchmod(fd, mode) != 0) return fail("chmod");
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Unexpected(SysError{"close " + tmp, err});
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Unexpected(SysError{fmt::format("rename {} to {}", tmp, path), err});
  }
  // Make the rename itself durable: until the directory is synced a crash may bring back the old
  // file (or none).
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Unexpected(SysError{"open directory " + dir.string() + " to fsync it", errno});
  const int synced = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  if (synced != 0) return Unexpected(SysError{"fsync directory " + dir.string(), err});
  return {};
}

}  // namespace tempus::config
