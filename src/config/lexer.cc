// Lexer for ntp.conf: a per-line state machine that also validates UTF-8 and counts columns in
// characters.
#include "config/lexer.h"

#include <fmt/format.h>

#include <optional>

namespace tempus::config {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// The length of the UTF-8 sequence starting at s[i] (1..4), or 0 when it is not well formed
// (RFC 3629 §4: no overlongs, no surrogates, nothing above U+10FFFF).
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

class LineLexer {
 public:
  LineLexer(std::string_view text, const std::string& file, int line, std::vector<Diagnostic>* out)
      : text_(text), file_(file), line_(line), out_(out) {}

  // The tokens of the line, or nullopt when the line had an error (already reported).
  std::optional<std::vector<Token>> Run() {
    if (text_.size() > kMaxLineBytes) {
      return Fail(1, fmt::format("expected a line of at most {} bytes, got {} bytes", kMaxLineBytes, text_.size()));
    }
    int col = 1;
    for (size_t i = 0; i < text_.size(); ++col) {
      const char c = text_[i];
      if (c == '\0') return Fail(col, "expected text, got a NUL byte");
      if (c == '#' && !in_quote_) {
        CheckComment(i, col);
        if (failed_) return std::nullopt;
        break;
      }
      const size_t n = Utf8Length(text_, i);
      if (n == 0) {
        return Fail(col, fmt::format("expected UTF-8 text, got byte 0x{:02X}", static_cast<unsigned char>(c)));
      }
      if (in_quote_) {
        if (c == '"') {
          in_quote_ = false;
          EndToken(col + 1);
        } else {
          current_.text.append(text_.substr(i, n));
        }
      } else if (IsSpace(c)) {
        EndToken(col);
      } else if (c == '"' && !in_token_) {
        StartToken(col, /*quoted=*/true);
      } else {
        if (!in_token_) StartToken(col, /*quoted=*/false);
        current_.text.append(text_.substr(i, n));
      }
      i += n;
    }
    if (in_quote_) return Fail(col, "expected closing '\"', got end of line");
    EndToken(col);
    return std::move(tokens_);
  }

 private:
  void StartToken(int col, bool quoted) {
    in_token_ = true;
    in_quote_ = quoted;
    current_ = Token{.text = {}, .line = line_, .column = col, .end_column = 0, .quoted = quoted};
  }
  void EndToken(int end_col) {
    if (!in_token_) return;
    in_token_ = false;
    current_.end_column = end_col;
    tokens_.push_back(std::move(current_));
    current_ = Token{};
  }
  // Comments may hold anything printable, but bytes that are not UTF-8 are still worth a warning.
  void CheckComment(size_t i, int col) {
    while (i < text_.size()) {
      if (text_[i] == '\0') {
        Fail(col, "expected text, got a NUL byte");
        return;
      }
      const size_t n = Utf8Length(text_, i);
      if (n == 0) {
        out_->push_back(Diagnostic{Diagnostic::Severity::kWarning, Location{file_, line_, col},
                                   fmt::format("expected UTF-8 text, got byte 0x{:02X} in a comment",
                                               static_cast<unsigned char>(text_[i]))});
        return;
      }
      i += n;
      ++col;
    }
  }
  std::nullopt_t Fail(int col, std::string message) {
    out_->push_back(Diagnostic{Diagnostic::Severity::kError, Location{file_, line_, col}, std::move(message)});
    failed_ = true;
    return std::nullopt;
  }

  std::string_view text_;
  const std::string& file_;
  int line_;
  std::vector<Diagnostic>* out_;
  std::vector<Token> tokens_;
  Token current_;
  bool in_token_ = false;
  bool in_quote_ = false;
  bool failed_ = false;
};

}  // namespace

LexResult Lex(std::string_view text, const std::string& file) {
  LexResult result;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  int line = 0;
  while (!text.empty()) {
    ++line;
    const size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    auto tokens = LineLexer(raw, file, line, &result.diagnostics).Run();
    if (tokens && !tokens->empty()) result.lines.push_back(LexedLine{line, std::move(*tokens)});
  }
  return result;
}

}  // namespace tempus::config
