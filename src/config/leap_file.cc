// The leap-seconds.list parser: lines -> LeapTable, every problem a Diagnostic; SHA-1 by OpenSSL.
#include "config/leap_file.h"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>

#include "base/shown.h"

namespace tempus::config {
namespace {

constexpr size_t kMaxErrors = kMaxLeapFileErrors;
constexpr size_t kMaxLineBytes = kMaxLeapLineBytes;
constexpr int kMaxTaiUtc = 1000;                      // seconds; TAI-UTC is 37 in 2026
constexpr int64_t kMaxNtpSeconds = int64_t{1} << 40;  // about the year 36800: keeps date arithmetic in range
constexpr int64_t kExpiryWarningDays = 28;            // ntpd's check_leap_expiration

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A word of a line and its 1-based column.
struct Field {
  std::string_view text;
  int column = 1;
};

// The blank-separated words of `line` before any '#' (from `from`).
std::vector<Field> Fields(std::string_view line, size_t from) {
  std::vector<Field> out;
  size_t i = from;
  while (i < line.size() && line[i] != '#') {
    if (IsBlank(line[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i]) && line[i] != '#') ++i;
    out.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return out;
}

// A decimal number 0..kMaxNtpSeconds.
std::optional<int64_t> Unsigned(std::string_view text) {
  int64_t v = 0;
  if (text.empty() || !IsDigit(text[0])) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > kMaxNtpSeconds) return std::nullopt;
  return v;
}

// The digits of `line` from `from` up to its first '#' (what ntpd's do_hash_data hashes).
void AppendDigits(std::string_view line, size_t from, std::string* out) {
  for (size_t i = from; i < line.size() && line[i] != '#'; ++i) {
    if (IsDigit(line[i])) out->push_back(line[i]);
  }
}

// Splits content into lines without their '\n'.
std::vector<std::string_view> Lines(std::string_view content) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    out.push_back(content.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsDataLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsBlank(line[i])) ++i;
  return i < line.size() && IsDigit(line[i]);
}

std::string Sha1Words(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) != 1 || len != 20) return "";
  std::string out;
  for (unsigned w = 0; w < 5; ++w) {
    if (w > 0) out += ' ';
    for (unsigned b = 0; b < 4; ++b) out += fmt::format("{:02x}", md[w * 4 + b]);
  }
  return out;
}

class Parser {
 public:
  explicit Parser(const std::string& path) : path_(path) {}

  Result<LeapFile, std::vector<Diagnostic>> Run(std::string_view content) {
    const std::vector<std::string_view> lines = Lines(content);
    for (size_t n = 0; n < lines.size() && errors_.size() < kMaxErrors; ++n) Line(static_cast<int>(n) + 1, lines[n]);
    if (errors_.empty()) Finish(content);
    if (!errors_.empty()) return Unexpected(std::move(errors_));
    return std::move(file_);
  }

 private:
  void Error(int line, int column, std::string message) {
    errors_.push_back(Diagnostic{Diagnostic::Severity::kError, {path_, line, column}, std::move(message)});
  }
  void Warn(int line, int column, std::string message) {
    file_.warnings.push_back(Diagnostic{Diagnostic::Severity::kWarning, {path_, line, column}, std::move(message)});
  }

  void Line(int number, std::string_view line) {
    if (line.size() > kMaxLineBytes) {
      Error(number, 1, fmt::format("expected a line of at most {} bytes, got {} bytes", kMaxLineBytes, line.size()));
      return;
    }
    if (line.starts_with("#$")) {
      Stamp(number, line, "the last-update time", &file_.table.updated, &updated_line_);
    } else if (line.starts_with("#@")) {
      Stamp(number, line, "the expiry time", &file_.table.expires, &expires_line_);
    } else if (line.starts_with("#h")) {
      Hash(number, line);
    } else if (line.starts_with("#")) {
      return;  // a comment
    } else if (IsDataLine(line)) {
      Data(number, line);
    } else {
      const std::vector<Field> f = Fields(line, 0);
      if (!f.empty()) {
        Error(number, f[0].column, fmt::format("expected NTP seconds and TAI-UTC, got '{}'", Shown(f[0].text)));
      }
    }
  }

  // `#$ N` or `#@ N`.
  void Stamp(int number, std::string_view line, const char* what, int64_t* out, int* seen_at) {
    const std::vector<Field> f = Fields(line, 2);
    if (*seen_at != 0) {
      Error(number, 1,
            fmt::format("expected one line of {} ('{}'), got another (first on line {})", what, line.substr(0, 2),
                        *seen_at));
      return;
    }
    const std::optional<int64_t> v = f.size() == 1 ? Unsigned(f[0].text) : std::nullopt;
    if (!v) {
      // fmt, not "'" + std::string&&: GCC 12 at -O3 gives a false -Wrestrict for that (PR 105329).
      const std::string got = f.empty() ? std::string("the end of the line")
                                        : fmt::format("'{}'", Shown(line.substr(static_cast<size_t>(f[0].column) - 1)));
      Error(number, f.empty() ? static_cast<int>(line.size()) + 1 : f[0].column,
            fmt::format("expected {} in NTP seconds after '{}', got {}", what, line.substr(0, 2), got));
      return;
    }
    *out = *v;
    *seen_at = number;
    AppendDigits(line, 2, &hashed_);
  }

