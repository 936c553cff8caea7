// The driftfile: the clock's frequency correction in ppm, kept across restarts, with its error.
//
// Format: chrony's "FREQ_PPM ERROR_PPM" on one line. ntpd reads only the first number
// (fscanf "%lf", ntp_util.c), so the file stays ntpd-compatible; ntpd's own files (one number)
// are read with an unstated error (kUnstatedErrorPpm). ReadDriftFile returns a typed error for a
// missing, empty, garbled or out-of-range file, so the daemon can report it and start from zero.
// WriteDriftFile replaces the file atomically: a temporary file `<path>.tmp.XXXXXX` in the same
// directory, fsync, rename, then fsync of the directory, so a crash leaves either the old or the
// new value (and at worst a temporary file, which RemoveStaleDriftTemporaries clears at the next
// start). ShouldReplaceDrift is the rule that keeps a good value from being overwritten by a
// worse one. Real file I/O; thread-compatible.
#ifndef TEMPUS_CONFIG_DRIFTFILE_H_
#define TEMPUS_CONFIG_DRIFTFILE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/sys_error.h"

namespace tempus::config {

// ntpd's frequency limit (NTP_MAXFREQ, 500 ppm): values beyond are not a kernel-settable correction.
inline constexpr double kMaxDriftPpm = 500.0;
// The error credited to a file without an error number (ntpd's format): a value worth keeping
// that a few seconds of data cannot beat; a couple of minutes of LAN samples can.
inline constexpr double kUnstatedErrorPpm = 1.0;
// No stored value counts as better than this: it was measured at another time, and temperature
// and aging move a quartz oscillator by more within days. So a run that measured the frequency to
// this still replaces the file (hourly, as ntpd writes), while short runs never do.
inline constexpr double kStoredErrorFloorPpm = 0.05;

struct DriftFileError {
  enum class Kind : uint8_t {
    kMissing,     // no such file: normal on the first start
    kUnreadable,  // exists but cannot be read (permissions, a directory, I/O error)
    kEmpty,       // no number at all
    kGarbage,     // not one finite frequency, optionally followed by one error >= 0
    kOutOfRange,  // |ppm| > kMaxDriftPpm
  };
  Kind kind = Kind::kGarbage;
  std::string message;  // "driftfile /var/lib/ntp/drift: expected a frequency in ppm, got 'abc'"
};

// A frequency estimate, as kept in the file.
struct DriftEstimate {
  double freq_ppm = 0.0;
  std::optional<double> error_ppm;  // the second number; none in ntpd's files
};

// The estimate stored at `path`.
[[nodiscard]] Result<DriftEstimate, DriftFileError> ReadDriftFile(const std::string& path);

// Parses driftfile content: one number, optionally a second (the error, >= 0), surrounded and
// separated by whitespace. `path` names the file in messages.
[[nodiscard]] Result<DriftEstimate, DriftFileError> ParseDriftFile(const std::string& content, const std::string& path);

// Atomically replaces `path` with "FREQ ERROR\n" ("%.6f %.6f", chrony's precision).
// REQUIRES: |freq_ppm| <= kMaxDriftPpm, error_ppm >= 0, both finite.
[[nodiscard]] Result<void, SysError> WriteDriftFile(const std::string& path, double freq_ppm, double error_ppm);

// The error `stored` is credited with: its own, kUnstatedErrorPpm without one, and never below
// kStoredErrorFloorPpm.
double CreditedErrorPpm(const DriftEstimate& stored);

// Whether a run's estimate (`freq_ppm` with error bound `error_ppm`) should replace `stored`
// (nullopt: no usable file): only a measured value (finite error, inside the ±500 ppm limit,
// where a clamped frequency sits) whose error is smaller than CreditedErrorPpm(stored).
bool ShouldReplaceDrift(double freq_ppm, double error_ppm, const std::optional<DriftEstimate>& stored);

// Removes the temporary files WriteDriftFile leaves when killed between creating and renaming
// one: regular files named `<name of path>.tmp.` plus six letters or digits, in path's
// directory, nothing else. Returns how many went, or the first error (the others are still tried).
[[nodiscard]] Result<size_t, SysError> RemoveStaleDriftTemporaries(const std::string& path);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_DRIFTFILE_H_
