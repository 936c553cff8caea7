// FileSystem: the file access the ntp.conf reader needs, behind an interface so that tests feed
// text directly (MemoryFileSystem) and the daemon reads real files (RealFileSystem).
//
// Paths are plain strings; the reader joins relative include paths to the including file's
// directory itself. Implementations here are not thread-safe.
#ifndef TEMPUS_CONFIG_FILE_SYSTEM_H_
#define TEMPUS_CONFIG_FILE_SYSTEM_H_

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace tempus::config {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The whole content of the regular file at `path`, or a short reason ("No such file or
  // directory").
  [[nodiscard]] virtual Result<std::string, std::string> ReadFile(const std::string& path) = 0;
  // True when `path` names a directory.
  virtual bool IsDirectory(const std::string& path) = 0;
  // True when nothing exists at `path` (ENOENT, ENOTDIR): a missing file, as opposed to one that
  // exists but cannot be read.
  virtual bool IsMissing(const std::string& path) = 0;
  // The names (not paths) of the entries of directory `path`, sorted.
  [[nodiscard]] virtual Result<std::vector<std::string>, std::string> ListDirectory(const std::string& path) = 0;
  // A stable identity for `path` used to detect include loops (the real path when it exists).
  virtual std::string Canonical(const std::string& path) = 0;
};

// Reads the real file system with POSIX calls.
class RealFileSystem final : public FileSystem {
 public:
  [[nodiscard]] Result<std::string, std::string> ReadFile(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  bool IsMissing(const std::string& path) override;
  [[nodiscard]] Result<std::vector<std::string>, std::string> ListDirectory(const std::string& path) override;
  std::string Canonical(const std::string& path) override;
};

// An in-memory file system: a map from normalized path to content. Directories exist implicitly
// as prefixes of file paths.
class MemoryFileSystem final : public FileSystem {
 public:
  // Adds or replaces the file at `path`.
  void Add(const std::string& path, std::string content);

  [[nodiscard]] Result<std::string, std::string> ReadFile(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  bool IsMissing(const std::string& path) override;
  [[nodiscard]] Result<std::vector<std::string>, std::string> ListDirectory(const std::string& path) override;
  std::string Canonical(const std::string& path) override;

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_FILE_SYSTEM_H_
