// RealFileSystem (POSIX) and MemoryFileSystem.
#include "config/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace tempus::config {
namespace {

// Configuration files are small; anything larger is a mistake (or /dev/zero).
constexpr size_t kMaxFileBytes = 16 << 20;

}  // namespace

Result<std::string, std::string> RealFileSystem::ReadFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is then refused as not regular).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Unexpected(std::string(std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Unexpected(std::string("not a regular file"));
  }
  std::string content;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Unexpected(std::string(std::strerror(err)));
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > kMaxFileBytes) {
      ::close(fd);
      return Unexpected(std::string("file larger than 16 MiB"));
    }
  }
  ::close(fd);
  return content;
}

bool RealFileSystem::IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool RealFileSystem::IsMissing(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

Result<std::vector<std::string>, std::string> RealFileSystem::ListDirectory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return Unexpected(std::string(std::strerror(errno)));
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string RealFileSystem::Canonical(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) return resolved;
  return std::filesystem::path(path).lexically_normal().string();
}

void MemoryFileSystem::Add(const std::string& path, std::string content) {
  files_[Canonical(path)] = std::move(content);
}

Result<std::string, std::string> MemoryFileSystem::ReadFile(const std::string& path) {
  const auto it = files_.find(Canonical(path));
  if (it == files_.end()) {
    return Unexpected(std::string(IsDirectory(path) ? "not a regular file" : "No such file or directory"));
  }
  return it->second;
}

bool MemoryFileSystem::IsDirectory(const std::string& path) {
  std::string prefix = Canonical(path);
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  const auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

bool MemoryFileSystem::IsMissing(const std::string& path) {
  return files_.count(Canonical(path)) == 0 && !IsDirectory(path);
}

Result<std::vector<std::string>, std::string> MemoryFileSystem::ListDirectory(const std::string& path) {
  if (!IsDirectory(path)) return Unexpected(std::string("No such file or directory"));
  std::string prefix = Canonical(path);
  if (prefix.back() != '/') prefix += '/';
  std::vector<std::string> names;
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    std::string rest = it->first.substr(prefix.size());
    rest = rest.substr(0, rest.find('/'));
    if (names.empty() || names.back() != rest) names.push_back(rest);
  }
  return names;
}

std::string MemoryFileSystem::Canonical(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

}  // namespace tempus::config
