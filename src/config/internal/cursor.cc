// Cursor readers, typo suggestions and numeric address parsing for the config reader.
#include "config/internal/cursor.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/shown.h"

namespace tempus::config::internal {
namespace {

// Levenshtein distance, with both strings small (directive and option names).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string Got(const Token* t) { return t == nullptr ? "end of line" : fmt::format("'{}'", Shown(t->text)); }

}  // namespace

void Diagnostics::Error(Location where, std::string message) {
  list.push_back(Diagnostic{Diagnostic::Severity::kError, std::move(where), std::move(message)});
  ++errors;
}

void Diagnostics::Warning(Location where, std::string message) {
  list.push_back(Diagnostic{Diagnostic::Severity::kWarning, std::move(where), std::move(message)});
}

std::optional<std::string_view> Suggest(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.size() > 64) return std::nullopt;
  std::optional<std::string_view> best;
  size_t best_distance = 0;
  for (std::string_view c : candidates) {
    const size_t d = EditDistance(word, c);
    if (!best || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A typo changes a few characters; beyond a third of the word it is a different word.
  const size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3));
  if (!best || best_distance == 0 || best_distance > limit) return std::nullopt;
  return best;
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  const auto s = Suggest(word, candidates);
  return s ? fmt::format(" (did you mean '{}'?)", *s) : std::string();
}

std::optional<core::NetAddress> ParseNumericAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.front() == '[') return std::nullopt;
  const auto a = core::NetAddress::Parse(text);
  // Parse also takes "v4:port"; a port is not part of these addresses.
  if (!a || (a->is_v4() && text.find(':') != std::string_view::npos)) return std::nullopt;
  return a;
}

Cursor::Cursor(const LexedLine& line, const std::string& file, Diagnostics* diags)
    : line_(line), file_(file), diags_(diags) {}

bool Cursor::Accept(std::string_view word) {
  if (AtEnd() || line_.tokens[next_].text != word) return false;
  ++next_;
  return true;
}

const Token& Cursor::Next() { return line_.tokens[next_++]; }

Location Cursor::Here() const {
  if (!AtEnd()) return At(line_.tokens[next_]);
  const Token& last = line_.tokens.back();
  return Location{file_, last.line, last.end_column};
}

void Cursor::Expected(std::string_view what, std::string_view suffix) {
  Error(Here(), fmt::format("expected {}, got {}{}", what, Got(Peek()), suffix));
  if (!AtEnd()) ++next_;
}

std::optional<std::string> Cursor::Word(std::string_view what) {
  if (AtEnd()) {
    Expected(what);
    return std::nullopt;
  }
  return Next().text;
}

std::optional<int64_t> Cursor::Integer(std::string_view what, int64_t lo, int64_t hi) {
  if (!AtEnd()) {
    const std::string& s = Peek()->text;
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && v >= lo && v <= hi) {
      ++next_;
      return v;
    }
  }
  Expected(what);
  return std::nullopt;
}

std::optional<double> Cursor::Number(std::string_view what, double lo, double hi) {
  if (!AtEnd()) {
    const std::string& s = Peek()->text;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(v) && v >= lo && v <= hi) {
      ++next_;
      return v;
    }
  }
  Expected(what);
  return std::nullopt;
}

std::optional<size_t> Cursor::Keyword(std::string_view what, std::span<const std::string_view> choices) {
  if (!AtEnd()) {
    const auto it = std::find(choices.begin(), choices.end(), Peek()->text);
    if (it != choices.end()) {
      ++next_;
      return static_cast<size_t>(it - choices.begin());
    }
    Expected(what, DidYouMean(Peek()->text, choices));
    // An unknown option probably had a value: skip a number after it rather than report it too.
    if (!AtEnd() && !Peek()->text.empty()) {
      const std::string& v = Peek()->text;
      const char c0 = v[0];
      if ((c0 >= '0' && c0 <= '9') || ((c0 == '-' || c0 == '.') && v.size() > 1)) ++next_;
    }
    return std::nullopt;
  }
  Expected(what);
  return std::nullopt;
}

void Cursor::ExpectEnd(std::string_view what) {
  if (AtEnd()) return;
  Expected(what);
  SkipRest();
}

}  // namespace tempus::config::internal
