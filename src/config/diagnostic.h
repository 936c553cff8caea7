// Diagnostic: an error or warning about a configuration file, with its place.
//
// Printed as `ntp.conf:12:8: expected poll exponent 3..17 after 'minpoll', got 'fast'` (errors) or
// `ntp.conf:3:1: warning: ...` (warnings). Lines and columns count from 1; columns count
// characters (UTF-8 code points), not bytes. Value type; thread-compatible.
#ifndef TEMPUS_CONFIG_DIAGNOSTIC_H_
#define TEMPUS_CONFIG_DIAGNOSTIC_H_

#include <cstdint>
#include <string>

namespace tempus::config {

// Where something was written: file, line and column (1-based; 0 when unknown).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  friend bool operator==(const Location&, const Location&) = default;
};

// One error or warning.
struct Diagnostic {
  enum class Severity : uint8_t { kError, kWarning };
  Severity severity = Severity::kError;
  Location where;
  std::string message;  // without the location: "expected X, got 'Y'"

  bool is_error() const { return severity == Severity::kError; }
  // "file:line:column: message" ("file: message" when line is 0, "message" without a file), with
  // "warning: " before the message of a warning.
  std::string ToString() const;
};

// A diagnostic built out of line from finished parts. Brace-initializing a temporary whose
// message is still being formatted (and may throw) after its Location's string was built makes
// GCC 12 at -O3 warn that the string "may be used uninitialized" in the cleanup path: a false
// positive that stopped the Release build with -Werror (keys_file.cc, leap_file.cc).
Diagnostic MakeDiagnostic(Diagnostic::Severity severity, Location where, std::string message);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_DIAGNOSTIC_H_