  void Hash(int number, std::string_view line) {
    const std::vector<Field> f = Fields(line, 2);
    std::string words;
    bool ok = f.size() == 5;
    for (size_t i = 0; ok && i < f.size(); ++i) {
      ok = !f[i].text.empty() && f[i].text.size() <= 8;
      for (char c : f[i].text) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
      // NIST writes the words without leading zeros: pad them back to 8 digits.
      if (!ok) continue;
      if (i > 0) words += ' ';
      words.append(8 - f[i].text.size(), '0');  // appended, not "" + std::string&& (-Wrestrict, PR 105329)
      words += f[i].text;
    }
    if (!ok) {
      Error(number, 3,
            fmt::format("expected five hex words of at most 8 digits after '#h', got '{}'", Shown(line.substr(2))));
      return;
    }
    for (char& c : words) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    hash_ = words;
    hash_line_ = number;
  }

  void Data(int number, std::string_view line) {
    const std::vector<Field> f = Fields(line, 0);
    const std::optional<int64_t> when = f.size() >= 1 ? Unsigned(f[0].text) : std::nullopt;
    const std::optional<int64_t> tai = f.size() >= 2 ? Unsigned(f[1].text) : std::nullopt;
    if (f.size() < 2) {
      Error(number, f[0].column + static_cast<int>(f[0].text.size()),
            fmt::format("expected TAI-UTC after the NTP seconds '{}', got the end of the line", Shown(f[0].text)));
      return;
    }
    if (!when || !tai || f.size() != 2) {
      const Field& bad = !when ? f[0] : !tai ? f[1] : f[2];
      Error(number, bad.column,
            fmt::format("expected NTP seconds and TAI-UTC, then the end of the line or '#', got '{}'",
                        Shown(bad.text)));
      return;
    }
    if (*tai > kMaxTaiUtc) {
      Error(number, f[1].column, fmt::format("expected TAI-UTC 0..{} s, got {}", kMaxTaiUtc, *tai));
      return;
    }
    // A leap happens at the end of a month (ntpd rejects other transition times).
    if (core::NextMonthStart(*when - 1) != *when) {
      Error(number, f[0].column,
            fmt::format("expected the first second of a month (NTP seconds), got {} ({} UTC)", *when,
                        core::NtpDateMinute(*when)));
      return;
    }
    auto& entries = file_.table.entries;
    if (!entries.empty() && *when <= entries.back().ntp_seconds) {
      Error(number, f[0].column,
            fmt::format("expected a time after {} (line {}), got {}", entries.back().ntp_seconds, last_data_line_,
                        *when));
      return;
    }
    entries.push_back({*when, static_cast<int>(*tai)});
    last_data_line_ = number;
    AppendDigits(line, 0, &hashed_);
  }

  void Finish(std::string_view) {
    if (file_.table.entries.empty()) {
      Error(0, 0, "expected leap second lines (NTP seconds and TAI-UTC), got none");
    }
    if (expires_line_ == 0) Error(0, 0, "expected an expiry line ('#@ NTPSECONDS'), got none");
    if (!errors_.empty()) return;
    if (hash_line_ == 0) {
      Warn(0, 0, "no hash line ('#h'): the file's integrity is not verified");
      return;
    }
    const std::string actual = Sha1Words(hashed_);
    if (actual != hash_) {
      // Refused, as ntpd does: a damaged table could schedule a leap second that is not due.
      Error(hash_line_, 1,
            fmt::format("expected the '#h' hash {} of the content, got {} (edited or damaged file; "
                        "not used)",
                        actual, hash_));
      return;
    }
    file_.hash_verified = true;
  }

  const std::string& path_;
  LeapFile file_;
  std::vector<Diagnostic> errors_;
  std::string hashed_;  // the digits the hash covers
  std::string hash_;    // the `#h` words, 8 digits each
  int updated_line_ = 0;
  int expires_line_ = 0;
  int hash_line_ = 0;
  int last_data_line_ = 0;
};

}  // namespace

Result<LeapFile, std::vector<Diagnostic>> ParseLeapFile(std::string_view content, const std::string& path) {
  return Parser(path).Run(content);
}

Result<LeapFile, std::vector<Diagnostic>> ReadLeapFile(FileSystem& fs, const std::string& path) {
  auto content = fs.ReadFile(path);
  if (!content) {
    return Unexpected(std::vector<Diagnostic>{MakeDiagnostic(Diagnostic::Severity::kError, {path, 0, 0},
                                                             "cannot read the leap seconds file: " + content.error())});
  }
  return ParseLeapFile(*content, path);
}

std::optional<Diagnostic> LeapExpiryWarning(const core::LeapTable& table, int64_t now_ntp, const std::string& path) {
  constexpr int64_t kDay = 86400;
  const int64_t left = table.expires - now_ntp;
  if (left <= 0) {
    return MakeDiagnostic(Diagnostic::Severity::kWarning, {path, 0, 0},
                          fmt::format("expired {} UTC ({} day(s) ago): it cannot announce new leap seconds; "
                                      "update it (Debian: package tzdata)",
                                      core::NtpDateMinute(table.expires), (-left) / kDay));
  }
  if (left < kExpiryWarningDays * kDay) {
    return MakeDiagnostic(Diagnostic::Severity::kWarning, {path, 0, 0},
                          fmt::format("expires {} UTC, in {} day(s)", core::NtpDateMinute(table.expires), left / kDay));
  }
  return std::nullopt;
}

std::string LeapFileHash(std::string_view content) {
  std::string digits;
  for (std::string_view line : Lines(content)) {
    if (line.starts_with("#$") || line.starts_with("#@")) {
      AppendDigits(line, 2, &digits);
    } else if (!line.starts_with("#") && IsDataLine(line)) {
      AppendDigits(line, 0, &digits);
    }
  }
  return Sha1Words(digits);
}

}  // namespace tempus::config
