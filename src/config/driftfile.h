// The driftfile: the clock's frequency correction in ppm, kept across restarts (ntpd format: one
// floating-point number on one line, ntp.conf(5) "driftfile").
//
// ReadDriftFile returns a typed error for a missing, empty, garbled or out-of-range file, so the
// daemon can report it and start from zero. WriteDriftFile replaces the file atomically: a
// temporary file in the same directory, fsync, rename, then fsync of the directory, so a crash
// leaves either the old or the new value. Real file I/O; thread-compatible.
#ifndef TEMPUS_CONFIG_DRIFTFILE_H_
#define TEMPUS_CONFIG_DRIFTFILE_H_

#include <cstdint>
#include <string>

#include "core/result.h"
#include "engine/sys_error.h"

namespace tempus::config {

// ntpd's frequency limit (NTP_MAXFREQ, 500 ppm): values beyond are not a kernel-settable correction.
inline constexpr double kMaxDriftPpm = 500.0;

struct DriftFileError {
  enum class Kind : uint8_t {
    kMissing,     // no such file: normal on the first start
    kUnreadable,  // exists but cannot be read (permissions, a directory, I/O error)
    kEmpty,       // no number at all
    kGarbage,     // not a single finite number
    kOutOfRange,  // |ppm| > kMaxDriftPpm
  };
  Kind kind = Kind::kGarbage;
  std::string message;  // "driftfile /var/lib/ntp/drift: expected a frequency in ppm, got 'abc'"
};

// The frequency in ppm stored at `path`.
[[nodiscard]] Result<double, DriftFileError> ReadDriftFile(const std::string& path);

// Parses driftfile content: one number, surrounded by optional whitespace. `path` names the file in
// messages.
[[nodiscard]] Result<double, DriftFileError> ParseDriftFile(const std::string& content, const std::string& path);

// Atomically replaces `path` with `ppm` written as "%.3f\n" (ntpd's format).
// REQUIRES: |ppm| <= kMaxDriftPpm and finite.
[[nodiscard]] Result<void, engine::SysError> WriteDriftFile(const std::string& path, double ppm);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_DRIFTFILE_H_
