// Lexer: splits ntp.conf text into lines of whitespace-separated tokens.
//
// ntp.conf(5): `#` starts a comment that runs to the end of the line, commands never continue over
// lines, tokens are separated by whitespace. tempus adds double quotes for paths with spaces
// ("a b" is one token, no escapes). CRLF line ends and a UTF-8 byte order mark are tolerated. A
// line with a NUL byte, more than kMaxLineBytes bytes, bytes that are not UTF-8 outside a comment,
// or an unterminated quote is reported as an error and dropped; bad UTF-8 inside a comment is a
// warning. Pure functions; thread-safe.
#ifndef TEMPUS_CONFIG_LEXER_H_
#define TEMPUS_CONFIG_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"

namespace tempus::config {

// The longest line accepted, in bytes, without its line end.
inline constexpr size_t kMaxLineBytes = 4096;

// One token: its text (without quotes) and where it starts.
struct Token {
  std::string text;
  int line = 0;
  int column = 0;      // 1-based, in characters
  int end_column = 0;  // the column just past the token (past the closing quote when quoted)
  bool quoted = false;
};

// The tokens of one line that has at least one.
struct LexedLine {
  int line = 0;
  std::vector<Token> tokens;
};

// Every non-empty line of a file, plus the errors and warnings met.
struct LexResult {
  std::vector<LexedLine> lines;
  std::vector<Diagnostic> diagnostics;
};

// Lexes `text`, naming `file` in diagnostics.
LexResult Lex(std::string_view text, const std::string& file);

}  // namespace tempus::config

#endif  // TEMPUS_CONFIG_LEXER_H_
