// The status of every ntp.conf directive and option in tempus, as one table of data: the single
// source of the warnings and errors the reader gives for what tempus does not do
// (internal::ReportStatus), of docs/ntp.conf.md's status column (tests/config/directive_status_test.cc
// checks both ways) and, later, of the man pages.
//
// A row's key is a directive alone ("tos") or a directive and one option, flag or argument form
// ("tos ceiling", "restrict flake", "server 127.127.t.u"). Options of a directive without a row
// of their own share the directive's status. The statuses:
//   supported: tempus does what the line says;
//   warned:    the line (or option) is accepted and ignored with a warning; `note` says what tempus
//              does instead and is the warning's text ("'tos ceiling': <note>");
//   error:     the line is refused; `note` says why.
// Constant data; thread-safe.
#ifndef TEMPUS_CONFIG_DIRECTIVE_STATUS_H_
#define TEMPUS_CONFIG_DIRECTIVE_STATUS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tempus::config {

enum class DirectiveStatus : uint8_t { kSupported, kWarned, kError };

// "supported", "warned" or "error": the words docs/ntp.conf.md uses.
std::string_view DirectiveStatusName(DirectiveStatus status);

struct DirectiveRow {
  std::string_view key;  // "tos ceiling"
  DirectiveStatus status;
  std::string_view note;     // warned and error: what tempus does instead, or why; supported: empty
  std::string_view example;  // a configuration that shows the row's behaviour (tests, man pages)
};

// Every row, directives in the order of docs/ntp.conf.md.
std::span<const DirectiveRow> DirectiveTable();

// The row whose key is `key`, or null.
const DirectiveRow* FindDirectiveRow(std::string_view key);

// The diagnostic text of a warned row, "'<key>': <note>", or of an error row, "expected what
// tempus supports, got '<key>' (<note>)".
std::string DirectiveMessage(const DirectiveRow& row);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_DIRECTIVE_STATUS_H_
