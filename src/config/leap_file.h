// The leap seconds file named by `leapfile` (ntp.conf(5)): NIST's/IERS's leap-seconds.list, as
// Debian ships it in /usr/share/zoneinfo/leap-seconds.list (package tzdata).
//
//   #$  3960835200                  last update, NTP seconds
//   #@  3991593600                  expiry, NTP seconds
//   3692217600  37  # 1 Jan 2017    from this NTP second on, TAI-UTC is 37 s
//   #h  49db2447 571e5e1b 2f002a53 9c8da8e4 39b8e49e
//
// Other `#` lines are comments. The `#h` line is the SHA-1 of the digits of the `#$` line, the
// `#@` line and each data line up to its `#` (ntpd's leapsec_validate), as five hex words.
//
// ParseLeapFile is pure and reports every problem in one pass as a Diagnostic with file:line:
// column ("expected NTP seconds and TAI-UTC, got 'x'"). A missing hash is a warning (hand-made
// files); a hash that does not match the content is an error, as in ntpd. Whether the file expired
// depends on the time: LeapExpiryWarning says so. Hostile content gives errors, never a crash; the
// error list is capped. Functions are thread-safe.
#ifndef TEMPUS_CONFIG_LEAP_FILE_H_
#define TEMPUS_CONFIG_LEAP_FILE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/diagnostic.h"
#include "config/file_system.h"
#include "core/time/leap_table.h"

namespace tempus::config {

// At most this many errors are reported for one file.
inline constexpr size_t kMaxLeapFileErrors = 20;
// Longer lines are errors.
inline constexpr size_t kMaxLeapLineBytes = 1024;

struct LeapFile {
  core::LeapTable table;
  bool hash_verified = false;        // a `#h` line matched the content
  std::vector<Diagnostic> warnings;  // no hash line
};

// Parses leap-seconds.list content; `path` names the file in diagnostics.
[[nodiscard]] Result<LeapFile, std::vector<Diagnostic>> ParseLeapFile(std::string_view content,
                                                                      const std::string& path);

// Reads and parses the file at `path`.
[[nodiscard]] Result<LeapFile, std::vector<Diagnostic>> ReadLeapFile(FileSystem& fs, const std::string& path);

// A warning when the table expired at `now_ntp` (NTP seconds) or expires within 28 days (ntpd's
// check_leap_expiration), else nothing.
std::optional<Diagnostic> LeapExpiryWarning(const core::LeapTable& table, int64_t now_ntp, const std::string& path);

// The SHA-1 of leap-seconds.list content as ntpd and NIST define it, as five 8-digit hex words
// separated by spaces ("49db2447 571e5e1b ...").
std::string LeapFileHash(std::string_view content);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_LEAP_FILE_H_
