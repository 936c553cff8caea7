// Helpers for the config reader tests: parse text and look at the outcome as printed lines.
#ifndef TEMPUS_TESTS_CONFIG_PARSE_HELPERS_H_
#define TEMPUS_TESTS_CONFIG_PARSE_HELPERS_H_

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/parser.h"

namespace tempus::config::testing {

inline std::vector<std::string> Lines(const std::vector<Diagnostic>& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.ToString());
  return out;
}

inline std::string Joined(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += d.ToString() + "\n";
  return out;
}

// The configuration `text` describes; a failed parse fails the test.
inline ParsedConfig MustParse(std::string_view text) {
  auto r = ParseText(text, "ntp.conf");
  if (!r) {
    ADD_FAILURE() << "unexpected errors:\n" << Joined(r.error());
    return ParsedConfig{};
  }
  return std::move(r).value();
}

// The printed diagnostics of a parse that must fail.
inline std::vector<std::string> MustFail(std::string_view text) {
  auto r = ParseText(text, "ntp.conf");
  if (r) {
    ADD_FAILURE() << "parse of '" << text << "' succeeded";
    return {};
  }
  return Lines(r.error());
}

// The single error a parse of `text` reports (and fails the test when there is not exactly one).
inline std::string OneError(std::string_view text) {
  const auto lines = MustFail(text);
  if (lines.size() != 1) {
    ADD_FAILURE() << "expected one diagnostic for '" << text << "', got " << lines.size();
    return lines.empty() ? "" : lines.front();
  }
  return lines.front();
}

// A text whose parse must fail with exactly one diagnostic, and that diagnostic as printed.
struct OneErrorCase {
  std::string_view text;
  std::string_view error;
};

// The table form of EXPECT_EQ(OneError(text), error): one check per case, naming its text.
inline void ExpectOneErrors(std::initializer_list<OneErrorCase> cases) {
  for (const OneErrorCase& c : cases) EXPECT_EQ(OneError(c.text), c.error) << "parsing: " << c.text;
}

// The printed diagnostics of a ParseFile of `path` in `fs` that must fail.
inline std::vector<std::string> FileErrors(FileSystem& fs, const std::string& path) {
  auto r = ParseFile(fs, path);
  if (r) {
    ADD_FAILURE() << "parse of " << path << " succeeded";
    return {};
  }
  return Lines(r.error());
}

// The printed warnings of a parse that must succeed.
inline std::vector<std::string> Warnings(std::string_view text) { return Lines(MustParse(text).warnings); }

}  // namespace tempus::config::testing

#endif  // TEMPUS_TESTS_CONFIG_PARSE_HELPERS_H_
