// Cursor: walks the tokens of one ntp.conf line and reports what a directive expected and got.
//
// Every reader that fails reports `expected <what>, got '<token>'` (or `got end of line`) at the
// token's place and consumes the token, so that a directive can go on and report further errors on
// the same line. Internal to the config reader; not thread-safe.
#ifndef TEMPUS_CONFIG_INTERNAL_CURSOR_H_
#define TEMPUS_CONFIG_INTERNAL_CURSOR_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/lexer.h"
#include "core/net/net_address.h"

namespace tempus::config::internal {

// Collects the diagnostics of one parse.
struct Diagnostics {
  std::vector<Diagnostic> list;
  int errors = 0;
  void Error(Location where, std::string message);
  void Warning(Location where, std::string message);
};

// The closest of `candidates` to `word` by edit distance, when close enough to be a likely typo.
std::optional<std::string_view> Suggest(std::string_view word, std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" for the closest candidate, or "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

// A numeric address without a port: "10.0.0.1", "::1" or "[::1]".
std::optional<core::NetAddress> ParseNumericAddress(std::string_view text);

class Cursor {
 public:
  // REQUIRES: line.tokens is not empty (its first token is the directive).
  Cursor(const LexedLine& line, const std::string& file, Diagnostics* diags);

  const Token& directive() const { return line_.tokens.front(); }
  const std::string& file() const { return file_; }
  bool AtEnd() const { return next_ >= line_.tokens.size(); }
  // The next token, or null at the end of the line.
  const Token* Peek() const { return AtEnd() ? nullptr : &line_.tokens[next_]; }
  // True (and consumes it) when the next token is `word`.
  bool Accept(std::string_view word);
  // Consumes and returns the next token. REQUIRES: !AtEnd().
  const Token& Next();
  // Where the next token is, or just past the last one.
  Location Here() const;
  Location At(const Token& t) const { return Location{file_, t.line, t.column}; }

  // Reports `expected <what>, got <next token or end of line><suffix>` and consumes the token.
  void Expected(std::string_view what, std::string_view suffix = {});
  // Any token (a path, a name); nullopt at the end of the line.
  std::optional<std::string> Word(std::string_view what);
  // A decimal integer in [lo, hi].
  std::optional<int64_t> Integer(std::string_view what, int64_t lo, int64_t hi);
  // A finite decimal number in [lo, hi].
  std::optional<double> Number(std::string_view what, double lo, double hi);
  // One of `choices`, returned as its index; suggests the nearest on a miss, and then also skips
  // a numeric token that follows (the unknown option's probable value).
  std::optional<size_t> Keyword(std::string_view what, std::span<const std::string_view> choices);
  // Reports every remaining token as unexpected (one error for the first) and consumes them.
  void ExpectEnd(std::string_view what = "end of line");
  // Consumes the rest of the line without a report (the caller warned about the line).
  void SkipRest() { next_ = line_.tokens.size(); }

  // Errors reported so far in the whole parse (a handler compares it to report what tempus does
  // not do only about an option or line that was otherwise right).
  int errors() const { return diags_->errors; }

  void Error(Location where, std::string message) { diags_->Error(std::move(where), std::move(message)); }
  void Warning(Location where, std::string message) { diags_->Warning(std::move(where), std::move(message)); }
  void Warning(std::string message) { diags_->Warning(At(directive()), std::move(message)); }

 private:
  const LexedLine& line_;
  const std::string& file_;
  Diagnostics* diags_;
  size_t next_ = 1;
};

}  // namespace tempus::config::internal

#endif  // TEMPUS_CONFIG_INTERNAL_CURSOR_H_
