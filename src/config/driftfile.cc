// Driftfile reading, atomic writing, the replacement rule and the cleanup of stale temporaries.
#include "config/driftfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "config/atomic_file.h"
#include "config/file_system.h"

namespace tempus::config {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

Unexpected<DriftFileError> Fail(DriftFileError::Kind kind, std::string message) {
  return Unexpected(DriftFileError{kind, std::move(message)});
}

// The whitespace-separated words of `text`.
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

// The whole of `word` as a finite number.
std::optional<double> Number(std::string_view word) {
  double value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string Shown(std::string_view text) { return std::string(text.substr(0, 40)); }

bool IsStaleTemporaryName(std::string_view name, std::string_view prefix) {
  if (name.size() != prefix.size() + kTempRandomChars || !name.starts_with(prefix)) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

}  // namespace

Result<DriftEstimate, DriftFileError> ParseDriftFile(const std::string& content, const std::string& path) {
  const std::vector<std::string_view> words = Words(content);
  if (words.empty()) {
    return Fail(DriftFileError::Kind::kEmpty,
                fmt::format("driftfile {}: expected a frequency in ppm, got an empty file", path));
  }
  const std::optional<double> ppm = Number(words[0]);
  if (!ppm) {
    return Fail(DriftFileError::Kind::kGarbage,
                fmt::format("driftfile {}: expected a frequency in ppm, got '{}'", path, Shown(words[0])));
  }
  if (std::fabs(*ppm) > kMaxDriftPpm) {
    return Fail(DriftFileError::Kind::kOutOfRange,
                fmt::format("driftfile {}: expected a frequency within ±{} ppm, got '{}'", path, kMaxDriftPpm,
                            words[0]));
  }
  DriftEstimate estimate{*ppm, std::nullopt};
  if (words.size() >= 2) {
    const std::optional<double> error = Number(words[1]);
    if (!error || *error < 0) {
      return Fail(DriftFileError::Kind::kGarbage,
                  fmt::format("driftfile {}: expected the frequency's error in ppm (>= 0) after '{}', got '{}'", path,
                              words[0], Shown(words[1])));
    }
    estimate.error_ppm = *error;
  }
  if (words.size() > 2) {
    return Fail(DriftFileError::Kind::kGarbage,
                fmt::format("driftfile {}: expected a frequency and its error in ppm, then nothing, got '{}'", path,
                            Shown(words[2])));
  }
  return estimate;
}

Result<DriftEstimate, DriftFileError> ReadDriftFile(const std::string& path) {
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

Result<void, SysError> WriteDriftFile(const std::string& path, double freq_ppm, double error_ppm) {
  TEMPUS_CHECK(std::isfinite(freq_ppm) && std::fabs(freq_ppm) <= kMaxDriftPpm);
  TEMPUS_CHECK(std::isfinite(error_ppm) && error_ppm >= 0);
  return WriteFileAtomically(path, fmt::format("{:.6f} {:.6f}\n", freq_ppm, error_ppm), 0644);
}

double CreditedErrorPpm(const DriftEstimate& stored) {
  return std::max(stored.error_ppm.value_or(kUnstatedErrorPpm), kStoredErrorFloorPpm);
}

bool ShouldReplaceDrift(double freq_ppm, double error_ppm, const std::optional<DriftEstimate>& stored) {
  // A frequency at the limit is where the discipline clamps one it could not correct: no measurement.
  if (!std::isfinite(freq_ppm) || !(std::fabs(freq_ppm) < kMaxDriftPpm)) return false;
  if (!std::isfinite(error_ppm) || error_ppm < 0) return false;
  return !stored.has_value() || error_ppm < CreditedErrorPpm(*stored);
}

Result<size_t, SysError> RemoveStaleDriftTemporaries(const std::string& path) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = DirectoryOf(target);
  const std::string prefix = target.filename().string() + std::string(kTempInfix);
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Unexpected(SysError{"list directory " + dir.string(), ec.value()});
  size_t removed = 0;
  std::optional<SysError> first_error;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::filesystem::path& entry = it->path();
    if (!IsStaleTemporaryName(entry.filename().string(), prefix)) continue;
    // lstat: a symlink or directory of that name is not ours.
    struct stat st {};
    if (::lstat(entry.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::unlink(entry.c_str()) == 0) {
      ++removed;
    } else if (!first_error) {
      first_error = SysError{"remove " + entry.string(), errno};
    }
  }
  if (ec && !first_error) first_error = SysError{"list directory " + dir.string(), ec.value()};
  if (first_error) return Unexpected(*first_error);
  return removed;
}

}  // namespace tempus::config
