// Driftfile reading and atomic writing.
#include "config/driftfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "config/file_system.h"
#include "core/check.h"

namespace tempus::config {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

Unexpected<DriftFileError> Fail(DriftFileError::Kind kind, std::string message) {
  return Unexpected(DriftFileError{kind, std::move(message)});
}

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

Result<double, DriftFileError> ParseDriftFile(const std::string& content, const std::string& path) {
  size_t b = 0, e = content.size();
  while (b < e && IsSpace(content[b])) ++b;
  while (e > b && IsSpace(content[e - 1])) --e;
  if (b == e) return Fail(DriftFileError::Kind::kEmpty, fmt::format("driftfile {}: expected a frequency in ppm, got an empty file", path));
  const std::string_view text(content.data() + b, e - b);
  double ppm = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ppm);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(ppm)) {
    const std::string shown(text.substr(0, 40));
    return Fail(DriftFileError::Kind::kGarbage,
                fmt::format("driftfile {}: expected a frequency in ppm, got '{}'", path, shown));
  }
  if (std::fabs(ppm) > kMaxDriftPpm) {
    return Fail(DriftFileError::Kind::kOutOfRange,
                fmt::format("driftfile {}: expected a frequency within ±{} ppm, got '{}'", path, kMaxDriftPpm, text));
  }
  return ppm;
}

Result<double, DriftFileError> ReadDriftFile(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    return Fail(DriftFileError::Kind::kMissing, fmt::format("driftfile {}: no such file (starting from 0 ppm)", path));
  }
  RealFileSystem fs;
  auto content = fs.ReadFile(path);
  if (!content) {
    return Fail(DriftFileError::Kind::kUnreadable, fmt::format("driftfile {}: {}", path, content.error()));
  }
  return ParseDriftFile(*content, path);
}

Result<void, engine::SysError> WriteDriftFile(const std::string& path, double ppm) {
  TEMPUS_CHECK(std::isfinite(ppm) && std::fabs(ppm) <= kMaxDriftPpm);
  const std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmp = (dir / (target.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Unexpected(engine::SysError{"create temporary file for " + path, errno});
  const std::string text = fmt::format("{:.3f}\n", ppm);
  const auto fail = [&](const char* op) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Unexpected(engine::SysError{fmt::format("{} {}", op, tmp), err});
  };
  if (!WriteAll(fd, text)) return fail("write");
  if (::fchmod(fd, 0644) != 0) return fail("chmod");
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Unexpected(engine::SysError{"close " + tmp, err});
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Unexpected(engine::SysError{fmt::format("rename {} to {}", tmp, path), err});
  }
  // Make the rename itself durable.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace tempus::config
