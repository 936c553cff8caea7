// Shown: text that came from outside (a command line, a file, a name service, a packet) made safe
// to echo in a one-line message: printable ASCII is kept, any other byte (control characters,
// newlines, escape sequences, UTF-8) is written as \xNN, and text longer than the limit is cut
// with "..." so that a hostile 100,000-character argument does not flood a terminal or a log.
// Pure; thread-safe.
#ifndef TEMPUS_BASE_SHOWN_H_
#define TEMPUS_BASE_SHOWN_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tempus {

// Long enough for any real host name, path or option value a message quotes.
inline constexpr size_t kShownMaxBytes = 80;

// `text` as it may appear in a message: at most `max_bytes` bytes of it, then "..." when cut.
std::string Shown(std::string_view text, size_t max_bytes = kShownMaxBytes);

}  // namespace tempus

#endif  // TEMPUS_BASE_SHOWN_H_
